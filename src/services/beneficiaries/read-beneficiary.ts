import { loadBeneficiary } from "../access";
import { traceAccess } from "../audit/access-log";
import type { ServiceContext } from "../context";

/** Opening a person's record is traced (docs/domain.md, "Personal data"): who read whom, when, from where. */
export async function readBeneficiary({ ctx, id }: { ctx: ServiceContext; id: string }) {
  const row = await loadBeneficiary(ctx.db, ctx, id);
  await traceAccess(ctx, { action: "beneficiary.read", beneficiaryId: id });
  return row;
}
