import { eq, sql } from "drizzle-orm";
import type { z } from "zod";
import { may } from "../../auth/permissions";
import { beneficiaries } from "../../db/schema/beneficiaries";
import { withTransaction } from "../../db/transaction";
import { fieldError, ValidationError } from "../../domain/errors";
import { birthDateIssue } from "../../domain/measure-rules";
import { loadBeneficiary } from "../access";
import { recordAudit, type ServiceContext } from "../context";
import { assertCaseworker } from "./assert-caseworker";
import { BeneficiaryFields } from "./create-beneficiary";

export const UpdateBeneficiaryInput = BeneficiaryFields.partial().strict();
export type UpdateBeneficiaryInput = z.input<typeof UpdateBeneficiaryInput>;

export async function updateBeneficiary({ ctx, id, data }: { ctx: ServiceContext; id: string; data: z.output<typeof UpdateBeneficiaryInput> }) {
  if (Object.keys(data).length === 0) throw new ValidationError("nothing to update", [{ field: "(body)", message: "no field given" }]);
  if (data.birthDate && birthDateIssue(data.birthDate, ctx.today()) !== null) {
    throw fieldError("birthDate", "the beneficiary must be 18 or older", "under_18");
  }
  if (!may(ctx.role, "beneficiary.assign") && data.caseworkerId !== undefined && data.caseworkerId !== ctx.userId) {
    throw fieldError("caseworkerId", "a caseworker cannot hand a beneficiary over; ask an administrator", "forbidden_reassignment");
  }
  return withTransaction(ctx.db, async (tx) => {
    const before = await loadBeneficiary(tx, ctx, id, { lock: true });
    if (data.caseworkerId) await assertCaseworker(tx, data.caseworkerId);
    const [row] = await tx
      .update(beneficiaries)
      .set({ ...data, updatedAt: sql`now()` })
      .where(eq(beneficiaries.id, id))
      .returning();
    const changed = (Object.keys(data) as (keyof typeof data)[]).filter((k) => before[k] !== row![k]);
    await recordAudit(tx, ctx, {
      action: "beneficiary.update",
      entityType: "beneficiary",
      entityId: id,
      beneficiaryId: id,
      changes: {
        fields: changed,
        ...(changed.includes("caseworkerId") ? { caseworkerId: { from: before.caseworkerId, to: row!.caseworkerId } } : {}),
        // The business audit keeps both IBANs (four eyes); lists show them masked.
        ...(changed.includes("iban") ? { iban: { from: before.iban, to: row!.iban } } : {}),
      },
    });
    return row!;
  });
}
