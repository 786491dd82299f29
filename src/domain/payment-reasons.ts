/**
 * ISO 20022 reason codes (ExternalStatusReason1Code / ExternalReturnReason1Code) a bank
 * gives when it rejects or returns a SEPA credit transfer, with the French label staff
 * read. `refusesIban`: the creditor's account itself is wrong or gone, so paying the
 * same IBAN again would fail again (no job pays it until it has changed).
 */
interface PaymentReason {
  label: string;
  refusesIban: boolean;
}

const PAYMENT_REASONS = {
  AC01: { label: "Numéro de compte (IBAN) incorrect", refusesIban: true },
  AC03: { label: "Compte du bénéficiaire invalide", refusesIban: true },
  AC04: { label: "Compte clôturé", refusesIban: true },
  AC06: { label: "Compte bloqué", refusesIban: true },
  AG01: { label: "Opération interdite sur ce type de compte", refusesIban: true },
  AM04: { label: "Provision insuffisante", refusesIban: false },
  AM05: { label: "Opération en double", refusesIban: false },
  BE04: { label: "Adresse du créancier manquante ou incorrecte", refusesIban: false },
  CNOR: { label: "Banque du bénéficiaire non joignable", refusesIban: false },
  FOCR: { label: "Retour à la suite d'une demande d'annulation", refusesIban: false },
  MD07: { label: "Titulaire du compte décédé", refusesIban: true },
  MS02: { label: "Refus du bénéficiaire, motif non précisé", refusesIban: false },
  MS03: { label: "Refus de la banque, motif non précisé", refusesIban: false },
  RC01: { label: "Code BIC incorrect", refusesIban: false },
  RR01: { label: "Compte ou identifiant du donneur d'ordre manquant", refusesIban: false },
  RR02: { label: "Nom ou adresse du donneur d'ordre manquant", refusesIban: false },
  RR03: { label: "Nom ou adresse du bénéficiaire manquant", refusesIban: false },
  RR04: { label: "Motif réglementaire", refusesIban: false },
} as const satisfies Record<string, PaymentReason>;

export type PaymentReasonCode = keyof typeof PAYMENT_REASONS;
export const PAYMENT_REASON_CODES = Object.keys(PAYMENT_REASONS) as [PaymentReasonCode, ...PaymentReasonCode[]];

const known = (code: string): code is PaymentReasonCode => Object.hasOwn(PAYMENT_REASONS, code);

/** The French label of a code; a code stored before this table knew it is shown as it is. */
export const reasonLabel = (code: string): string => (known(code) ? PAYMENT_REASONS[code].label : code);

/** Whether a refusal for this reason bars the IBAN until it changes. */
export const reasonRefusesIban = (code: string): boolean => known(code) && PAYMENT_REASONS[code].refusesIban;
