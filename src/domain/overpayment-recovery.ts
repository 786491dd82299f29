import type { EnvelopeRef } from "./envelopes";

/**
 * Where an indu (an overpayment the payer deducts) is taken back from: what is least
 * protected first — available, then the charges from the lowest priority up, then
 * care — and the rent last, since it is paid first (L.271-2 al. 2).
 */
function recoveryRank(envelope: EnvelopeRef, chargePriority: ReadonlyMap<string, number>): number {
  if (envelope.envelope === "available") return 0;
  if (envelope.envelope === "charge") return 1_000_000 - (chargePriority.get(envelope.chargeId) ?? 0);
  if (envelope.envelope === "care") return 2_000_000;
  return 3_000_000;
}

/**
 * The parts of `amount` taken from each envelope, in recovery order, never more than
 * one holds; null when all of them together hold less.
 */
export function planRecovery<E extends { envelope: EnvelopeRef; balance: bigint }>(
  held: readonly E[],
  amount: bigint,
  chargePriority: ReadonlyMap<string, number>,
): { from: E; amount: bigint }[] | null {
  if (held.reduce((s, e) => s + e.balance, 0n) < amount) return null;
  const ordered = [...held].sort((a, b) => recoveryRank(a.envelope, chargePriority) - recoveryRank(b.envelope, chargePriority));
  const parts: { from: E; amount: bigint }[] = [];
  let rest = amount;
  for (const e of ordered) {
    if (rest === 0n) break;
    const part = e.balance < rest ? e.balance : rest;
    if (part > 0n) parts.push({ from: e, amount: part });
    rest -= part;
  }
  return parts;
}
