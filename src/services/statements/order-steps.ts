import { runText } from "../../db/sql";
import { DomainError } from "../../domain/errors";
import { PAYMENT_REASON_CODES } from "../../domain/payment-reasons";
import { rejectOrder, returnOrder } from "../banking/order-verbs";
import { settleOrders } from "../banking/settle-orders";
import { type ServiceContext, systemContext } from "../context";

const TARGET = { reject: "rejected", return: "returned" } as const;

/** A reason the verbs do not know (a bank's own code) is kept as the nearest generic one. */
const knownReason = (code: string | undefined): (typeof PAYMENT_REASON_CODES)[number] =>
  (PAYMENT_REASON_CODES as readonly string[]).includes(code ?? "") ? (code as (typeof PAYMENT_REASON_CODES)[number]) : "MS03";

/** The import acts for the whole association: the caseload does not bound it. */
const associationContext = (ctx: ServiceContext): ServiceContext => ({ ...systemContext(ctx.db, ctx.actor), today: ctx.today, requestId: ctx.requestId });

/**
 * Orders a bank reports rejected (pain.002) or returned (a credit line with a return
 * reason), through the order's own verbs (one transaction each, its ledger key naming the
 * step): they are a few a statement. An order already in the target status counts as
 * done (a replay, or a concurrent import): the ids returned are those now in the target
 * status; an unknown order, or one in another state, is left out.
 */
export async function rejectOrReturnOrders(
  ctx: ServiceContext,
  orderIds: readonly string[],
  how: { transition: keyof typeof TARGET; date: string; reasonCode?: string },
): Promise<string[]> {
  const actor = associationContext(ctx);
  const done: string[] = [];
  for (const orderId of orderIds) {
    try {
      const data = { date: how.date, reasonCode: knownReason(how.reasonCode) };
      if (how.transition === "reject") await rejectOrder({ ctx: actor, id: orderId, data });
      else await returnOrder({ ctx: actor, id: orderId, data });
      done.push(orderId);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const [row] = await runText<{ status: string }>(ctx.db, "select status from payment_orders where id = $1", [orderId]);
      if (row?.status === TARGET[how.transition]) done.push(orderId);
    }
  }
  return done;
}

/**
 * The orders the statement's debit lines pay, settled through the bulk settlement
 * (`settleOrders` of services/banking: one transaction per chunk, set-based inside).
 * Each line's orders are a set of ids; the answer is, per line in the same order, the
 * ids now settled (settled by this call or earlier: a replay). A cheque never travels in
 * a file: one still `pending` is settled when it is cashed (`outside`). A line dated
 * after today (never a real statement) settles nothing and goes to suspense.
 */
export async function settleStatementOrders(
  ctx: ServiceContext,
  lines: readonly { date: string; orderIds: readonly string[]; cheque: boolean }[],
): Promise<string[][]> {
  const actor = associationContext(ctx);
  const today = ctx.today();
  const items = lines.flatMap((l) => (l.date <= today ? l.orderIds.map((orderId) => ({ orderId, date: l.date })) : []));
  if (items.length === 0) return lines.map(() => []);
  const settled = new Set<string>();
  const conflicts = new Set<string>();
  for (const o of await settleOrders(actor, items)) {
    if (o.outcome === "settled" || o.outcome === "already_settled") settled.add(o.orderId);
    else if (o.outcome === "conflict" && o.status === "pending") conflicts.add(o.orderId);
  }
  const cheques = lines.flatMap((l) =>
    l.cheque && l.date <= today ? l.orderIds.filter((id) => conflicts.has(id)).map((orderId) => ({ orderId, date: l.date })) : [],
  );
  if (cheques.length) {
    for (const o of await settleOrders(actor, cheques, { outside: true })) {
      if (o.outcome === "settled" || o.outcome === "already_settled") settled.add(o.orderId);
    }
  }
  return lines.map((l) => (l.date <= today ? [...new Set(l.orderIds)].filter((id) => settled.has(id)) : []));
}
