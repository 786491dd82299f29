import { eq } from "drizzle-orm";
import type { Tx } from "../../db/client";
import { paymentOrders } from "../../db/schema/payments";
import { runText, uuidArray } from "../../db/sql";
import { withTransaction } from "../../db/transaction";
import { ConflictError, fieldError, NotFoundError } from "../../domain/errors";
import { allowedFrom, ORDER_TRANSITIONS } from "../../domain/payment-order-life";
import type { PaymentStatus } from "../../domain/payment-plans";
import { PAYMENTS_IN_TRANSIT } from "../../ledger/accounts";
import { type PostInput, postMany } from "../../ledger/post";
import { caseloadOf } from "../access";
import type { ServiceContext } from "../context";
import { paymentOrderView } from "../payments/payment-orders";
import { CalendarDate } from "../schemas";
import { ACCOUNT_OF_BENEFICIARY_SQL } from "./bank-accounts";

export interface SettlementItem {
  orderId: string;
  /** The bank's date: the ledger's value date and the order's status date. */
  date: string;
}

export interface SettlementOptions {
  /** Paid by hand before go-live: settled from `pending` (the first file never pays it twice). */
  outside?: boolean;
  /** Orders per database transaction. */
  chunkSize?: number;
  /** Chunks written at once (default 2). */
  parallel?: number;
}

/**
 * What became of each order asked: `settled` now, `already_settled` (by an earlier
 * call: a statement imported twice changes nothing), `not_found` (unknown, or outside
 * the caller's caseload), or `conflict` (its status does not allow it).
 */
export interface SettlementOutcome {
  orderId: string;
  outcome: "settled" | "already_settled" | "not_found" | "conflict";
  status?: PaymentStatus;
  transactionId?: string;
}

const STEP = ORDER_TRANSITIONS.settle;
const DEFAULT_CHUNK = 2_000;

/**
 * The chunk's orders locked in id order (two overlapping calls queue, never deadlock),
 * with the ledger account of the bank each leaves from. `$1` ids, `$2` the caseload
 * (null: everyone).
 */
const LOCK_SQL = `select o.id, o.status, o.amount::text as amount, o.kind, o.period, o.beneficiary_id,
       a.id as bank_account_id, a.ledger_address
  from payment_orders o
  join beneficiaries b on b.id = o.beneficiary_id
  join bank_accounts a on a.id = coalesce(o.bank_account_id, ${ACCOUNT_OF_BENEFICIARY_SQL})
 where o.id = any($1::uuid[]) and ($2::uuid is null or b.caseworker_id = $2::uuid)
 order by o.id
 for update of o`;

const MARK_SETTLED_SQL = `update payment_orders o set status = 'settled', status_date = x.date, reason_code = null, bank_account_id = x.bank
  from unnest($1::uuid[], $2::date[], $3::uuid[]) as x(id, date, bank)
 where o.id = x.id`;

/** One audit row per order, in one statement (the order's history reads them by beneficiary). */
const AUDIT_SQL = `insert into audit_log (actor, role, request_id, action, entity_type, entity_id, beneficiary_id, changes)
  select $1, $2, $3, 'payment_order.settle', 'payment_order', x.entity_id, x.beneficiary_id, x.changes
    from jsonb_to_recordset($4::jsonb) as x(entity_id uuid, beneficiary_id uuid, changes jsonb)`;

interface LockedOrder {
  id: string;
  status: PaymentStatus;
  amount: string;
  kind: string;
  period: string | null;
  beneficiary_id: string;
  bank_account_id: string;
  ledger_address: string;
}

/**
 * Settles one chunk inside the caller's transaction: the orders locked, every ledger
 * transaction (`payments:in-transit` → `bank:<account>`) in one call of the ledger
 * writer, every status in one UPDATE, every audit row in one INSERT. The ledger key
 * names the order and the step (`payment-order:<id>:settled`, the same as every other
 * settlement), so nothing is ever posted twice.
 */
