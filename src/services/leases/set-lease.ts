import { and, eq, gt, sql } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import { z } from "zod";
import { leases, leaseTerms } from "../../db/schema/leases";
import { withTransaction } from "../../db/transaction";
import { addDays, monthOf } from "../../domain/calendar";
import { endBeforeStartIssues } from "../../domain/date-range";
import { ConflictError, type FieldIssue, ValidationError } from "../../domain/errors";
import { termsForMonth } from "../../domain/lease-terms";
import { loadBeneficiary } from "../access";
import { recordAudit, type ServiceContext } from "../context";
import { CalendarDate, Cents, CentsOr, DueDay, Iban, Label, Month, PositiveCents, PostalAddressInput } from "../schemas";
import { leaseView, loadLeases } from "./lease-view";

export const SetLeaseInput = z.object({
  landlord: z.object({ name: Label, iban: Iban, address: PostalAddressInput.optional() }),
  rent: Cents,
  charges: CentsOr(0),
  housingBenefitToLandlord: CentsOr(0),
  /** Rule 3: what the person pays the landlord from income the association does not manage. */
  personShare: CentsOr(0),
  dueDay: DueDay,
  startDate: CalendarDate,
  endDate: CalendarDate.nullish(),
  /** The month (YYYY-MM) from which new amounts apply; default: the current month. */
  effectiveFrom: Month.optional(),
  /**
   * The first period the measure pays (`YYYY-MM`); default: the month of the first due
   * date on or after the measure's start. Kept when omitted on an update.
   */
  firstPeriod: Month.optional(),
  /** The first and last months due pro rata of the days covered (default: in full). Kept when omitted on an update. */
  prorata: z.boolean().optional(),
  /** Plan d'apurement agreed with the landlord: the most the arrears of this lease take each month; null ends it. */
  arrearsPlanMonthly: PositiveCents.nullish(),
});
export type SetLeaseInput = z.input<typeof SetLeaseInput>;

/**
 * Records the beneficiary's lease. The same start date updates the lease in place
 * (amounts from `effectiveFrom`, never for a month that has begun); a later start date
 * is a new lease (a move) and closes the previous one the day before.
 */
