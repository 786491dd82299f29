import type { Earmark } from "./catalogue";
import type { EnvelopeRef } from "./envelopes";

/** What the recovery knows of a charge: its place in the budget plan, and whether it is a care charge (earmarked care money pays it). */
export interface RecoveryCharge {
  priority: number;
  category: string;
}

/**
 * Rule 9 (issue 15): the rent and care envelopes hold earmarked money (R.271-4), so an
 * indu is taken from them only when it is an indu of that very kind of prestation — an
 * overpaid housing aid may come back from the rent envelope, an overpaid care prestation
 * from the care envelope (and the care charges it pays); an indu of anything else (RSA,
 * AAH, family benefits…) never touches either. A care charge's envelope counts as care.
 */
export function mayRecoverFrom(envelope: EnvelopeRef, earmark: Earmark, charges: ReadonlyMap<string, RecoveryCharge>): boolean {
  if (envelope.envelope === "rent") return earmark === "housing";
  if (envelope.envelope === "care") return earmark === "care";
  if (envelope.envelope === "charge") return charges.get(envelope.chargeId)?.category !== "care" || earmark === "care";
  return true;
}

/**
 * The order among the envelopes it may use: what is least protected first — available,
 * then the charges from the lowest priority up, then the reste à vivre — and the earmarked envelope of its own
 * kind last (rent: paid first, L.271-2 al. 2; care: its purpose).
 */
function recoveryRank(envelope: EnvelopeRef, charges: ReadonlyMap<string, RecoveryCharge>): number {
  if (envelope.envelope === "available") return 0;
  if (envelope.envelope === "charge") {
    const charge = charges.get(envelope.chargeId);
    return (charge?.category === "care" ? 2_000_000 : 1_000_000) - (charge?.priority ?? 0);
  }
  // The reste à vivre (rule 6) is the person's minimum to live on: taken after the charges,
  // before the earmarked envelopes.
  if (envelope.envelope === "living") return 1_500_000;
  if (envelope.envelope === "care") return 3_000_000;
  if (envelope.envelope === "rent") return 4_000_000;
  return 1_500_000;
}

/**
 * The parts of `amount` taken from each envelope the indu's kind allows (`earmark`: the
 * catalogue's `earmarked` of the overpaid prestation; null for one that is not earmarked
 * or unknown), in recovery order, never more than one holds; null when all of those
 * together hold less.
 */
export function planRecovery<E extends { envelope: EnvelopeRef; balance: bigint }>(
  held: readonly E[],
  amount: bigint,
  earmark: Earmark,
  charges: ReadonlyMap<string, RecoveryCharge>,
): { from: E; amount: bigint }[] | null {
  const usable = held.filter((e) => e.balance > 0n && mayRecoverFrom(e.envelope, earmark, charges));
  if (usable.reduce((s, e) => s + e.balance, 0n) < amount) return null;
  const ordered = usable.sort((a, b) => recoveryRank(a.envelope, charges) - recoveryRank(b.envelope, charges));
  const parts: { from: E; amount: bigint }[] = [];
  let rest = amount;
  for (const e of ordered) {
    if (rest === 0n) break;
    const part = e.balance < rest ? e.balance : rest;
    parts.push({ from: e, amount: part });
    rest -= part;
  }
  return parts;
}

/** What the envelopes a recovery of this kind may use hold together (the 409's figure). */
export function recoverable<E extends { envelope: EnvelopeRef; balance: bigint }>(
  held: readonly E[],
  earmark: Earmark,
  charges: ReadonlyMap<string, RecoveryCharge>,
): bigint {
  return held.filter((e) => e.balance > 0n && mayRecoverFrom(e.envelope, earmark, charges)).reduce((s, e) => s + e.balance, 0n);
}
