import { eq } from "drizzle-orm";
import { z } from "zod";
import { measures } from "../../db/schema/measures";
import { withTransaction } from "../../db/transaction";
import { ConflictError } from "../../domain/errors";
import { recordAudit, type ServiceContext } from "../context";
import { Cents } from "../schemas";
import { loadMeasure } from "./load-measure";

/**
 * The measure's two money rules of issue 15: the reste à vivre a month (rule 6), and
 * whether the reversement is paid while this month's rent is short (rule 7, opt-out).
 * Both apply from the next credit or job run; what was allocated stays as it was.
 */
export const SetBudgetRulesInput = z
  .object({
    livingMonthly: Cents.optional(),
    reversementWhileRentShort: z.boolean().optional(),
  })
  .strict();

export async function setBudgetRules({ ctx, measureId, data }: { ctx: ServiceContext; measureId: string; data: z.output<typeof SetBudgetRulesInput> }) {
  return withTransaction(ctx.db, async (tx) => {
    const { measure } = await loadMeasure(tx, ctx, measureId, { lock: true });
    if (measure.status !== "active") throw new ConflictError("only a measure in force takes new budget rules");
    const changes = {
      livingMonthly: data.livingMonthly ?? measure.livingMonthly,
      reversementWhileRentShort: data.reversementWhileRentShort ?? measure.reversementWhileRentShort,
    };
    await tx.update(measures).set(changes).where(eq(measures.id, measureId));
    await recordAudit(tx, ctx, {
      action: "measure.budget_rules",
      entityType: "measure",
      entityId: measureId,
      beneficiaryId: measure.beneficiaryId,
      changes: { livingMonthly: String(changes.livingMonthly), reversementWhileRentShort: changes.reversementWhileRentShort },
    });
  });
}
