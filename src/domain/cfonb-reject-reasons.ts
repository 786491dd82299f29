import type { PaymentReasonCode } from "./payment-reasons";

/**
 * The two-character reject/return codes of the CFONB interbank list (*Liste interbancaire
 * des codes motifs de rejet/retour*) that a CFONB 120 statement carries in its 04 record
 * for a transfer that was refused or came back, with the ISO 20022 reason the same event
 * carries in camt.053/pain.002, so matching reads one vocabulary. A code missing here is
 * read as MS03 (reason not specified by the bank) and kept as it is beside it.
 */
const CFONB_TO_ISO = {
  "01": "AC04", // compte soldé, clos ou viré
  "02": "AC06", // compte bloqué (saisie, opposition)
  "03": "AC01", // compte inexistant ou numéro de compte erroné
  "04": "AM04", // provision insuffisante
  "06": "MD07", // titulaire décédé
  "52": "RC01", // code établissement (BIC) erroné
  "54": "AM05", // opération en double
  "57": "RR04", // motif réglementaire
  "58": "AG01", // opération non admise sur ce compte
  "59": "MS02", // refus du bénéficiaire
  "60": "MS03", // raison non communiquée par la banque
  "61": "FOCR", // retour à la suite d'une demande d'annulation
  "62": "BE04", // adresse du bénéficiaire manquante ou incorrecte
} as const satisfies Record<string, PaymentReasonCode>;

/** The ISO reason of a CFONB reject code; an unknown code is "reason not specified" (MS03). */
export function isoReasonOfCfonbCode(code: string): PaymentReasonCode {
  return Object.hasOwn(CFONB_TO_ISO, code) ? CFONB_TO_ISO[code as keyof typeof CFONB_TO_ISO] : "MS03";
}

/** The CFONB code that stands for an ISO reason (for generated test files and the docs). */
export function cfonbCodeOfIsoReason(reason: string): string | null {
  return Object.entries(CFONB_TO_ISO).find(([, iso]) => iso === reason)?.[0] ?? null;
}
