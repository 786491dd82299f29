import { asc, eq } from "drizzle-orm";
import { measures } from "../../db/schema/measures";
import { extensionOn, managedOn } from "../../domain/in-force";
import { fourYearLimit } from "../../domain/measure-rules";
import { centsToJson } from "../../domain/money";
import { loadBeneficiary } from "../access";
import type { ServiceContext } from "../context";
import { chainOf } from "./assert-fits-history";
import { type LoadedMeasure, loadMeasure } from "./load-measure";

/** The measure as the API shows it: what is in force today, and its whole history. */
function measureView(m: LoadedMeasure, today: string) {
  const on = today < m.measure.startDate ? m.measure.startDate : today > m.measure.endDate ? m.measure.endDate : today;
  const { measure } = m;
  return {
    id: measure.id,
    beneficiaryId: measure.beneficiaryId,
    level: measure.level,
    startDate: measure.startDate,
    endDate: measure.endDate,
    status: measure.status,
    managedPrestations: managedOn(m.amendments, m.measure, on),
    ...extensionOn(m.amendments, m.measure, on),
    catalogueVersion: measure.catalogueVersion,
    previousMeasureId: measure.previousMeasureId,
    endedOn: measure.endedOn,
    endReason: measure.endReason,
    endOrientation: measure.endOrientation,
    endComment: measure.endComment,
    livingMonthly: centsToJson(measure.livingMonthly),
    reversementWhileRentShort: measure.reversementWhileRentShort,
    closing: m.closing ? { closedOn: m.closing.closedOn, held: centsToJson(m.closing.held), payers: m.closing.payers } : null,
    createdAt: measure.createdAt.toISOString(),
    amendments: m.amendments.map((a) => ({
      id: a.id,
      effectiveDate: a.effectiveDate,
      reason: a.reason,
      managedPrestations: a.managedPrestations,
      extension: a.extension,
      extensionReason: a.extensionReason,
      budgetPlanNote: a.budgetPlanNote,
      endDate: a.endDate,
      previousEndDate: a.previousEndDate,
      actor: a.actor,
      createdAt: a.createdAt.toISOString(),
    })),
    reviews: m.reviews.map((r) => ({ id: r.id, date: r.reviewDate, author: r.author, outcome: r.outcome, comment: r.comment })),
    history: m.events.map((e) => ({
      type: e.type,
      effectiveDate: e.effectiveDate,
      status: e.status,
      actor: e.actor,
      data: e.data,
      at: e.createdAt.toISOString(),
    })),
  };
}

export async function getMeasure({ ctx, measureId }: { ctx: ServiceContext; measureId: string }) {
  return measureView(await loadMeasure(ctx.db, ctx, measureId), ctx.today());
}

/** Every measure of a beneficiary, oldest first, and where they stand against the 4-year limit. */
export async function listMeasures({ ctx, beneficiaryId }: { ctx: ServiceContext; beneficiaryId: string }) {
  await loadBeneficiary(ctx.db, ctx, beneficiaryId);
  const rows = await ctx.db.select({ id: measures.id }).from(measures).where(eq(measures.beneficiaryId, beneficiaryId)).orderBy(asc(measures.startDate));
  const items = [];
  for (const { id } of rows) items.push(measureView(await loadMeasure(ctx.db, ctx, id), ctx.today()));
  // The 4 years count the current measure and the renewals it continues.
  return { items, fourYearLimit: fourYearLimit(chainOf(items, items.at(-1)?.id)) };
}
