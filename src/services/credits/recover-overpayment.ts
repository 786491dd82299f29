import { and, eq, sql } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import { z } from "zod";
import { idempotencyKeys } from "../../db/schema/credits";
import { payers } from "../../db/schema/payers";
import { paymentOrders } from "../../db/schema/payments";
import { queryRows, toBigInt } from "../../db/sql";
import { withTransaction } from "../../db/transaction";
import { findPrestation } from "../../domain/catalogue";
import type { EnvelopeRef } from "../../domain/envelopes";
import { DomainError, fieldError } from "../../domain/errors";
import { centsToJson } from "../../domain/money";
import { planRecovery, recoverable } from "../../domain/overpayment-recovery";
import { resolvePayerCode } from "../../domain/payers";
import { ensureAccounts, envelopeAccount, PAYMENTS_IN_TRANSIT, parseEnvelopeAddress } from "../../ledger/accounts";
import { post } from "../../ledger/post";
import { loadBeneficiary } from "../access";
import { catalogueInForce } from "../catalogue";
import { recordAudit, type ServiceContext } from "../context";
import { claimKey, hashRequest, type StoredOutcome, storedOutcome } from "../idempotency";
import { CalendarDate, PositiveCents, Text } from "../schemas";

export const RecoverOverpaymentInput = z.object({
  amount: PositiveCents,
  payer: z
    .string()
    .trim()
    .min(1)
    .max(40)
    .transform((s) => s.toUpperCase()),
  prestation: z
    .string()
    .trim()
    .max(40)
    .transform((s) => s.toUpperCase())
    .optional(),
  valueDate: CalendarDate,
  reference: Text({ max: 200 }).nullish(),
});
export type RecoverOverpaymentInput = z.input<typeof RecoverOverpaymentInput>;

export interface RecoveryResponse {
  transactionId: string;
  beneficiaryId: string;
  amount: number;
  takenFrom: { account: string; amount: number }[];
  /** The `return_to_payer` transfer that pays the indu back to the payer. */
  paymentOrderId: string;
}

const SCOPE = "overpayment_recovery";

/** Every account of a beneficiary is one of their envelopes. */
function envelopeOf(address: string): EnvelopeRef {
  const e = parseEnvelopeAddress(address);
  if (!e) throw new Error("a beneficiary's account that is not an envelope");
  return e;
}

/**
 * An indu paid back to the payer by transfer (a deduction the payer makes from its next
 * payment is recorded on that credit instead: record-credit.ts). The money is taken
 * from the envelopes the indu's kind allows (rule 9, domain/overpayment-recovery.ts:
 * the rent envelope only for an indu of housing aid, care only for one of care),
 * gathered in `available` and sent by a `return_to_payer` payment order to the payer's
 * IBAN (the payers table), in one database transaction; never below zero (409 when the
 * envelopes it may use hold less). Cancelling or rejecting the order brings the money
 * back to `available`; reversing the recovery then puts it back where it was taken from.
 */
