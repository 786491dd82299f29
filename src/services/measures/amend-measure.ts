import { eq } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import { z } from "zod";
import { measureAmendments, measureEvents, measures } from "../../db/schema/measures";
import { withTransaction } from "../../db/transaction";
import { spanCovers } from "../../domain/date-range";
import { ConflictError, fieldError, ValidationError } from "../../domain/errors";
import { extensionOn, managedOn } from "../../domain/in-force";
import { distinctCodes, endDateProblems, prestationProblems, upperCodes } from "../../domain/measure-terms";
import { loadBeneficiary } from "../access";
import { catalogueVersion } from "../catalogue";
import { recordAudit, type ServiceContext } from "../context";
import { CalendarDate, Text } from "../schemas";
import { assertFitsHistory } from "./assert-fits-history";
import { loadMeasure } from "./load-measure";

export const AmendMeasureInput = z.object({
  effectiveDate: CalendarDate,
  reason: Text({ min: 1, max: 2000, multiline: true }),
  managedPrestations: z
    .array(Text({ max: 40 }))
    .max(40)
    .optional(),
  extension: z.boolean().optional(),
  extensionReason: Text({ min: 1, max: 2000, multiline: true }).nullish(),
  /** A new end date for the contract period: the period stays within 6–24 months, the measure within 4 years. */
  endDate: CalendarDate.optional(),
  /** A change of the budget plan agreed in the avenant (charges themselves are dated records). */
  budgetPlanNote: Text({ min: 1, max: 4000, multiline: true }).optional(),
});
export type AmendMeasureInput = z.input<typeof AmendMeasureInput>;

/** An avenant: a dated change, kept in history; what was in force before stays visible. */
export async function amendMeasure({ ctx, measureId, data }: { ctx: ServiceContext; measureId: string; data: z.output<typeof AmendMeasureInput> }) {
  if (data.managedPrestations === undefined && data.extension === undefined && data.budgetPlanNote === undefined && data.endDate === undefined) {
    throw new ValidationError("an amendment changes something", [
      { field: "(body)", message: "give managedPrestations, extension, endDate or budgetPlanNote" },
    ]);
  }
  return withTransaction(ctx.db, async (tx) => {
    const loaded = await loadMeasure(tx, ctx, measureId, { lock: true });
    const { measure } = loaded;
    if (measure.status === "ended") throw new ConflictError("an ended measure cannot be amended");
    if (!spanCovers(measure, data.effectiveDate)) {
      throw fieldError("effectiveDate", "the amendment takes effect within the contract period");
    }
    const beneficiary = await loadBeneficiary(tx, ctx, measure.beneficiaryId);
    const current = extensionOn(loaded.amendments, loaded.measure, data.effectiveDate);
    const extension = data.extension ?? current.extension;
    if (data.endDate !== undefined && measure.status !== "active") {
      throw new ConflictError(`only an active period's end date can be changed (this one is ${measure.status})`, { status: measure.status });
    }
    const terms = {
      level: measure.level,
      startDate: measure.startDate,
      endDate: data.endDate ?? measure.endDate,
      managedPrestations: upperCodes(data.managedPrestations ?? managedOn(loaded.amendments, loaded.measure, data.effectiveDate)),
      extension,
      extensionReason: extension ? (data.extensionReason ?? current.extensionReason) : null,
    };
    const issues = [
      ...(data.endDate === undefined ? [] : endDateProblems(terms, data.effectiveDate)),
      ...prestationProblems(terms, beneficiary, await catalogueVersion(tx, measure.catalogueVersion)),
    ];
    if (issues.length > 0) throw new ValidationError("the amendment breaks the rules of the MASP", issues);
    if (data.endDate !== undefined) {
      await assertFitsHistory(tx, measure.beneficiaryId, terms, { except: measure.id, chainFrom: measure.previousMeasureId });
      await tx.update(measures).set({ endDate: data.endDate }).where(eq(measures.id, measureId));
    }
    const id = uuidv7();
    const [amendment] = await tx
      .insert(measureAmendments)
      .values({
        id,
        measureId,
        effectiveDate: data.effectiveDate,
        reason: data.reason,
        managedPrestations: data.managedPrestations ? distinctCodes(terms.managedPrestations) : null,
        extension: data.extension ?? null,
        extensionReason: data.extension !== undefined ? (terms.extensionReason ?? null) : null,
        budgetPlanNote: data.budgetPlanNote ?? null,
        endDate: data.endDate ?? null,
        previousEndDate: data.endDate === undefined ? null : measure.endDate,
        actor: ctx.actor,
      })
      .returning();
    await tx
      .insert(measureEvents)
      .values({ measureId, type: "amended", effectiveDate: data.effectiveDate, status: measure.status, actor: ctx.actor, data: { amendmentId: id } });
    await recordAudit(tx, ctx, {
      action: "measure.amend",
      entityType: "measure",
      entityId: measureId,
      beneficiaryId: measure.beneficiaryId,
      changes: {
        amendmentId: id,
        effectiveDate: data.effectiveDate,
        managedPrestations: amendment!.managedPrestations,
        extension: amendment!.extension,
        endDate: amendment!.endDate,
        previousEndDate: amendment!.previousEndDate,
      },
    });
    return amendment!;
  });
}
