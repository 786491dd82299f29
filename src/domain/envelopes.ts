/**
 * A beneficiary's money is kept in envelopes: the rent (L.271-2 al. 2: paid first),
 * one per priority charge of the budget plan, care (R.271-4: earmarked), and what is
 * available to be paid back to them (reversement). The ledger gives each its address.
 */
export const ENVELOPE_KINDS = ["rent", "charge", "care", "available"] as const;
export type EnvelopeKind = (typeof ENVELOPE_KINDS)[number];

export type EnvelopeRef = { envelope: "rent" | "care" | "available" } | { envelope: "charge"; chargeId: string };

export const chargeIdOf = (ref: EnvelopeRef): string | undefined => (ref.envelope === "charge" ? ref.chargeId : undefined);
