import { runText } from "../../db/sql";
import { DomainError } from "../../domain/errors";
import { PAYMENT_REASON_CODES } from "../../domain/payment-reasons";
import { rejectOrder, returnOrder, settleOrder } from "../banking/order-verbs";
import { type ServiceContext, systemContext } from "../context";

export interface OrderStep {
  orderId: string;
}

const TARGET = { settle: "settled", reject: "rejected", return: "returned" } as const;

/** A reason the verbs do not know (a bank's own code) is kept as the nearest generic one. */
const knownReason = (code: string | undefined): (typeof PAYMENT_REASON_CODES)[number] =>
  (PAYMENT_REASON_CODES as readonly string[]).includes(code ?? "") ? (code as (typeof PAYMENT_REASON_CODES)[number]) : "MS03";

/**
 * Moves our orders as the bank reports them, through the order's own verbs (one
 * transaction each, its ledger key naming the step). An order already in the target
 * status counts as done (a replay, or a concurrent import): the ids returned are those
 * now in the target status; an unknown order, or one in another state, is left out.
 * The import acts for the whole association: the caseload does not bound it.
 */
export async function settleOrders(
  ctx: ServiceContext,
  steps: readonly OrderStep[],
  how: { transition: keyof typeof TARGET; date: string; reasonCode?: string },
): Promise<string[]> {
  const actor = { ...systemContext(ctx.db, ctx.actor), today: ctx.today, requestId: ctx.requestId };
  const done: string[] = [];
  for (const { orderId } of steps) {
    try {
      if (how.transition === "settle") await settleOrder({ ctx: actor, id: orderId, data: { date: how.date, outside: false } });
      else if (how.transition === "reject") await rejectOrder({ ctx: actor, id: orderId, data: { date: how.date, reasonCode: knownReason(how.reasonCode) } });
      else await returnOrder({ ctx: actor, id: orderId, data: { date: how.date, reasonCode: knownReason(how.reasonCode) } });
      done.push(orderId);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const [row] = await runText<{ status: string; method: string }>(ctx.db, "select status, method from payment_orders where id = $1", [orderId]);
      if (row?.status === TARGET[how.transition]) done.push(orderId);
      else if (row && how.transition === "settle" && row.method === "cheque" && row.status === "pending") {
        // A cheque never travels in a file: it is settled when it is cashed.
        await settleOrder({ ctx: actor, id: orderId, data: { date: how.date, outside: true } });
        done.push(orderId);
      }
    }
  }
  return done;
}
