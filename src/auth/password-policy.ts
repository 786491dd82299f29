/**
 * The password rule, after CNIL's délibération n° 2022-100 (21 July 2022), case 1: a
 * password that is the only factor must carry at least 80 bits of entropy. We accept
 * any of the three shapes the recommendation gives as examples of that strength:
 *   - at least 12 characters mixing upper case, lower case, digits and special characters;
 *   - at least 14 characters mixing upper case, lower case and digits;
 *   - a passphrase of at least 7 words (20 characters at least).
 * It may not contain the person's e-mail (its local part) or a part of their name.
 * Sign-in throttling (login-throttle.ts) comes on top, it does not lower the rule.
 */
export const PASSWORD_MAX_LENGTH = 128;

export type PasswordIssue =
  | "password_too_weak"
  | "password_too_long"
  | "password_contains_identity"
  | "password_unchanged"
  | "password_mismatch"
  | "password_wrong"
  | "totp_wrong"
  | "totp_no_enrolment";

/** The French sentence shown for each refusal of a password or TOTP form (the codes are what the services throw). */
export const PASSWORD_ISSUE_FR: Record<PasswordIssue, string> = {
  password_too_weak:
    "mot de passe trop faible : au moins 12 caractères avec majuscules, minuscules, chiffres et caractères spéciaux, ou 14 caractères avec majuscules, minuscules et chiffres, ou une phrase de passe d'au moins 7 mots",
  password_too_long: `mot de passe trop long (${PASSWORD_MAX_LENGTH} caractères au plus)`,
  password_contains_identity: "le mot de passe ne doit contenir ni votre adresse e-mail ni votre nom",
  password_unchanged: "le nouveau mot de passe doit être différent de l'actuel",
  password_mismatch: "les deux saisies du nouveau mot de passe diffèrent",
  password_wrong: "mot de passe actuel incorrect",
  totp_wrong: "code incorrect ou expiré : saisissez le code affiché en ce moment par l'application",
  totp_no_enrolment: "aucune activation en cours : rechargez la page",
};

/** Compared without case nor accents: « Élodie » is still in « elodie2026! ». */
const fold = (s: string) => s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();

const passphraseWords = (password: string) => password.split(/[\s\-_.,;:]+/).filter((w) => /\p{L}{2,}/u.test(w));

function strongEnough(password: string): boolean {
  const length = [...password].length;
  const upper = /\p{Lu}/u.test(password);
  const lower = /\p{Ll}/u.test(password);
  const digit = /\d/.test(password);
  const special = /[^\p{L}\d]/u.test(password);
  if (length >= 12 && upper && lower && digit && special) return true;
  if (length >= 14 && upper && lower && digit) return true;
  return length >= 20 && passphraseWords(password).length >= 7;
}

/** The refusals for a new password of this person (empty: the password is acceptable). */
export function passwordIssues(password: string, who: { email: string; displayName: string }): PasswordIssue[] {
  if ([...password].length > PASSWORD_MAX_LENGTH) return ["password_too_long"];
  const issues: PasswordIssue[] = [];
  if (!strongEnough(password)) issues.push("password_too_weak");
  const folded = fold(password);
  const identity = [who.email.split("@")[0] ?? "", ...who.displayName.split(/[\s\-'’.]+/)].map(fold).filter((part) => part.length >= 3);
  if (identity.some((part) => folded.includes(part))) issues.push("password_contains_identity");
  return issues;
}
