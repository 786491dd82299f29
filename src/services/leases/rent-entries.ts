import { and, asc, eq } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import { z } from "zod";
import { rentPeriodEntries } from "../../db/schema/leases";
import { withTransaction } from "../../db/transaction";
import { monthOf } from "../../domain/calendar";
import { type FieldIssue, ValidationError } from "../../domain/errors";
import { EXTERNAL_SOURCES, RENT_ENTRY_KINDS } from "../../domain/rent-periods";
import { loadBeneficiary } from "../access";
import { recordAudit, type ServiceContext } from "../context";
import { CalendarDate, Month, NonZeroSignedCents, Text } from "../schemas";
import { loadLeases } from "./lease-view";

export const RecordRentEntryInput = z
  .object({
    /** The lease the period is owed on; default: the latest lease covering the period. */
    leaseId: z.uuid().optional(),
    period: Month,
    kind: z.enum(RENT_ENTRY_KINDS),
    /** Cents: an external payment is positive; a housing-aid adjustment is signed (more aid to the landlord: less due). */
    amount: NonZeroSignedCents,
    /** Who paid (external payments only). */
    source: z.enum(EXTERNAL_SOURCES).optional(),
    /** The proof: a receipt, the FSL decision, the CAF notice (its reference, where it is filed). */
    evidence: Text({ min: 3, max: 500, tooShort: "say what proves it (at least 3 characters)" }),
    /** The day it took effect; default: today. */
    effectiveDate: CalendarDate.optional(),
  })
  .strict();

type RentEntryRow = typeof rentPeriodEntries.$inferSelect;

const entryView = (e: RentEntryRow) => ({
  id: e.id,
  beneficiaryId: e.beneficiaryId,
  leaseId: e.leaseId,
  period: e.period,
  kind: e.kind,
  amount: e.amount,
  source: e.source,
  evidence: e.evidence,
  effectiveDate: e.effectiveDate,
  recordedBy: e.recordedBy,
  createdAt: e.createdAt.toISOString(),
});

/**
 * Rule 3: records, on a lease's period, a payment made outside the ledger (by the person,
 * the FSL, a landlord's waiver, a housing-aid back-payment to the landlord) with its
 * evidence, or a correction of the housing aid the landlord received for a month that
 * has begun (a dated entry: the terms of the past are never edited).
 */
export async function recordRentEntry({
  ctx,
  beneficiaryId,
  data,
}: {
  ctx: ServiceContext;
  beneficiaryId: string;
  data: z.output<typeof RecordRentEntryInput>;
}) {
  const issues: FieldIssue[] = [];
  if (data.kind === "external_payment" && data.amount <= 0n) issues.push({ field: "amount", message: "an external payment is positive", code: "not_positive" });
  if (data.kind === "external_payment" && !data.source) issues.push({ field: "source", message: "say who paid", code: "required" });
  if (data.kind === "housing_aid_adjustment" && data.source)
    issues.push({ field: "source", message: "a housing-aid adjustment has no source", code: "not_allowed" });
  const today = ctx.today();
  if (data.kind === "housing_aid_adjustment" && data.period > monthOf(today)) {
    issues.push({ field: "period", message: "a month not begun yet takes new lease terms, not an adjustment", code: "not_begun" });
  }
  if (issues.length) throw new ValidationError("the rent entry is invalid", issues);

  return withTransaction(ctx.db, async (tx) => {
    await loadBeneficiary(tx, ctx, beneficiaryId, { lock: true });
    const leases = (await loadLeases(tx, beneficiaryId)).map((l) => l.lease);
    const covers = (l: (typeof leases)[number]) => monthOf(l.startDate) <= data.period && (l.endDate === null || monthOf(l.endDate) >= data.period);
    const lease = data.leaseId ? leases.find((l) => l.id === data.leaseId) : leases.find(covers);
    if (!lease || !covers(lease)) {
      throw new ValidationError("no lease for that period", [
        { field: data.leaseId ? "leaseId" : "period", message: "no lease of this beneficiary covers the period", code: "no_lease" },
      ]);
    }
    const [row] = await tx
      .insert(rentPeriodEntries)
      .values({
        id: uuidv7(),
        beneficiaryId,
        leaseId: lease.id,
        period: data.period,
        kind: data.kind,
        amount: data.amount,
        source: data.source ?? null,
        evidence: data.evidence,
        effectiveDate: data.effectiveDate ?? today,
        recordedBy: ctx.actor,
      })
      .returning();
    await recordAudit(tx, ctx, {
      action: `rent_entry.${data.kind}`,
      entityType: "rent_period_entry",
      entityId: row!.id,
      beneficiaryId,
      changes: { leaseId: lease.id, period: data.period, amount: String(data.amount), source: data.source ?? null },
    });
    return entryView(row!);
  });
}

/** A beneficiary's rent entries, by period. */
export async function listRentEntries({ ctx, beneficiaryId }: { ctx: ServiceContext; beneficiaryId: string }) {
  await loadBeneficiary(ctx.db, ctx, beneficiaryId);
  const rows = await ctx.db
    .select()
    .from(rentPeriodEntries)
    .where(and(eq(rentPeriodEntries.beneficiaryId, beneficiaryId)))
    .orderBy(asc(rentPeriodEntries.period), asc(rentPeriodEntries.createdAt));
  return rows.map(entryView);
}
