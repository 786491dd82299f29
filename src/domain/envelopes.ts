/**
 * A beneficiary's money is kept in envelopes: the rent (L.271-2 al. 2: paid first),
 * one per priority charge of the budget plan, care (R.271-4: earmarked), what is
 * available to be paid back to them (reversement), and the reste à vivre the measure
 * sets aside each month for daily needs (`living`, paid out with the reversement).
 * The ledger gives each its address.
 */
export const ENVELOPE_KINDS = ["rent", "charge", "care", "available", "living"] as const;
export type EnvelopeKind = (typeof ENVELOPE_KINDS)[number];

export type EnvelopeRef = { envelope: "rent" | "care" | "available" | "living" } | { envelope: "charge"; chargeId: string };

export const chargeIdOf = (ref: EnvelopeRef): string | undefined => (ref.envelope === "charge" ? ref.chargeId : undefined);
