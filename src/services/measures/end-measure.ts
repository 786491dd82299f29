import { eq } from "drizzle-orm";
import { z } from "zod";
import { measureEvents, measures } from "../../db/schema/measures";
import { withTransaction } from "../../db/transaction";
import { spanCovers } from "../../domain/date-range";
import { ConflictError, fieldError } from "../../domain/errors";
import { END_REASONS, ORIENTATIONS } from "../../domain/measure-rules";
import { recordAudit, type ServiceContext } from "../context";
import { CalendarDate, Text } from "../schemas";
import { loadMeasure } from "./load-measure";

export const EndMeasureInput = z.object({
  endDate: CalendarDate,
  reason: z.enum(END_REASONS),
  /** Required when the situation worsened: MAJ, curatelle, tutelle or a report to the procureur. */
  orientation: z.enum(ORIENTATIONS).optional(),
  comment: Text({ max: 4000, multiline: true }).optional(),
});
export type EndMeasureInput = z.input<typeof EndMeasureInput>;

/**
 * Ends the measure on a date: from the day after, no credit is allocated and no
 * payment is scheduled for it. The record and its history stay (archived, never deleted).
 */
export async function endMeasure({ ctx, measureId, data }: { ctx: ServiceContext; measureId: string; data: z.output<typeof EndMeasureInput> }) {
  if (data.reason === "worsened_orientation" && !data.orientation)
    throw fieldError("orientation", "say where the person is oriented (MAJ, curatelle, tutelle, procureur)");
  if (data.reason !== "worsened_orientation" && data.orientation) throw fieldError("orientation", "an orientation goes with the reason worsened_orientation");
  return withTransaction(ctx.db, async (tx) => {
    const { measure } = await loadMeasure(tx, ctx, measureId, { lock: true });
    if (measure.status === "ended") throw new ConflictError("this measure has already ended", { endedOn: measure.endedOn, endReason: measure.endReason });
    if (measure.status === "renewed") throw new ConflictError("this period was renewed: end the current period instead");
    if (!spanCovers(measure, data.endDate)) {
      throw fieldError("endDate", `the end date falls within the contract period (${measure.startDate} to ${measure.endDate})`);
    }
    const [ended] = await tx
      .update(measures)
      .set({ status: "ended", endedOn: data.endDate, endReason: data.reason, endOrientation: data.orientation ?? null, endComment: data.comment ?? null })
      .where(eq(measures.id, measureId))
      .returning();
    await tx.insert(measureEvents).values({
      measureId,
      type: "ended",
      effectiveDate: data.endDate,
      status: "ended",
      actor: ctx.actor,
      data: { reason: data.reason, orientation: data.orientation ?? null },
    });
    await recordAudit(tx, ctx, {
      action: "measure.end",
      entityType: "measure",
      entityId: measureId,
      beneficiaryId: measure.beneficiaryId,
      changes: { endDate: data.endDate, reason: data.reason, orientation: data.orientation ?? null },
    });
    return ended!;
  });
}
