import { asc, desc, eq, inArray } from "drizzle-orm";
import type { Executor } from "../../db/client";
import { leases, leaseTerms } from "../../db/schema/leases";
import { monthOf } from "../../domain/calendar";
import { monthlyDue, termsForMonth } from "../../domain/lease-terms";

export type LeaseRow = typeof leases.$inferSelect;
export type LeaseTermsRow = typeof leaseTerms.$inferSelect;

export function leaseView(lease: LeaseRow, terms: readonly LeaseTermsRow[], today: string) {
  const month = monthOf(today < lease.startDate ? lease.startDate : today);
  const current = termsForMonth(terms, month) ?? terms[0]!;
  return {
    id: lease.id,
    beneficiaryId: lease.beneficiaryId,
    landlord: { name: lease.landlordName, iban: lease.landlordIban, address: lease.landlordAddress ?? null },
    rent: current.rent,
    charges: current.charges,
    housingBenefitToLandlord: current.housingBenefitToLandlord,
    personShare: current.personShare,
    monthlyDue: monthlyDue(current),
    dueDay: lease.dueDay,
    startDate: lease.startDate,
    endDate: lease.endDate,
    firstPeriod: lease.firstPeriod,
    prorata: lease.prorata,
    arrearsPlanMonthly: lease.arrearsPlanMonthly,
    terms: [...terms]
      .sort((a, b) => a.effectiveMonth.localeCompare(b.effectiveMonth))
      .map((t) => ({
        effectiveFrom: monthOf(t.effectiveMonth),
        rent: t.rent,
        charges: t.charges,
        housingBenefitToLandlord: t.housingBenefitToLandlord,
        personShare: t.personShare,
        monthlyDue: monthlyDue(t),
      })),
  };
}

/** All leases of a beneficiary with their terms, latest lease first. */
export async function loadLeases(executor: Executor, beneficiaryId: string) {
  const rows = await executor.select().from(leases).where(eq(leases.beneficiaryId, beneficiaryId)).orderBy(desc(leases.startDate));
  if (rows.length === 0) return [];
  const terms = await executor
    .select()
    .from(leaseTerms)
    .where(
      inArray(
        leaseTerms.leaseId,
        rows.map((l) => l.id),
      ),
    )
    .orderBy(asc(leaseTerms.effectiveMonth));
  return rows.map((lease) => ({ lease, terms: terms.filter((t) => t.leaseId === lease.id) }));
}
