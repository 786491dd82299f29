import { and, asc, eq } from "drizzle-orm";
import type { Executor } from "../../db/client";
import { beneficiaries } from "../../db/schema/beneficiaries";
import { measureAmendments, measureClosings, measureEvents, measureReviews, measures } from "../../db/schema/measures";
import { NotFoundError } from "../../domain/errors";
import { caseloadFilter } from "../access";
import type { ServiceContext } from "../context";

type MeasureRow = typeof measures.$inferSelect;
type AmendmentRow = typeof measureAmendments.$inferSelect;

export interface LoadedMeasure {
  measure: MeasureRow;
  amendments: AmendmentRow[];
  reviews: (typeof measureReviews.$inferSelect)[];
  events: (typeof measureEvents.$inferSelect)[];
  closing: { closedOn: string; held: bigint; payers: string[] } | null;
}

/** A measure with its history, visible only within the caller's caseload; locked for a write verb. */
export async function loadMeasure(executor: Executor, ctx: ServiceContext, id: string, options: { lock?: boolean } = {}): Promise<LoadedMeasure> {
  const query = executor
    .select({ measure: measures })
    .from(measures)
    .innerJoin(beneficiaries, eq(beneficiaries.id, measures.beneficiaryId))
    .where(and(eq(measures.id, id), caseloadFilter(ctx)));
  const [row] = options.lock ? await query.for("update", { of: measures }) : await query;
  if (!row) throw new NotFoundError("measure", id);
  const [amendments, reviews, events, closings] = await Promise.all([
    executor
      .select()
      .from(measureAmendments)
      .where(eq(measureAmendments.measureId, id))
      .orderBy(asc(measureAmendments.effectiveDate), asc(measureAmendments.createdAt)),
    executor.select().from(measureReviews).where(eq(measureReviews.measureId, id)).orderBy(asc(measureReviews.reviewDate)),
    executor.select().from(measureEvents).where(eq(measureEvents.measureId, id)).orderBy(asc(measureEvents.id)),
    executor
      .select({ closedOn: measureClosings.closedOn, held: measureClosings.held, payers: measureClosings.payers })
      .from(measureClosings)
      .where(eq(measureClosings.measureId, id)),
  ]);
  return { measure: row.measure, amendments, reviews, events, closing: closings[0] ?? null };
}
