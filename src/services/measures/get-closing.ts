import { eq } from "drizzle-orm";
import { measureClosings } from "../../db/schema/measures";
import { paymentOrders } from "../../db/schema/payments";
import { NotFoundError } from "../../domain/errors";
import { traceAccess } from "../audit/access-log";
import type { ServiceContext } from "../context";
import { closingView } from "./close-measure";
import { loadMeasure } from "./load-measure";

/** A measure's closing with its frozen final statement; within the caller's caseload (404 before the closing). */
export async function getClosing({ ctx, measureId }: { ctx: ServiceContext; measureId: string }) {
  const { measure } = await loadMeasure(ctx.db, ctx, measureId);
  const [closing] = await ctx.db.select().from(measureClosings).where(eq(measureClosings.measureId, measureId));
  if (!closing) throw new NotFoundError("closing of measure", measureId);
  const finals = await ctx.db
    .select({ id: paymentOrders.id, amount: paymentOrders.amount, method: paymentOrders.method, naturalKey: paymentOrders.naturalKey })
    .from(paymentOrders)
    .where(eq(paymentOrders.measureId, measureId));
  await traceAccess(ctx, { action: "beneficiary.read", beneficiaryId: measure.beneficiaryId, details: { measureId, what: "closing" } });
  return {
    ...closingView(measureId, {
      cancelledOrders: closing.cancelledOrders,
      finalOrders: finals.filter((o) => o.naturalKey.startsWith(`final:${measureId}:`)),
      held: closing.held,
      payers: closing.payers,
    }),
    closedOn: closing.closedOn,
    pendingOrders: closing.pendingOrders,
    finalPayment: closing.finalPayment,
    statement: closing.statement as unknown as Record<string, unknown>,
  };
}
