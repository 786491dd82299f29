import type { z } from "zod";
import { planCredit } from "../../domain/credit-plan";
import { NotFoundError } from "../../domain/errors";
import { catalogueInForce } from "../catalogue";
import type { ServiceContext } from "../context";
import { loadCreditStates } from "./credit-state";
import type { RecordCreditInput } from "./record-credit";

/** What a credit would be allocated to, without writing anything (the form's preview). */
export async function previewCredit({ ctx, data }: { ctx: ServiceContext; data: z.output<typeof RecordCreditInput> }) {
  const state = (await loadCreditStates(ctx.db, [data.beneficiaryId], { lock: false })).get(data.beneficiaryId);
  if (!state) throw new NotFoundError("beneficiary", data.beneficiaryId);
  const { plan, measure } = planCredit(state, data, await catalogueInForce(ctx.db, data.valueDate));
  return { data, plan, measureId: measure.id };
}
