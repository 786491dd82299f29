import { v7 as uuidv7 } from "uuid";
import type { z } from "zod";
import { measureEvents, measureReviews } from "../../db/schema/measures";
import { withTransaction } from "../../db/transaction";
import { ConflictError } from "../../domain/errors";
import { recordAudit, type ServiceContext } from "../context";
import { loadMeasure } from "./load-measure";
import type { ReviewInput } from "./renew-measure";

/** A bilan (periodic evaluation). A renewal records its own review with it. */
export async function recordReview({ ctx, measureId, data }: { ctx: ServiceContext; measureId: string; data: z.output<typeof ReviewInput> }) {
  return withTransaction(ctx.db, async (tx) => {
    const { measure } = await loadMeasure(tx, ctx, measureId, { lock: true });
    if (measure.status === "ended") throw new ConflictError("an ended measure takes no more reviews");
    const id = uuidv7();
    const [review] = await tx
      .insert(measureReviews)
      .values({ id, measureId, reviewDate: data.date, author: data.author, outcome: data.outcome, comment: data.comment ?? null })
      .returning();
    await tx.insert(measureEvents).values({
      measureId,
      type: "reviewed",
      effectiveDate: data.date,
      status: measure.status,
      actor: ctx.actor,
      data: { reviewId: id, outcome: data.outcome },
    });
    await recordAudit(tx, ctx, {
      action: "measure.review",
      entityType: "measure",
      entityId: measureId,
      beneficiaryId: measure.beneficiaryId,
      changes: { reviewId: id, outcome: data.outcome },
    });
    return review!;
  });
}
