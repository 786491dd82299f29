import { and, eq } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import { z } from "zod";
import type { Executor, Tx } from "../../db/client";
import { beneficiaries } from "../../db/schema/beneficiaries";
import { paymentOrders } from "../../db/schema/payments";
import { runText, toBigInt } from "../../db/sql";
import { withTransaction } from "../../db/transaction";
import { ConflictError, DomainError, fieldError, NotFoundError } from "../../domain/errors";
import { centsToJson } from "../../domain/money";
import type { PaymentMethod } from "../../domain/payment-plans";
import { cashBoxAccount, ensureAccounts, PAYMENTS_IN_TRANSIT } from "../../ledger/accounts";
import { post } from "../../ledger/post";
import { caseloadFilter } from "../access";
import { recordAudit, type ServiceContext } from "../context";
import { paymentOrderView } from "../payments/payment-orders";
import { CalendarDate, Text } from "../schemas";
import { bankAccountFor } from "./bank-accounts";

/** A cheque's number as printed on the chequebook (statements name the cheque by it). */
const ChequeNumber = z.string().regex(/^[0-9]{1,12}$/, "the cheque's number: 1 to 12 digits");

export const ChequeInput = z.object({ number: ChequeNumber, date: CalendarDate }).strict();
export type ChequeInput = z.input<typeof ChequeInput>;

export const HandoverInput = z.object({ receiptNumber: Text({ min: 1, max: 35 }), date: CalendarDate }).strict();
export type HandoverInput = z.input<typeof HandoverInput>;

type OrderRow = typeof paymentOrders.$inferSelect;

/** The order locked, within the caseload; pending and of this method, else 409 naming what it is. */
async function lockPendingOrder(tx: Tx, ctx: ServiceContext, id: string, method: PaymentMethod): Promise<OrderRow> {
  const [row] = await tx
    .select({ order: paymentOrders })
    .from(paymentOrders)
    .innerJoin(beneficiaries, eq(beneficiaries.id, paymentOrders.beneficiaryId))
    .where(and(eq(paymentOrders.id, id), caseloadFilter(ctx)))
    .for("update", { of: paymentOrders });
  if (!row) throw new NotFoundError("payment order", id);
  if (row.order.method !== method) {
    throw new ConflictError(`the order is paid by ${row.order.method}, not by ${method}`, { method: row.order.method });
  }
  if (row.order.status !== "pending") {
    throw new ConflictError(`the order is ${row.order.status}; only a pending order can be handed over`, {
      status: row.order.status,
      allowedFrom: ["pending"],
    });
  }
  return row.order;
}

/** The cash box of a bank account, created on first use. */
async function cashBoxOf(executor: Executor, bankAccountId: string): Promise<string> {
  const [account] = await runText<{ address: string; name: string }>(executor, "select ledger_address as address, name from bank_accounts where id = $1", [
    bankAccountId,
  ]);
  if (!account) throw new NotFoundError("bank account", bankAccountId);
  const spec = cashBoxAccount(account.address, account.name);
  await ensureAccounts(executor, [spec]);
  return spec.address;
}

/**
 * A cheque written and handed over: the pending order becomes `sent` with its number
 * (no posting: the money stays in transit until the cheque's debit appears on the
 * statement, then `/settlement`). One number per bank account (409 when taken).
 */
export async function issueCheque({ ctx, id, data }: { ctx: ServiceContext; id: string; data: z.output<typeof ChequeInput> }) {
  if (data.date > ctx.today()) throw fieldError("date", "the date is in the future", "in_the_future");
  return withTransaction(ctx.db, async (tx) => {
    const order = await lockPendingOrder(tx, ctx, id, "cheque");
    const bankAccountId = order.bankAccountId ?? (await bankAccountFor(tx, order.beneficiaryId)).id;
    // Two cheques given the same number at once: the second waits here, then finds the first.
    await runText(tx, "select pg_advisory_xact_lock(hashtext($1))", [`cheque:${bankAccountId}:${data.number}`]);
    const [taken] = await tx
      .select({ id: paymentOrders.id })
      .from(paymentOrders)
      .where(and(eq(paymentOrders.bankAccountId, bankAccountId), eq(paymentOrders.chequeNumber, data.number)));
    if (taken) throw new ConflictError(`cheque number ${data.number} is already used on this account`, { chequeNumber: data.number }, "conflict");
    const [updated] = await tx
      .update(paymentOrders)
      .set({ status: "sent", statusDate: data.date, chequeNumber: data.number, bankAccountId })
      .where(eq(paymentOrders.id, id))
      .returning();
    await recordAudit(tx, ctx, {
      action: "payment_order.cheque",
      entityType: "payment_order",
      entityId: id,
      beneficiaryId: order.beneficiaryId,
      changes: { from: order.status, to: "sent", date: data.date, chequeNumber: data.number },
    });
    return paymentOrderView(updated!);
  });
}

/**
 * Cash handed over against a receipt: the pending cash order is `settled` at once, its
 * money leaving the cash box of its bank account (payments in transit → `cash:<id>`).
 * The box never goes below zero: 409 with what it holds.
 */
export async function handOverCash({ ctx, id, data }: { ctx: ServiceContext; id: string; data: z.output<typeof HandoverInput> }) {
  if (data.date > ctx.today()) throw fieldError("date", "the date is in the future", "in_the_future");
  return withTransaction(ctx.db, async (tx) => {
    const order = await lockPendingOrder(tx, ctx, id, "cash");
    const bankAccountId = order.bankAccountId ?? (await bankAccountFor(tx, order.beneficiaryId)).id;
    const cashBox = await cashBoxOf(tx, bankAccountId);
    const [box] = await runText<{ balance: string }>(tx, "select balance::text as balance from ledger_accounts where address = $1 for update", [cashBox]);
    const held = toBigInt(box?.balance ?? "0");
    if (held < order.amount) {
      throw new DomainError("insufficient_funds", `the cash box holds ${held} cents, less than the ${order.amount} to hand over: withdraw cash first`, {
        cashBox,
        held: centsToJson(held),
        amount: centsToJson(order.amount),
      });
    }
    const transactionId = uuidv7();
    await post(tx, {
      id: transactionId,
      kind: "payment.settled",
      valueDate: data.date,
      description: `Remise d'espèces, reçu ${data.receiptNumber}`,
      idempotencyKey: `payment-order:${id}:settled`,
      actor: ctx.actor,
      beneficiaryId: order.beneficiaryId,
      metadata: { paymentOrderId: id, method: "cash", receiptNumber: data.receiptNumber },
      postings: [
        { account: PAYMENTS_IN_TRANSIT, direction: "debit", amount: order.amount },
        { account: cashBox, direction: "credit", amount: order.amount },
      ],
    });
    const [updated] = await tx
      .update(paymentOrders)
      .set({ status: "settled", statusDate: data.date, receiptNumber: data.receiptNumber, bankAccountId })
      .where(eq(paymentOrders.id, id))
      .returning();
    await recordAudit(tx, ctx, {
      action: "payment_order.handover",
      entityType: "payment_order",
      entityId: id,
      beneficiaryId: order.beneficiaryId,
      changes: { from: order.status, to: "settled", date: data.date, receiptNumber: data.receiptNumber, transactionId, cashBox },
    });
    return paymentOrderView(updated!);
  });
}
