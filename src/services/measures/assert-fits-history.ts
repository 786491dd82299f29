import { eq } from "drizzle-orm";
import type { Executor } from "../../db/client";
import { measures } from "../../db/schema/measures";
import { ConflictError, ValidationError } from "../../domain/errors";
import { cumulatedWithinLimit, MAX_TOTAL_MONTHS, overlaps, type PeriodSpan } from "../../domain/measure-rules";
import type { MeasureTerms } from "../../domain/measure-terms";

type SpanRow = PeriodSpan & { id: string; previousMeasureId: string | null };

/**
 * The periods a measure's 4-year count covers: `fromId` and the renewals it continues
 * (L.271-2 counts one measure and its renewals; a new measure starts a new count).
 */
export function chainOf(all: readonly SpanRow[], fromId: string | null | undefined): SpanRow[] {
  const chain: SpanRow[] = [];
  let id = fromId;
  while (id && chain.length < all.length) {
    const m = all.find((r) => r.id === id);
    if (!m) break;
    chain.push(m);
    id = m.previousMeasureId;
  }
  return chain;
}

/**
 * One measure at a time (409), and at most 4 years per measure and its renewals (422).
 * `except`: the measure being renewed or amended (it does not clash with itself);
 * `chainFrom`: the last period the new terms continue (a renewal's previous period, an
 * amended period's predecessor). Runs with the beneficiary's or the measure's row locked.
 */
export async function assertFitsHistory(
  executor: Executor,
  beneficiaryId: string,
  terms: MeasureTerms,
  options: { except?: string; chainFrom?: string | null } = {},
): Promise<void> {
  const all = await executor
    .select({
      id: measures.id,
      startDate: measures.startDate,
      endDate: measures.endDate,
      endedOn: measures.endedOn,
      previousMeasureId: measures.previousMeasureId,
    })
    .from(measures)
    .where(eq(measures.beneficiaryId, beneficiaryId));
  const added = { startDate: terms.startDate, endDate: terms.endDate };
  const clash = all.find((m) => m.id !== options.except && overlaps(m, added));
  if (clash) {
    throw new ConflictError("another measure of this beneficiary covers these dates", {
      measureId: clash.id,
      startDate: clash.startDate,
      endDate: clash.endDate,
    });
  }
  const total = cumulatedWithinLimit(chainOf(all, options.chainFrom), added);
  if (!total.ok) {
    throw new ValidationError(`a measure and its renewals may not exceed ${MAX_TOTAL_MONTHS} months in all`, [
      {
        field: "endDate",
        message: `${total.usedDays} days in all, the limit is ${total.limitDays} (${MAX_TOTAL_MONTHS} months from the measure's first start)`,
        code: "over_48_months",
      },
    ]);
  }
}
