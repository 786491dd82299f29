import { and, asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { charges } from "../../db/schema/charges";
import { withTransaction } from "../../db/transaction";
import { resolveMonths } from "../../domain/charge-schedule";
import { endBeforeStartIssues } from "../../domain/date-range";
import { NotFoundError, ValidationError } from "../../domain/errors";
import { loadBeneficiary } from "../access";
import { recordAudit, type ServiceContext } from "../context";
import { ChargeFields, chargeView } from "./add-charge";

export const UpdateChargeInput = z
  .object({ ...ChargeFields, frequency: ChargeFields.frequency.unwrap() })
  .omit({ startDate: true, category: true })
  .partial()
  .strict();
export type UpdateChargeInput = z.input<typeof UpdateChargeInput>;

/** Changes a charge; ending it is setting `endDate`. The trail keeps old and new amounts. */
export async function updateCharge({
  ctx,
  beneficiaryId,
  chargeId,
  data,
}: {
  ctx: ServiceContext;
  beneficiaryId: string;
  chargeId: string;
  data: z.output<typeof UpdateChargeInput>;
}) {
  if (Object.keys(data).length === 0) throw new ValidationError("nothing to update", [{ field: "(body)", message: "no field given" }]);
  return withTransaction(ctx.db, async (tx) => {
    await loadBeneficiary(tx, ctx, beneficiaryId);
    const [before] = await tx
      .select()
      .from(charges)
      .where(and(eq(charges.id, chargeId), eq(charges.beneficiaryId, beneficiaryId)))
      .for("update");
    if (!before) throw new NotFoundError("charge", chargeId);
    const frequency = data.frequency ?? before.frequency;
    const { months, issues } =
      data.frequency !== undefined || data.months !== undefined
        ? resolveMonths(frequency, data.months, before.startDate)
        : { months: before.months, issues: [] };
    issues.push(...endBeforeStartIssues(before.startDate, data.endDate));
    if (issues.length) throw new ValidationError("the charge is invalid", issues);
    const { creditor, ...rest } = data;
    const [row] = await tx
      .update(charges)
      .set({
        ...rest,
        frequency,
        months,
        ...(creditor ? { creditorName: creditor.name, creditorIban: creditor.iban, creditorAddress: creditor.address ?? null } : {}),
        updatedAt: sql`now()`,
      })
      .where(eq(charges.id, chargeId))
      .returning();
    await recordAudit(tx, ctx, {
      action: "charge.update",
      entityType: "charge",
      entityId: chargeId,
      beneficiaryId,
      changes: {
        fields: Object.keys(data).sort(),
        ...(data.amount !== undefined ? { amount: { from: String(before.amount), to: String(row!.amount) } } : {}),
        ...(data.priority !== undefined ? { priority: { from: before.priority, to: row!.priority } } : {}),
        ...(data.endDate !== undefined ? { endDate: { from: before.endDate, to: row!.endDate } } : {}),
        // The business audit keeps both IBANs (four eyes); lists show them masked.
        ...(before.creditorIban !== row!.creditorIban ? { creditorIban: { from: before.creditorIban, to: row!.creditorIban } } : {}),
      },
    });
    return chargeView(row!);
  });
}

export async function listCharges({ ctx, beneficiaryId }: { ctx: ServiceContext; beneficiaryId: string }) {
  await loadBeneficiary(ctx.db, ctx, beneficiaryId);
  const rows = await ctx.db.select().from(charges).where(eq(charges.beneficiaryId, beneficiaryId)).orderBy(asc(charges.priority), asc(charges.createdAt));
  return rows.map(chargeView);
}