export async function recoverOverpayment({
  ctx,
  beneficiaryId,
  idempotencyKey: key,
  data,
}: {
  ctx: ServiceContext;
  beneficiaryId: string;
  idempotencyKey: string;
  data: z.output<typeof RecoverOverpaymentInput>;
}): Promise<StoredOutcome<RecoveryResponse>> {
  const hash = hashRequest([beneficiaryId, data.amount, data.payer, data.prestation ?? null, data.valueDate, data.reference ?? null]);
  const replay = await storedOutcome<RecoveryResponse>(ctx.db, SCOPE, `${beneficiaryId}:${key}`, hash);
  if (replay) return replay;
  return withTransaction(ctx.db, async (tx) => {
    await loadBeneficiary(tx, ctx, beneficiaryId, { lock: true });
    if (!(await claimKey(tx, SCOPE, `${beneficiaryId}:${key}`, hash, 201, {}))) {
      return (await storedOutcome<RecoveryResponse>(tx, SCOPE, `${beneficiaryId}:${key}`, hash))!;
    }
    const catalogue = await catalogueInForce(tx, data.valueDate);
    const prestation = data.prestation ? findPrestation(catalogue, data.prestation) : undefined;
    const known = await tx.select().from(payers);
    const code = resolvePayerCode(
      known.map((p) => p.code),
      data.payer,
      prestation?.payer,
    );
    const payer = known.find((p) => p.code === code);
    if (!payer) throw fieldError("payer", `no payer ${data.payer} (the payers come from the catalogue)`, "unknown_payer");
    if (!payer.iban) throw fieldError("payer", `payer ${payer.code} has no IBAN to send the money back to: complete it first (Payeurs)`, "payer_without_iban");
    const earmark = prestation?.earmarked ?? null;
    const [measure] = await queryRows<{ id: string }>(
      tx,
      sql`select id from measures where beneficiary_id = ${beneficiaryId}::uuid and start_date <= ${data.valueDate}::date order by start_date desc limit 1`,
    );
    if (!measure) throw new DomainError("no_active_measure", "this person had no measure at that date");
    const envelopes = await queryRows<{ address: string; balance: string }>(
      tx,
      sql`select address, balance::text as balance from ledger_accounts where beneficiary_id = ${beneficiaryId}::uuid and balance > 0`,
    );
    const charges = new Map(
      (
        await queryRows<{ id: string; priority: number; category: string }>(
          tx,
          sql`select id, priority, category from charges where beneficiary_id = ${beneficiaryId}::uuid`,
        )
      ).map((c) => [c.id, { priority: Number(c.priority), category: c.category }]),
    );
    const held = envelopes.map((e) => ({ address: e.address, envelope: envelopeOf(e.address), balance: toBigInt(e.balance) }));
    const parts = planRecovery(held, data.amount, earmark, charges);
    if (!parts) {
      const usable = recoverable(held, earmark, charges);
      throw new DomainError(
        "insufficient_funds",
        `the envelopes this indu may use hold ${usable} cents, less than the ${data.amount} to recover${earmark === "housing" ? "" : " (the rent envelope holds earmarked housing money)"}`,
        { held: centsToJson(usable), amount: centsToJson(data.amount), earmarked: earmark },
      );
    }
    const takenFrom = parts.map((p) => ({ account: p.from.address, amount: p.amount }));
    const available = envelopeAccount(beneficiaryId, "available");
    await ensureAccounts(tx, [available]);
    const transactionId = uuidv7();
    const paymentOrderId = uuidv7();
    const label = `Indu ${data.payer}${data.prestation ? ` ${data.prestation}` : ""}`;
    await post(tx, {
      id: transactionId,
      kind: "overpayment_recovery",
      valueDate: data.valueDate,
      description: label,
      idempotencyKey: `recovery:${beneficiaryId}:${key}`,
      actor: ctx.actor,
      beneficiaryId,
      metadata: { payer: data.payer, prestation: data.prestation ?? null, reference: data.reference ?? null, paymentOrderId },
      postings: [
        ...takenFrom.map((t) => ({ account: t.account, direction: "debit" as const, amount: t.amount })),
        { account: available.address, direction: "credit", amount: data.amount },
      ],
    });
    const order = await post(tx, {
      kind: "payment.return_to_payer",
      valueDate: data.valueDate,
      description: `Remboursement d'un indu à ${data.payer}`,
      idempotencyKey: `recovery:${beneficiaryId}:${key}:order`,
      actor: ctx.actor,
      beneficiaryId,
      metadata: { paymentOrderId, recoveryId: transactionId },
      postings: [
        { account: available.address, direction: "debit", amount: data.amount },
        { account: PAYMENTS_IN_TRANSIT, direction: "credit", amount: data.amount },
      ],
    });
    await tx.insert(paymentOrders).values({
      id: paymentOrderId,
      naturalKey: `recovery:${beneficiaryId}:${key}`,
      beneficiaryId,
      measureId: measure.id,
      kind: "return_to_payer",
      businessDate: data.valueDate,
      amount: data.amount,
      creditorName: payer.name,
      creditorIban: payer.iban,
      creditorAddress: payer.address ?? null,
      method: "transfer",
      reason: (data.reference ?? label).slice(0, 140),
      ledgerTransactionId: order.transactionId,
    });
    const body: RecoveryResponse = {
      transactionId,
      beneficiaryId,
      amount: centsToJson(data.amount),
      takenFrom: takenFrom.map((t) => ({ account: t.account, amount: centsToJson(t.amount) })),
      paymentOrderId,
    };
    await tx
      .update(idempotencyKeys)
      .set({ response: body })
      .where(and(eq(idempotencyKeys.scope, SCOPE), eq(idempotencyKeys.key, `${beneficiaryId}:${key}`)));
    await recordAudit(tx, ctx, {
      action: "overpayment.recover",
      entityType: "transaction",
      entityId: transactionId,
      beneficiaryId,
      changes: { amount: data.amount.toString(), payer: data.payer, prestation: data.prestation ?? null, paymentOrderId },
    });
    return { status: 201, body, replayed: false };
  });
}
