import type { Earmark } from "./catalogue";

/**
 * The allocation policy of MASP 2, pure: where a credit goes. L.271-2 al. 2 CASF: rent and
 * rental charges first; R.271-4: earmarked prestations go wholly to their purpose;
 * then the measure's reste à vivre (rule 6), then the charges of the budget plan by
 * priority (a charge's need includes its arrears, rule 8); the rest is available.
 */
export interface ChargeNeed {
  chargeId: string;
  category: string;
  /** Lower is served first. */
  priority: number;
  /** What the envelope still lacks for the charge's next amount due (≥ 0). */
  need: bigint;
}

export interface AllocationInput {
  amount: bigint;
  earmarked: Earmark;
  /** What the rent envelope still lacks: arrears plus the next period (≥ 0). */
  rentNeed: bigint;
  /** Reste à vivre still to set aside this month (≥ 0; rule 6): after the rent, before the charges. */
  livingNeed?: bigint;
  charges: readonly ChargeNeed[];
}

type Allocation =
  | { envelope: "rent"; amount: bigint }
  | { envelope: "charge"; chargeId: string; amount: bigint }
  | { envelope: "care"; amount: bigint }
  | { envelope: "available"; amount: bigint }
  | { envelope: "living"; amount: bigint };

export type AllocationPlan = Allocation[];

const byPriority = (a: ChargeNeed, b: ChargeNeed) => a.priority - b.priority || a.chargeId.localeCompare(b.chargeId);

export function allocate(input: AllocationInput): AllocationPlan {
  if (input.amount <= 0n) throw new RangeError("a credit is a positive amount");
  if (input.rentNeed < 0n || (input.livingNeed ?? 0n) < 0n || input.charges.some((c) => c.need < 0n)) throw new RangeError("needs are never negative");
  // R.271-4: housing aid belongs to the rent, all of it, even beyond this month's need.
  if (input.earmarked === "housing") return [{ envelope: "rent", amount: input.amount }];

  const plan: Allocation[] = [];
  let rest = input.amount;
  const take = (wanted: bigint): bigint => {
    const part = wanted < rest ? wanted : rest;
    rest -= part;
    return part;
  };

  if (input.earmarked === "care") {
    // R.271-4: care prestations pay care charges; what they do not need yet stays earmarked.
    for (const c of input.charges.filter((c) => c.category === "care").sort(byPriority)) {
      const part = take(c.need);
      if (part > 0n) plan.push({ envelope: "charge", chargeId: c.chargeId, amount: part });
    }
    if (rest > 0n) plan.push({ envelope: "care", amount: rest });
    return plan;
  }

  const rent = take(input.rentNeed);
  if (rent > 0n) plan.push({ envelope: "rent", amount: rent });
  const living = take(input.livingNeed ?? 0n);
  if (living > 0n) plan.push({ envelope: "living", amount: living });
  for (const c of [...input.charges].sort(byPriority)) {
    if (rest === 0n) break;
    const part = take(c.need);
    if (part > 0n) plan.push({ envelope: "charge", chargeId: c.chargeId, amount: part });
  }
  if (rest > 0n) plan.push({ envelope: "available", amount: rest });
  return plan;
}

export const planTotal = (plan: AllocationPlan): bigint => plan.reduce((s, a) => s + a.amount, 0n);
