import { eq } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import { z } from "zod";
import { measureEvents, measureReviews, measures } from "../../db/schema/measures";
import { withTransaction } from "../../db/transaction";
import { addDays } from "../../domain/calendar";
import { spanCovers } from "../../domain/date-range";
import { ConflictError, fieldError } from "../../domain/errors";
import { extensionOn, managedOn } from "../../domain/in-force";
import { MEASURE_LEVELS, REVIEW_OUTCOMES } from "../../domain/measure-rules";
import { assertTerms, newMeasureRow, upperCodes } from "../../domain/measure-terms";
import { ensureAccounts, envelopeAccount } from "../../ledger/accounts";
import { loadBeneficiary } from "../access";
import { catalogueInForce } from "../catalogue";
import { recordAudit, type ServiceContext } from "../context";
import { CalendarDate, Text } from "../schemas";
import { assertFitsHistory } from "./assert-fits-history";
import { loadMeasure } from "./load-measure";

export const ReviewInput = z.object({
  date: CalendarDate,
  author: Text({ min: 1, max: 200 }),
  outcome: z.enum(REVIEW_OUTCOMES),
  comment: Text({ max: 4000, multiline: true }).nullish(),
});

export const RenewMeasureInput = z.object({
  /** The bilan that decided the renewal (outcome `renew`). */
  review: ReviewInput,
  endDate: CalendarDate,
  /** A change of level (MASP 1 ↔ MASP 2): a "renouvellement avec transformation". */
  level: z.enum(MEASURE_LEVELS).optional(),
  managedPrestations: z
    .array(Text({ max: 40 }))
    .max(40)
    .optional(),
  extension: z.boolean().optional(),
  extensionReason: Text({ min: 1, max: 2000, multiline: true }).nullish(),
});
export type RenewMeasureInput = z.input<typeof RenewMeasureInput>;

/**
 * A renewal is a new contract period chained to the previous one: it starts the day
 * after the previous end, after a review recorded in the same transaction. The
 * previous period stays as history with the status `renewed`.
 */
export async function renewMeasure({ ctx, measureId, data }: { ctx: ServiceContext; measureId: string; data: z.output<typeof RenewMeasureInput> }) {
  if (data.review.outcome !== "renew") throw fieldError("review.outcome", "a renewal needs a review whose outcome is `renew`");
  return withTransaction(ctx.db, async (tx) => {
    const previous = await loadMeasure(tx, ctx, measureId, { lock: true });
    const beneficiary = await loadBeneficiary(tx, ctx, previous.measure.beneficiaryId, { lock: true });
    const current = previous.measure;
    if (current.status !== "active") throw new ConflictError(`only an active measure can be renewed (this one is ${current.status})`);
    // Up to and including its end date; the day after, the measure has ended.
    if (ctx.today() > current.endDate) {
      throw new ConflictError(
        `this period ended on ${current.endDate}: it can no longer be renewed, open a new measure`,
        { endDate: current.endDate },
        "measure_ended",
      );
    }
    if (!spanCovers(current, data.review.date)) {
      throw fieldError("review.date", "the review takes place during the period it renews");
    }
    const startDate = addDays(current.endDate, 1);
    const inForce = extensionOn(previous.amendments, previous.measure, current.endDate);
    const level = data.level ?? current.level;
    // A MASP 1 manages nothing: becoming a MASP 2 needs the prestations named.
    const carried = current.level === "MASP2" && level === "MASP2" ? managedOn(previous.amendments, previous.measure, current.endDate) : [];
    const terms = {
      level,
      startDate,
      endDate: data.endDate,
      managedPrestations: upperCodes(data.managedPrestations ?? carried),
      extension: level === "MASP1" ? false : (data.extension ?? inForce.extension),
      extensionReason: level === "MASP1" || data.extension === false ? null : (data.extensionReason ?? inForce.extensionReason),
      // The reste à vivre and the rule 7 choice go on with the measure.
      livingMonthly: current.livingMonthly,
      reversementWhileRentShort: current.reversementWhileRentShort,
    };
    const catalogue = await catalogueInForce(tx, startDate);
    assertTerms(terms, beneficiary, catalogue);
    await assertFitsHistory(tx, beneficiary.id, terms, { except: current.id, chainFrom: current.id });

    const reviewId = uuidv7();
    await tx.insert(measureReviews).values({
      id: reviewId,
      measureId: current.id,
      reviewDate: data.review.date,
      author: data.review.author,
      outcome: "renew",
      comment: data.review.comment ?? null,
    });
    await tx.update(measures).set({ status: "renewed" }).where(eq(measures.id, current.id));
    const id = uuidv7();
    const [renewed] = await tx
      .insert(measures)
      .values({ ...newMeasureRow(id, beneficiary.id, terms, catalogue), previousMeasureId: current.id })
      .returning();
    await tx.insert(measureEvents).values([
      { measureId: current.id, type: "reviewed", effectiveDate: data.review.date, status: "active", actor: ctx.actor, data: { reviewId, outcome: "renew" } },
      { measureId: current.id, type: "renewed", effectiveDate: startDate, status: "renewed", actor: ctx.actor, data: { nextMeasureId: id } },
      {
        measureId: id,
        type: "opened",
        effectiveDate: startDate,
        status: "active",
        actor: ctx.actor,
        data: { previousMeasureId: current.id, managedPrestations: terms.managedPrestations },
      },
    ]);
    if (terms.level === "MASP2") await ensureAccounts(tx, [envelopeAccount(beneficiary.id, "rent"), envelopeAccount(beneficiary.id, "available")]);
    await recordAudit(tx, ctx, {
      action: "measure.renew",
      entityType: "measure",
      entityId: id,
      beneficiaryId: beneficiary.id,
      changes: { previousMeasureId: current.id, startDate, endDate: terms.endDate, reviewId, level, previousLevel: current.level },
    });
    return renewed!;
  });
}
