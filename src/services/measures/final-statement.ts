import { and, asc, eq, inArray } from "drizzle-orm";
import type { Tx } from "../../db/client";
import { credits } from "../../db/schema/credits";
import { measures } from "../../db/schema/measures";
import { paymentOrders } from "../../db/schema/payments";
import type { FinalStatement } from "../../domain/measure-closing";
import { chainOf } from "./assert-fits-history";
import type { EnvelopeBalance } from "./pay-out-envelopes";

/**
 * The final statement of the account: every credit received and every payment made
 * under the measure and the renewals it continues, and the envelopes as they stood
 * before the final payment. Read inside the closing's transaction.
 */
export async function finalStatement(
  tx: Tx,
  input: {
    measure: typeof measures.$inferSelect;
    person: { firstName: string; lastName: string };
    closedOn: string;
    envelopes: readonly EnvelopeBalance[];
    finalPaid: bigint;
    held: bigint;
  },
): Promise<FinalStatement> {
  const { measure } = input;
  const all = await tx
    .select({
      id: measures.id,
      startDate: measures.startDate,
      endDate: measures.endDate,
      endedOn: measures.endedOn,
      previousMeasureId: measures.previousMeasureId,
    })
    .from(measures)
    .where(eq(measures.beneficiaryId, measure.beneficiaryId));
  const chain = chainOf(all, measure.id);
  const ids = chain.map((m) => m.id);
  const [creditRows, orderRows] = await Promise.all([
    tx
      .select()
      .from(credits)
      .where(and(eq(credits.beneficiaryId, measure.beneficiaryId), inArray(credits.measureId, ids)))
      .orderBy(asc(credits.valueDate), asc(credits.id)),
    tx
      .select()
      .from(paymentOrders)
      .where(and(eq(paymentOrders.beneficiaryId, measure.beneficiaryId), inArray(paymentOrders.measureId, ids)))
      .orderBy(asc(paymentOrders.businessDate), asc(paymentOrders.id)),
  ]);
  const paid = orderRows.filter((o) => o.status !== "cancelled" && o.status !== "rejected" && o.status !== "returned");
  return {
    measureId: measure.id,
    person: input.person,
    from: chain.at(-1)?.startDate ?? measure.startDate,
    to: measure.endedOn ?? measure.endDate,
    endReason: measure.endReason ?? "",
    closedOn: input.closedOn,
    credits: creditRows.map((c) => ({
      valueDate: c.valueDate,
      payer: c.payer,
      prestation: c.prestation,
      reference: c.reference,
      amount: c.amount.toString(),
    })),
    payments: orderRows.map((o) => ({
      businessDate: o.businessDate,
      kind: o.kind,
      method: o.method,
      creditorName: o.creditorName,
      period: o.period,
      status: o.status,
      amount: o.amount.toString(),
    })),
    balances: input.envelopes.map((e) => ({ envelope: e.envelope, amount: e.amount.toString() })),
    totals: {
      credits: creditRows.reduce((sum, c) => sum + c.amount, 0n).toString(),
      payments: paid.reduce((sum, o) => sum + o.amount, 0n).toString(),
      finalPaid: input.finalPaid.toString(),
      held: input.held.toString(),
    },
  };
}
