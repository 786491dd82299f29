import { v7 as uuidv7 } from "uuid";
import { z } from "zod";
import type { Tx } from "../../db/client";
import { paymentOrders } from "../../db/schema/payments";
import { runText } from "../../db/sql";
import { withTransaction } from "../../db/transaction";
import { SUSPENSE_REASONS } from "../../domain/bank-statements";
import { ConflictError, fieldError, NotFoundError } from "../../domain/errors";
import { centsToJson } from "../../domain/money";
import { BANK_FEES_ACCOUNT, ensureAccounts, envelopeAccount, PAYMENTS_IN_TRANSIT, SUSPENSE_ACCOUNT } from "../../ledger/accounts";
import { post } from "../../ledger/post";
import { loadBeneficiary } from "../access";
import { recordAudit, type ServiceContext } from "../context";
import { recordCreditsInTransaction } from "../credits/credit-batcher";
import { hashRequest } from "../idempotency";
import { PositiveCents } from "../schemas";
import { LINE_VIEW_SQL, type LineView, lineView } from "./statement-views";

const Code = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .regex(/^[A-Za-z0-9_ -]+$/, "letters, digits, _ and - only")
  .transform((s) => s.toUpperCase());

/** A suspense line's decision: split across beneficiaries and prestations (summing to the line), forwarded, returned, or an expense. */
export const AssignmentInput = z.union([
  z.strictObject({
    parts: z
      .array(z.strictObject({ beneficiaryId: z.uuid(), payer: Code, prestation: Code, amount: PositiveCents }))
      .min(1)
      .max(50),
  }),
  z.strictObject({ action: z.literal("forward"), beneficiaryId: z.uuid() }),
  z.strictObject({ action: z.literal("return"), beneficiaryId: z.uuid().optional() }),
  z.strictObject({ action: z.literal("expense"), account: z.literal("bank_fees") }),
]);
export type AssignmentInput = z.output<typeof AssignmentInput>;

export async function listSuspense({ ctx, data }: { ctx: ServiceContext; data: { limit: number } }) {
  const rows = await runText<Omit<LineView, "amount"> & { amount: string; bankAccountId: string }>(
    ctx.db,
    `${LINE_VIEW_SQL.replace("from bank_statement_lines l", ', l.bank_account_id as "bankAccountId" from bank_statement_lines l')}
      where l.status = 'suspense' order by l.booking_date, l.id limit $1`,
    [data.limit],
  );
  return rows.map((r) => {
    const v = lineView(r);
    return {
      lineId: v.id,
      bankAccountId: r.bankAccountId,
      amount: v.amount,
      label: v.label,
      bookingDate: v.bookingDate,
      reason: v.reason ?? "payer_unknown",
      reasonLabel: SUSPENSE_REASONS[v.reason as keyof typeof SUSPENSE_REASONS] ?? v.reason,
      matched: v.matched,
    };
  });
}

interface LockedLine {
  id: string;
  amount: bigint;
  bookingDate: string;
  status: string;
  label: string;
  matched: Record<string, unknown> | null;
  details: { counterpartyName: string | null; counterpartyIban: string | null }[];
}

async function lockLine(tx: Tx, lineId: string): Promise<LockedLine> {
  const [row] = await runText<Omit<LockedLine, "amount"> & { amount: string }>(
    tx,
    `select id, amount::text as amount, booking_date::text as "bookingDate", status, label, matched, details
       from bank_statement_lines where id = $1 for update`,
    [lineId],
  );
  if (!row) throw new NotFoundError("suspense line", lineId);
  if (row.status !== "suspense") throw new ConflictError(`the line is ${row.status}, no longer in suspense`, { status: row.status });
  return { ...row, amount: BigInt(row.amount) };
}

const needsCredit = (line: LockedLine) => {
  if (line.amount <= 0n) throw fieldError("action", "a debit line can only be booked as an expense", "debit_line");
};

/**
 * A person's decision on a suspense line, applied on a four-eyes approval: the money
 * leaves the suspense account (471) through the ledger — into envelopes by the credit
 * allocation, to the beneficiary or back to the payer by a payment order, or to the
 * association's expenses — the line is marked decided, and the decision audited.
 */
