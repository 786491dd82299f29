import { and, eq } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import type { Tx } from "../../db/client";
import { beneficiaries } from "../../db/schema/beneficiaries";
import { alerts } from "../../db/schema/jobs";
import { paymentOrders } from "../../db/schema/payments";
import { runText } from "../../db/sql";
import { withTransaction } from "../../db/transaction";
import { ConflictError, fieldError, NotFoundError } from "../../domain/errors";
import { centsToJson } from "../../domain/money";
import { allowedFrom, ORDER_TRANSITIONS, type OrderTransition } from "../../domain/payment-order-life";
import { reasonLabel } from "../../domain/payment-reasons";
import { PAYMENTS_IN_TRANSIT } from "../../ledger/accounts";
import { post } from "../../ledger/post";
import { caseloadFilter } from "../access";
import { recordAudit, type ServiceContext } from "../context";
import { paymentOrderView } from "../payments/payment-orders";
import { bankAccountFor } from "./bank-accounts";

export interface TransitionInput {
  /** The bank's date (or the date given by hand); the ledger's value date. */
  date: string;
  reasonCode?: string;
  /** Settled outside the software (go-live): straight from pending. */
  outside?: boolean;
  /** Why an order is cancelled: kept in the audit row. */
  reason?: string;
}

const ALERT_TYPE = { reject: "payment_rejected", return: "payment_returned" } as const;

/**
 * One step in the life of an order (src/domain/payment-order-life.ts), as one
 * transaction: the order locked (concurrent steps: the first wins, the others find the
 * new status and get 409), its money moved in the ledger (the key names the order and
 * the step, so nothing is posted twice), its new status, its audit row and, for a
 * rejection or a return, a finance alert.
 */
export async function transitionOrder(ctx: ServiceContext, id: string, transition: OrderTransition, input: TransitionInput) {
  if (input.date > ctx.today()) throw fieldError("date", "the date is in the future", "in_the_future");
  const step = ORDER_TRANSITIONS[transition];
  return withTransaction(ctx.db, async (tx) => {
    const [row] = await tx
      .select({ order: paymentOrders })
      .from(paymentOrders)
      .innerJoin(beneficiaries, eq(beneficiaries.id, paymentOrders.beneficiaryId))
      .where(and(eq(paymentOrders.id, id), caseloadFilter(ctx)))
      .for("update", { of: paymentOrders });
    if (!row) throw new NotFoundError("payment order", id);
    const order = row.order;
    const from = allowedFrom(transition, input.outside);
    if (!from.includes(order.status)) {
      throw new ConflictError(`the order is ${order.status}; it can be ${step.to} only from ${from.join(" or ")}`, {
        status: order.status,
        allowedFrom: from,
      });
    }
    const bankAccountId = order.bankAccountId ?? (await bankAccountFor(tx, order.beneficiaryId)).id;
    const accounts = {
      in_transit: PAYMENTS_IN_TRANSIT,
      bank: await bankAddressOf(tx, bankAccountId),
      envelope: await envelopeOf(tx, order.ledgerTransactionId),
    };
    const transactionId = uuidv7();
    await post(tx, {
      id: transactionId,
      kind: `payment.${step.to}`,
      valueDate: input.date,
      description: `Ordre de paiement ${order.kind} ${order.period ?? ""} : ${step.to}`.trim(),
      idempotencyKey: `payment-order:${id}:${step.to}`,
      actor: ctx.actor,
      beneficiaryId: order.beneficiaryId,
      metadata: { paymentOrderId: id, ...(input.reasonCode ? { reasonCode: input.reasonCode } : {}), ...(input.outside ? { outside: true } : {}) },
      postings: [
        { account: accounts[step.debit], direction: "debit", amount: order.amount },
        { account: accounts[step.credit], direction: "credit", amount: order.amount },
      ],
    });
    const [updated] = await tx
      .update(paymentOrders)
      .set({ status: step.to, statusDate: input.date, reasonCode: input.reasonCode ?? null, bankAccountId })
      .where(eq(paymentOrders.id, id))
      .returning();
    await recordAudit(tx, ctx, {
      action: `payment_order.${transition}`,
      entityType: "payment_order",
      entityId: id,
      beneficiaryId: order.beneficiaryId,
      changes: {
        from: order.status,
        to: step.to,
        date: input.date,
        transactionId,
        ...(input.reasonCode ? { reasonCode: input.reasonCode } : {}),
        ...(input.outside ? { outside: true } : {}),
        ...(input.reason ? { reason: input.reason } : {}),
      },
    });
    if (transition === "reject" || transition === "return") {
      await tx.insert(alerts).values({
        id: uuidv7(),
        beneficiaryId: order.beneficiaryId,
        measureId: order.measureId,
        type: ALERT_TYPE[transition],
        audience: "finance",
        episode: id,
        periods: order.period ? [order.period] : [],
        // What finance needs to act on, never the IBAN (alerts go out by mail and webhook).
        evidence: {
          paymentOrderId: id,
          kind: order.kind,
          amount: centsToJson(order.amount),
          date: input.date,
          reasonCode: input.reasonCode,
          reasonLabel: input.reasonCode ? reasonLabel(input.reasonCode) : null,
        },
      });
    }
    return paymentOrderView(updated!);
  });
}

async function bankAddressOf(tx: Tx, bankAccountId: string): Promise<string> {
  const [row] = await runText<{ address: string }>(tx, "select ledger_address as address from bank_accounts where id = $1", [bankAccountId]);
  if (!row) throw new NotFoundError("bank account", bankAccountId);
  return row.address;
}

/** The envelope the order was paid from: the account its own transaction debited. */
async function envelopeOf(tx: Tx, transactionId: string): Promise<string> {
  const [row] = await runText<{ address: string }>(
    tx,
    `select a.address from ledger_postings p join ledger_accounts a on a.id = p.account_id
      where p.transaction_id = $1 and p.direction = 'debit' and a.beneficiary_id is not null`,
    [transactionId],
  );
  if (!row) throw new Error(`payment order transaction ${transactionId} debits no envelope`);
  return row.address;
}
