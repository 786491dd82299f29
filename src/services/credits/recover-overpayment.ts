import { and, eq, sql } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import { z } from "zod";
import { idempotencyKeys } from "../../db/schema/credits";
import { queryRows, toBigInt } from "../../db/sql";
import { withTransaction } from "../../db/transaction";
import type { EnvelopeRef } from "../../domain/envelopes";
import { DomainError } from "../../domain/errors";
import { centsToJson } from "../../domain/money";
import { planRecovery } from "../../domain/overpayment-recovery";
import { parseEnvelopeAddress } from "../../ledger/accounts";
import { post } from "../../ledger/post";
import { loadBeneficiary } from "../access";
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
}

const SCOPE = "overpayment_recovery";

/** Every account of a beneficiary is one of their envelopes. */
function envelopeOf(address: string): EnvelopeRef {
  const e = parseEnvelopeAddress(address);
  if (!e) throw new Error("a beneficiary's account that is not an envelope");
  return e;
}

/**
 * An indu deducted by the payer: taken from `available` first, then the charges in
 * reverse priority, the care envelope, and the rent last; never below zero (409 when
 * the envelopes together hold less).
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
    const envelopes = await queryRows<{ address: string; balance: string }>(
      tx,
      sql`select address, balance::text as balance from ledger_accounts where beneficiary_id = ${beneficiaryId}::uuid and balance > 0`,
    );
    const priorities = new Map(
      (await queryRows<{ id: string; priority: number }>(tx, sql`select id, priority from charges where beneficiary_id = ${beneficiaryId}::uuid`)).map((c) => [
        c.id,
        Number(c.priority),
      ]),
    );
    const held = envelopes.map((e) => ({ address: e.address, envelope: envelopeOf(e.address), balance: toBigInt(e.balance) }));
    const parts = planRecovery(held, data.amount, priorities);
    if (!parts) {
      const total = held.reduce((s, e) => s + e.balance, 0n);
      throw new DomainError("insufficient_funds", `the envelopes hold ${total} cents, less than the ${data.amount} to recover`, {
        held: centsToJson(total),
        amount: centsToJson(data.amount),
      });
    }
    const takenFrom = parts.map((p) => ({ account: p.from.address, amount: p.amount }));
    const transactionId = uuidv7();
    await post(tx, {
      id: transactionId,
      kind: "overpayment_recovery",
      valueDate: data.valueDate,
      description: `Indu ${data.payer}${data.prestation ? ` ${data.prestation}` : ""}`,
      idempotencyKey: `recovery:${beneficiaryId}:${key}`,
      actor: ctx.actor,
      beneficiaryId,
      metadata: { payer: data.payer, prestation: data.prestation ?? null, reference: data.reference ?? null },
      postings: [
        ...takenFrom.map((t) => ({ account: t.account, direction: "debit" as const, amount: t.amount })),
        { account: "bank:main", direction: "credit", amount: data.amount },
      ],
    });
    const body: RecoveryResponse = {
      transactionId,
      beneficiaryId,
      amount: centsToJson(data.amount),
      takenFrom: takenFrom.map((t) => ({ account: t.account, amount: centsToJson(t.amount) })),
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
      changes: { amount: data.amount.toString(), payer: data.payer },
    });
    return { status: 201, body, replayed: false };
  });
}
