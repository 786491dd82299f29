/**
 * One-off payments (an invoice, an energy regularisation, an advance, care paid from
 * the care envelope): when a second person must approve them (four eyes, contract
 * *Four eyes*), and what an envelope that holds too little answers.
 */

/** Default of `FOUR_EYES_THRESHOLD_CENTS`: above it, a one-off payment waits for approval. */
export const DEFAULT_FOUR_EYES_THRESHOLD_CENTS = 50_000n;

export type SecondPersonReason = "above_threshold" | "new_iban";

/**
 * Why a one-off payment needs a second person, or null when it applies at once: above
 * the threshold, or by transfer to an IBAN not already approved for the beneficiary
 * (their own, their landlord's, a creditor's of the budget plan, an earlier one-off's).
 * Cash and cheque go to no IBAN.
 */
export function secondPersonReasons(input: {
  amount: bigint;
  threshold: bigint;
  creditorIban: string | null;
  approvedIbans: ReadonlySet<string>;
}): SecondPersonReason[] {
  const reasons: SecondPersonReason[] = [];
  if (input.amount > input.threshold) reasons.push("above_threshold");
  if (input.creditorIban !== null && !input.approvedIbans.has(input.creditorIban)) reasons.push("new_iban");
  return reasons;
}
