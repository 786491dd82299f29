import { and, eq, ne } from "drizzle-orm";
import type { Executor } from "../../db/client";
import { measures } from "../../db/schema/measures";
import { ConflictError, ValidationError } from "../../domain/errors";
import { cumulatedWithinLimit, MAX_TOTAL_MONTHS, overlaps } from "../../domain/measure-rules";
import type { MeasureTerms } from "../../domain/measure-terms";

/**
 * One measure at a time (409), and at most 4 years in all (422). Runs with the
 * beneficiary's row locked, so two requests cannot both pass.
 */
export async function assertFitsHistory(executor: Executor, beneficiaryId: string, terms: MeasureTerms, exceptMeasureId?: string): Promise<void> {
  const existing = await executor
    .select({ id: measures.id, startDate: measures.startDate, endDate: measures.endDate, endedOn: measures.endedOn, status: measures.status })
    .from(measures)
    .where(and(eq(measures.beneficiaryId, beneficiaryId), exceptMeasureId ? ne(measures.id, exceptMeasureId) : undefined));
  const added = { startDate: terms.startDate, endDate: terms.endDate };
  const clash = existing.find((m) => overlaps(m, added));
  if (clash) {
    throw new ConflictError("another measure of this beneficiary covers these dates", {
      measureId: clash.id,
      startDate: clash.startDate,
      endDate: clash.endDate,
    });
  }
  const all = exceptMeasureId ? [...existing, ...(await executor.select().from(measures).where(eq(measures.id, exceptMeasureId)))] : existing;
  const total = cumulatedWithinLimit(all, added);
  if (!total.ok) {
    throw new ValidationError(`the measures of a beneficiary may not exceed ${MAX_TOTAL_MONTHS} months in all`, [
      {
        field: "endDate",
        message: `${total.usedDays} days in all, the limit is ${total.limitDays} (${MAX_TOTAL_MONTHS} months from the first start)`,
        code: "over_48_months",
      },
    ]);
  }
}