async function settleChunk(tx: Tx, ctx: ServiceContext, items: readonly SettlementItem[], outside: boolean): Promise<SettlementOutcome[]> {
  const dateOf = new Map<string, string>();
  for (const item of items) if (!dateOf.has(item.orderId)) dateOf.set(item.orderId, item.date);
  const locked = await runText<LockedOrder>(tx, LOCK_SQL, [uuidArray(dateOf.keys()), caseloadOf(ctx)]);
  const from = allowedFrom("settle", outside);
  const outcomes = new Map<string, SettlementOutcome>();
  const moving: LockedOrder[] = [];
  for (const order of locked) {
    if (from.includes(order.status)) moving.push(order);
    else outcomes.set(order.id, { orderId: order.id, outcome: order.status === STEP.to ? "already_settled" : "conflict", status: order.status });
  }
  if (moving.length > 0) {
    const posts: PostInput[] = moving.map((o) => ({
      kind: `payment.${STEP.to}`,
      valueDate: dateOf.get(o.id)!,
      description: `Ordre de paiement ${o.kind} ${o.period ?? ""} : ${STEP.to}`.trim(),
      idempotencyKey: `payment-order:${o.id}:${STEP.to}`,
      actor: ctx.actor,
      beneficiaryId: o.beneficiary_id,
      metadata: { paymentOrderId: o.id, ...(outside ? { outside: true } : {}) },
      postings: [
        { account: PAYMENTS_IN_TRANSIT, direction: "debit", amount: BigInt(o.amount) },
        { account: o.ledger_address, direction: "credit", amount: BigInt(o.amount) },
      ],
    }));
    const posted = await postMany(tx, posts);
    await runText(tx, MARK_SETTLED_SQL, [
      `{${moving.map((o) => o.id).join(",")}}`,
      `{${moving.map((o) => dateOf.get(o.id)).join(",")}}`,
      `{${moving.map((o) => o.bank_account_id).join(",")}}`,
    ]);
    const audit = moving.map((o, i) => ({
      entity_id: o.id,
      beneficiary_id: o.beneficiary_id,
      changes: {
        from: o.status,
        to: STEP.to,
        date: dateOf.get(o.id),
        transactionId: posted[i]!.transactionId,
        ...(outside ? { outside: true } : {}),
      },
    }));
    await runText(tx, AUDIT_SQL, [ctx.actor, ctx.role, ctx.requestId ?? null, JSON.stringify(audit)]);
    moving.forEach((o, i) => {
      outcomes.set(o.id, { orderId: o.id, outcome: "settled", status: STEP.to, transactionId: posted[i]!.transactionId });
    });
  }
  // Asked twice in one call: the second answer is the first's result seen again.
  const seen = new Set<string>();
  return items.map(({ orderId }) => {
    const found = outcomes.get(orderId) ?? { orderId, outcome: "not_found" as const };
    if (seen.has(orderId) && found.outcome === "settled") return { ...found, outcome: "already_settled" as const };
    seen.add(orderId);
    return found;
  });
}

function assertDates(ctx: ServiceContext, items: readonly SettlementItem[]): void {
  const today = ctx.today();
  for (const item of items) {
    const parsed = CalendarDate.safeParse(item.date);
    if (!parsed.success) throw fieldError("date", parsed.error.issues[0]?.message ?? "invalid date", "invalid_date");
    if (item.date > today) throw fieldError("date", "the date is in the future", "in_the_future");
  }
}

/**
 * Settles many sent orders at once (the bank statement import, a payday's debits): one
 * database transaction per chunk of orders, set-based inside (see `settleChunk`).
 * Idempotent (an order settled already answers `already_settled` and moves no money)
 * and safe against concurrent calls and single settlements (the order's row lock; the
 * later one finds it settled). An order that cannot be settled does not stop the
 * others: each gets its outcome. A date in the future refuses the whole call before
 * anything is written.
 */
export async function settleOrders(ctx: ServiceContext, items: readonly SettlementItem[], options: SettlementOptions = {}): Promise<SettlementOutcome[]> {
  assertDates(ctx, items);
  const size = options.chunkSize ?? DEFAULT_CHUNK;
  const chunks: SettlementOutcome[][] = [];
  let next = 0;
  // Chunks touch no balance row (in transit and bank accounts keep none), so two lanes
  // keep both cores busy while one chunk commits; an order named in two chunks queues on its row lock.
  const lane = async () => {
    for (let i = next; i * size < items.length; i = next) {
      next += 1;
      const chunk = items.slice(i * size, (i + 1) * size);
      chunks[i] = await withTransaction(ctx.db, (tx) => settleChunk(tx, ctx, chunk, options.outside ?? false));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.parallel ?? 2) }, lane));
  return chunks.flat();
}

/**
 * `POST /v1/payment-orders/{id}/settlement`: the bulk path for one order, answering
 * 404 or 409 (settled already included: the verb is not a replay) with the order.
 */
export async function settleOne(ctx: ServiceContext, id: string, data: { date: string; outside?: boolean }) {
  assertDates(ctx, [{ orderId: id, date: data.date }]);
  const outside = data.outside ?? false;
  return withTransaction(ctx.db, async (tx) => {
    const [outcome] = await settleChunk(tx, ctx, [{ orderId: id, date: data.date }], outside);
    if (!outcome || outcome.outcome === "not_found") throw new NotFoundError("payment order", id);
    if (outcome.outcome !== "settled") {
      const from = allowedFrom("settle", outside);
      throw new ConflictError(`the order is ${outcome.status}; it can be ${STEP.to} only from ${from.join(" or ")}`, {
        status: outcome.status,
        allowedFrom: from,
      });
    }
    const [row] = await tx.select().from(paymentOrders).where(eq(paymentOrders.id, id));
    return paymentOrderView(row!);
  });
}
