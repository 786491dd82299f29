import { loadBeneficiary } from "../access";
import { recordAudit, type ServiceContext } from "../context";

/** Opening a person's record is traced (docs/domain.md, "Personal data"): who read whom, when. */
export async function readBeneficiary({ ctx, id }: { ctx: ServiceContext; id: string }) {
  const row = await loadBeneficiary(ctx.db, ctx, id);
  await recordAudit(ctx.db, ctx, { action: "beneficiary.read", entityType: "beneficiary", entityId: id, beneficiaryId: id });
  return row;
}
