import { monthOf } from "./calendar";

/** The amounts of a lease from a month on; past months keep the terms they had. */
interface LeaseAmounts {
  rent: bigint;
  charges: bigint;
  /** Housing benefit the payer sends the landlord directly (tiers payant). */
  housingBenefitToLandlord: bigint;
  /** What the person pays from income the association does not manage (rule 3). */
  personShare?: bigint;
}

/** Terms in force for a month (`YYYY-MM`): the latest that started on or before it. */
export function termsForMonth<T extends { effectiveMonth: string }>(terms: readonly T[], month: string): T | undefined {
  return [...terms]
    .filter((t) => monthOf(t.effectiveMonth) <= month)
    .sort((a, b) => a.effectiveMonth.localeCompare(b.effectiveMonth))
    .at(-1);
}

/**
 * What the managed funds owe the landlord for a month (rule 3): rent + charges − housing
 * benefit paid to them directly − the person's own share.
 */
export const monthlyDue = (t: LeaseAmounts): bigint => t.rent + t.charges - t.housingBenefitToLandlord - (t.personShare ?? 0n);