export async function assignSuspenseLine({ ctx, lineId, data }: { ctx: ServiceContext; lineId: string; data: AssignmentInput }) {
  return withTransaction(ctx.db, async (tx) => {
    const line = await lockLine(tx, lineId);
    await ensureAccounts(tx, [SUSPENSE_ACCOUNT, BANK_FEES_ACCOUNT]);
    let matched: Record<string, unknown>;
    let beneficiaryId: string | null = null;
    if ("parts" in data) {
      needsCredit(line);
      const sum = data.parts.reduce((s, p) => s + p.amount, 0n);
      if (sum !== line.amount) {
        throw fieldError("parts", `the parts sum to ${sum} cents, the line is ${line.amount}`, "parts_do_not_sum");
      }
      const outcomes = await recordCreditsInTransaction(
        tx,
        data.parts.map((p, i) => ({
          ctx,
          key: `suspense:${lineId}:${i}`,
          hash: hashRequest([p.beneficiaryId, p.payer, p.prestation, p.amount, line.bookingDate, lineId]),
          data: {
            beneficiaryId: p.beneficiaryId,
            payer: p.payer,
            prestation: p.prestation,
            amount: p.amount,
            valueDate: line.bookingDate,
            reference: `Relevé ${line.bookingDate} (attente)`,
            bankAddress: SUSPENSE_ACCOUNT.address,
          },
        })),
      );
      beneficiaryId = data.parts[0]!.beneficiaryId;
      matched = {
        kind: "assignment",
        credits: outcomes.map((o) => ({
          creditId: o.body.transactionId,
          beneficiaryId: o.body.beneficiaryId,
          amount: o.body.amount,
          allocations: o.body.allocations,
        })),
      };
    } else if (data.action === "expense") {
      if (line.amount >= 0n) throw fieldError("action", "only a debit line is an expense", "credit_line");
      const { transactionId } = await post(tx, {
        kind: "statement.expense",
        valueDate: line.bookingDate,
        description: "Débit en attente passé en frais",
        idempotencyKey: `suspense:${lineId}:expense`,
        actor: ctx.actor,
        metadata: { statementLineId: lineId },
        postings: [
          { account: BANK_FEES_ACCOUNT.address, direction: "debit", amount: -line.amount },
          { account: SUSPENSE_ACCOUNT.address, direction: "credit", amount: -line.amount },
        ],
      });
      matched = { kind: "expense", account: BANK_FEES_ACCOUNT.address, transactionId };
    } else {
      needsCredit(line);
      const target = data.beneficiaryId ?? (typeof line.matched?.beneficiaryId === "string" ? line.matched.beneficiaryId : undefined);
      if (!target) throw fieldError("beneficiaryId", "say whose money this is: the return is recorded on their account", "required");
      beneficiaryId = target;
      const order = await payOut(tx, ctx, line, target, data.action === "forward" ? "forward" : "return_to_payer");
      matched = { kind: data.action, paymentOrderId: order };
    }
    await runText(tx, "update bank_statement_lines set status = 'matched', matched = $2::jsonb, resolved_at = now() where id = $1", [
      lineId,
      JSON.stringify({ ...matched, decidedBy: ctx.actor }),
    ]);
    await recordAudit(tx, ctx, {
      action: "suspense.assign",
      entityType: "bank_statement_line",
      entityId: lineId,
      beneficiaryId,
      changes: {
        decision: "parts" in data ? "assign" : data.action,
        amount: centsToJson(line.amount),
        ...("parts" in data ? { parts: data.parts.length } : {}),
      },
    });
    const [view] = await runText<Omit<LineView, "amount"> & { amount: string }>(tx, `${LINE_VIEW_SQL} where l.id = $1`, [lineId]);
    return lineView(view!);
  });
}

/**
 * Money sent on (to the person: `forward`; back to whoever paid it: `return_to_payer`)
 * by a payment order like any other: suspense → the beneficiary's available envelope →
 * payments in transit, so a rejection or a return of the order finds its envelope.
 */
async function payOut(tx: Tx, ctx: ServiceContext, line: LockedLine, beneficiaryId: string, kind: "forward" | "return_to_payer"): Promise<string> {
  const beneficiary = await loadBeneficiary(tx, ctx, beneficiaryId);
  const [measure] = await runText<{ id: string }>(tx, "select id from measures where beneficiary_id = $1 order by start_date desc limit 1", [beneficiaryId]);
  if (!measure) throw fieldError("beneficiaryId", "this person has no measure", "no_measure");
  const payer = line.details.find((d) => d.counterpartyIban);
  const creditor =
    kind === "forward"
      ? { name: `${beneficiary.firstName} ${beneficiary.lastName}`, iban: beneficiary.iban }
      : { name: payer?.counterpartyName ?? line.label.slice(0, 70), iban: payer?.counterpartyIban ?? null };
  if (!creditor.iban) throw fieldError(kind === "forward" ? "beneficiaryId" : "action", "no IBAN to send the money to", "no_iban");
  const available = envelopeAccount(beneficiaryId, "available");
  await ensureAccounts(tx, [available]);
  await post(tx, {
    kind: "statement.suspense_release",
    valueDate: line.bookingDate,
    description: kind === "forward" ? "Somme en attente reversée à la personne" : "Somme en attente rendue au payeur",
    idempotencyKey: `suspense:${line.id}:${kind}:release`,
    actor: ctx.actor,
    beneficiaryId,
    metadata: { statementLineId: line.id },
    postings: [
      { account: SUSPENSE_ACCOUNT.address, direction: "debit", amount: line.amount },
      { account: available.address, direction: "credit", amount: line.amount },
    ],
  });
  const orderId = uuidv7();
  const { transactionId } = await post(tx, {
    kind: `payment.${kind}`,
    valueDate: ctx.today() < line.bookingDate ? line.bookingDate : ctx.today(),
    description: kind === "forward" ? "Reversement d'une somme non gérée" : "Retour au payeur",
    idempotencyKey: `suspense:${line.id}:${kind}:order`,
    actor: ctx.actor,
    beneficiaryId,
    metadata: { paymentOrderId: orderId, statementLineId: line.id },
    postings: [
      { account: available.address, direction: "debit", amount: line.amount },
      { account: PAYMENTS_IN_TRANSIT, direction: "credit", amount: line.amount },
    ],
  });
  await tx.insert(paymentOrders).values({
    id: orderId,
    naturalKey: `suspense:${line.id}:${kind}`,
    beneficiaryId,
    measureId: measure.id,
    kind,
    businessDate: ctx.today(),
    amount: line.amount,
    creditorName: creditor.name,
    creditorIban: creditor.iban,
    method: "transfer",
    ledgerTransactionId: transactionId,
  });
  return orderId;
}