export async function setLease({ ctx, beneficiaryId, data }: { ctx: ServiceContext; beneficiaryId: string; data: z.output<typeof SetLeaseInput> }) {
  const issues: FieldIssue[] = [];
  if (data.housingBenefitToLandlord > data.rent + data.charges) {
    issues.push({ field: "housingBenefitToLandlord", message: "the housing benefit paid to the landlord exceeds rent and charges", code: "too_large" });
  } else if (data.housingBenefitToLandlord + data.personShare > data.rent + data.charges) {
    issues.push({ field: "personShare", message: "the person's share and the housing benefit exceed rent and charges", code: "too_large" });
  }
  issues.push(...endBeforeStartIssues(data.startDate, data.endDate));
  if (issues.length) throw new ValidationError("the lease is invalid", issues);
  const amounts = { rent: data.rent, charges: data.charges, housingBenefitToLandlord: data.housingBenefitToLandlord, personShare: data.personShare };
  const today = ctx.today();

  return withTransaction(ctx.db, async (tx) => {
    await loadBeneficiary(tx, ctx, beneficiaryId, { lock: true });
    const [latest] = await loadLeases(tx, beneficiaryId);
    let leaseId: string;
    let action: string;
    if (!latest || data.startDate > latest.lease.startDate) {
      // A lease with no end closes the day before the next begins; one that was given an
      // end keeps it, even within the new lease (a notice month owes two rents).
      if (latest && !latest.lease.endDate) {
        await tx
          .update(leases)
          .set({ endDate: addDays(data.startDate, -1), updatedAt: sql`now()` })
          .where(eq(leases.id, latest.lease.id));
      }
      leaseId = uuidv7();
      action = latest ? "lease.replace" : "lease.create";
      await tx.insert(leases).values({
        id: leaseId,
        beneficiaryId,
        landlordName: data.landlord.name,
        landlordIban: data.landlord.iban,
        landlordAddress: data.landlord.address ?? null,
        dueDay: data.dueDay,
        startDate: data.startDate,
        endDate: data.endDate ?? null,
        firstPeriod: data.firstPeriod ?? null,
        prorata: data.prorata ?? false,
        arrearsPlanMonthly: data.arrearsPlanMonthly ?? null,
      });
      await tx.insert(leaseTerms).values({ id: uuidv7(), leaseId, effectiveMonth: `${monthOf(data.startDate)}-01`, ...amounts });
    } else if (data.startDate === latest.lease.startDate) {
      leaseId = latest.lease.id;
      action = "lease.update";
      await tx
        .update(leases)
        .set({
          landlordName: data.landlord.name,
          landlordIban: data.landlord.iban,
          landlordAddress: data.landlord.address ?? null,
          dueDay: data.dueDay,
          endDate: data.endDate ?? null,
          ...(data.firstPeriod ? { firstPeriod: data.firstPeriod } : {}),
          ...(data.prorata === undefined ? {} : { prorata: data.prorata }),
          ...(data.arrearsPlanMonthly === undefined ? {} : { arrearsPlanMonthly: data.arrearsPlanMonthly }),
          updatedAt: sql`now()`,
        })
        .where(eq(leases.id, leaseId));
      const firstMonth = monthOf(data.startDate);
      const currentMonth = monthOf(today);
      const from = data.effectiveFrom ?? (firstMonth > currentMonth ? firstMonth : currentMonth);
      const inForce = termsForMonth(latest.terms, from);
      const unchanged =
        inForce &&
        inForce.rent === amounts.rent &&
        inForce.charges === amounts.charges &&
        inForce.housingBenefitToLandlord === amounts.housingBenefitToLandlord &&
        inForce.personShare === amounts.personShare;
      if (!unchanged) {
        if (from < firstMonth)
          throw new ValidationError("the lease starts later", [{ field: "effectiveFrom", message: `the lease starts in ${firstMonth}`, code: "before_lease" }]);
        // Past rent periods keep the amounts they had (the database refuses to edit them too).
        if (from < currentMonth) {
          throw new ValidationError("past rent periods keep the amounts they had", [
            { field: "effectiveFrom", message: `a change takes effect from ${currentMonth} at the earliest`, code: "in_the_past" },
          ]);
        }
        if (from === currentMonth && latest.terms.some((t) => monthOf(t.effectiveMonth) === from)) {
          throw new ValidationError("the amounts in force this month are history", [
            { field: "effectiveFrom", message: `the amounts of ${from} are set; give a later month`, code: "month_begun" },
          ]);
        }
        // From `from` on, these amounts: later planned changes are superseded.
        await tx.delete(leaseTerms).where(and(eq(leaseTerms.leaseId, leaseId), gt(leaseTerms.effectiveMonth, `${from}-01`)));
        await tx
          .insert(leaseTerms)
          .values({ id: uuidv7(), leaseId, effectiveMonth: `${from}-01`, ...amounts })
          .onConflictDoUpdate({ target: [leaseTerms.leaseId, leaseTerms.effectiveMonth], set: amounts });
      }
    } else {
      throw new ConflictError("a later lease is already recorded; a lease cannot start before it", {
        leaseId: latest.lease.id,
        startDate: latest.lease.startDate,
      });
    }
    const [saved] = await loadLeases(tx, beneficiaryId);
    await recordAudit(tx, ctx, {
      action,
      entityType: "lease",
      entityId: leaseId,
      beneficiaryId,
      changes: {
        rent: String(data.rent),
        charges: String(data.charges),
        housingBenefitToLandlord: String(data.housingBenefitToLandlord),
        personShare: String(data.personShare),
        dueDay: data.dueDay,
        startDate: data.startDate,
        effectiveFrom: data.effectiveFrom ?? null,
        firstPeriod: data.firstPeriod ?? null,
        prorata: data.prorata ?? null,
        arrearsPlanMonthly: data.arrearsPlanMonthly == null ? null : String(data.arrearsPlanMonthly),
        // The business audit keeps both IBANs (four eyes); lists show them masked.
        ...(latest && latest.lease.landlordIban !== data.landlord.iban ? { landlordIban: { from: latest.lease.landlordIban, to: data.landlord.iban } } : {}),
      },
    });
    return leaseView(saved!.lease, saved!.terms, today);
  });
}

export async function getLease({ ctx, beneficiaryId }: { ctx: ServiceContext; beneficiaryId: string }) {
  await loadBeneficiary(ctx.db, ctx, beneficiaryId);
  const all = await loadLeases(ctx.db, beneficiaryId);
  return all.map((l) => leaseView(l.lease, l.terms, ctx.today()));
}
