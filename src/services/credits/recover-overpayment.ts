import { sql } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import { z } from "zod";
import { queryRows, toBigInt } from "../../db/client";
import { idempotencyKeys } from "../../db/schema/credits";
import { withTransaction } from "../../db/transaction";
import { DomainError } from "../../domain/errors";
import { post } from "../../ledger/post";
import { loadBeneficiary } from "../access";
import { recordAudit, type ServiceContext } from "../context";
import { claimKey, hashRequest, storedOutcome, type StoredOutcome } from "../idempotency";
import { CalendarDate, PositiveCents } from "../schemas";
import { and, eq } from "drizzle-orm";

export const RecoverOverpaymentInput = z.object({
  amount: PositiveCents,
  payer: z.string().trim().min(1).max(40).transform((s) => s.toUpperCase()),
  prestation: z.string().trim().max(40).transform((s) => s.toUpperCase()).optional(),
  valueDate: CalendarDate,
  reference: z.string().trim().max(200).nullish(),
});
export type RecoverOverpaymentInput = z.input<typeof RecoverOverpaymentInput>;

export interface RecoveryResponse {
  transactionId: string;
  beneficiaryId: string;
  amount: number;
  takenFrom: { account: string; amount: number }[];
}

const SCOPE = "overpayment_recovery";

/** Reverse priority: what is least protected goes first, the rent last. */
function recoveryOrder(address: string, priorities: Map<string, number>): number {
  const [, , envelope, chargeId] = address.split(":");
  if (envelope === "available") return 0;
  if (envelope === "charge") return 1_000_000 - (priorities.get(chargeId ?? "") ?? 0);
  if (envelope === "care") return 2_000_000;
  return 3_000_000; // rent
}

/**
 * An indu deducted by the payer: taken from `available` first, then the charges in
 * reverse priority, the care envelope, and the rent last; never below zero (409 when
 * the envelopes together hold less).
 */
export async function recoverOverpayment({ ctx, beneficiaryId, idempotencyKey: key, data }: { ctx: ServiceContext; beneficiaryId: string; idempotencyKey: string; data: z.output<typeof RecoverOverpaymentInput> }): Promise<StoredOutcome<RecoveryResponse>> {
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
      (await queryRows<{ id: string; priority: number }>(tx, sql`select id, priority from charges where beneficiary_id = ${beneficiaryId}::uuid`)).map((c) => [c.id, Number(c.priority)]),
    );
    const ordered = envelopes.map((e) => ({ address: e.address, balance: toBigInt(e.balance) })).sort((a, b) => recoveryOrder(a.address, priorities) - recoveryOrder(b.address, priorities));
    const held = ordered.reduce((s, e) => s + e.balance, 0n);
    if (held < data.amount) {
      throw new DomainError("insufficient_funds", `the envelopes hold ${held} cents, less than the ${data.amount} to recover`, { held: Number(held), amount: Number(data.amount) });
    }
    let rest = data.amount;
    const takenFrom: { account: string; amount: bigint }[] = [];
    for (const e of ordered) {
      if (rest === 0n) break;
      const part = e.balance < rest ? e.balance : rest;
      takenFrom.push({ account: e.address, amount: part });
      rest -= part;
    }
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
      postings: [...takenFrom.map((t) => ({ account: t.account, direction: "debit" as const, amount: t.amount })), { account: "bank:main", direction: "credit", amount: data.amount }],
    });
    const body: RecoveryResponse = { transactionId, beneficiaryId, amount: Number(data.amount), takenFrom: takenFrom.map((t) => ({ account: t.account, amount: Number(t.amount) })) };
    await tx.update(idempotencyKeys).set({ response: body }).where(and(eq(idempotencyKeys.scope, SCOPE), eq(idempotencyKeys.key, `${beneficiaryId}:${key}`)));
    await recordAudit(tx, ctx, { action: "overpayment.recover", entityType: "transaction", entityId: transactionId, beneficiaryId, changes: { amount: data.amount.toString(), payer: data.payer } });
    return { status: 201, body, replayed: false };
  });
}
