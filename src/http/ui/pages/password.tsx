/** @jsxImportSource hono/jsx */
import { getCookie } from "hono/cookie";
import { ChangePasswordInput, changePassword } from "../../../services/users/passwords";
import { Notice } from "../components";
import { parseForm, typed } from "../form-input";
import { ErrorSummary, Field, type FormState, readForm, withRefusal } from "../forms";
import { refusal } from "../messages";
import { CsrfField, render, SESSION_COOKIE, type UiApp, type UiContext } from "../session";

const LABELS = { currentPassword: "Mot de passe actuel", newPassword: "Nouveau mot de passe", confirmation: "Nouveau mot de passe (confirmation)" };
const FIELDS = { currentPassword: typed.text, newPassword: typed.text, confirmation: typed.text };
const RULE =
  "Au moins 12 caractères avec majuscules, minuscules, chiffres et caractères spéciaux ; ou 14 caractères avec majuscules, minuscules et chiffres ; ou une phrase de passe d'au moins 7 mots. Ni votre adresse e-mail ni votre nom.";

function PasswordPage({ c, form }: { c: UiContext; form: FormState }) {
  const first = c.get("session").user.mustChangePassword;
  return (
    <>
      <h1>Changer de mot de passe</h1>
      {first ? <p class="notice">Votre mot de passe est provisoire : choisissez le vôtre pour continuer.</p> : null}
      <Notice text={c.req.query("fait") ? "Mot de passe changé." : undefined} />
      <ErrorSummary form={form} />
      <form method="post" action="/mot-de-passe" class="narrow">
        <CsrfField c={c} />
        <Field form={form} name="currentPassword" type="password" autocomplete="current-password" value="" />
        <Field form={form} name="newPassword" type="password" autocomplete="new-password" hint={RULE} value="" />
        <Field form={form} name="confirmation" type="password" autocomplete="new-password" value="" />
        <p>
          <button type="submit">Changer le mot de passe</button>
        </p>
      </form>
      <p>
        <a href="/securite/totp">Double authentification (application TOTP)</a>
      </p>
    </>
  );
}

const blank = (): FormState => ({ values: {}, errors: {}, labels: LABELS });

/** Every signed-in user changes their own password here; a one-time password leads here first. */
export function passwordRoutes(ui: UiApp) {
  ui.get("/mot-de-passe", (c) => render(c, "Mot de passe", <PasswordPage c={c} form={blank()} />));
  ui.post("/mot-de-passe", async (c) => {
    // The values typed are never shown again: the page comes back blank with its errors.
    const parsed = parseForm(ChangePasswordInput, await readForm(c), FIELDS);
    if (!parsed.ok) return render(c, "Mot de passe", <PasswordPage c={c} form={{ ...blank(), errors: parsed.errors }} />, 422);
    try {
      await changePassword({ ctx: c.get("ctx"), data: parsed.data, keepSession: getCookie(c, SESSION_COOKIE) });
    } catch (error) {
      return render(c, "Mot de passe", <PasswordPage c={c} form={withRefusal(blank(), refusal(error))} />, 422);
    }
    return c.redirect(c.get("session").user.mustChangePassword ? "/" : "/mot-de-passe?fait=1");
  });
}
