import { sql } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import { z } from "zod";
import { queryRows } from "../../db/client";
import { withTransaction } from "../../db/transaction";
import { NotFoundError } from "../../domain/errors";
import { ensureAccounts, envelopeAccount } from "../../ledger/accounts";
import { ledgerPostCall } from "../../ledger/post";
import { toLedgerError } from "../../ledger/errors";
import { catalogueInForce } from "../catalogue";
import type { ServiceContext } from "../context";
import { IdempotencyKey, hashRequest, storedOutcome, type StoredOutcome } from "../idempotency";
import { CalendarDate, PositiveCents } from "../schemas";
import { loadCreditStates } from "./credit-state";
import { planCredit } from "./plan-credit";

const Code = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .regex(/^[A-Za-z0-9_ -]+$/, "letters, digits, _ and - only")
  .transform((s) => s.toUpperCase());

export const RecordCreditInput = z.object({
  beneficiaryId: z.uuid(),
  payer: Code,
  prestation: Code,
  amount: PositiveCents,
  valueDate: CalendarDate,
  reference: z.string().trim().max(200).nullish(),
});
export type RecordCreditInput = z.input<typeof RecordCreditInput>;

export interface CreditResponse {
  transactionId: string;
  beneficiaryId: string;
  measureId: string;
  payer: string;
  prestation: string;
  amount: number;
  valueDate: string;
  reference: string | null;
  allocations: ({ envelope: "rent" | "care" | "available"; amount: number } | { envelope: "charge"; chargeId: string; amount: number })[];
}

export type CreditOutcome = StoredOutcome<CreditResponse>;

const SCOPE = "credit";

export const requestHash = (input: z.infer<typeof RecordCreditInput>): string =>
  hashRequest([input.beneficiaryId, input.payer, input.prestation, input.amount, input.valueDate, input.reference ?? null]);

/**
 * Records a prestation credit and allocates it, rent first (L.271-1 CASF), in one
 * database transaction: the allocation, its balanced ledger transaction, the business
 * record, the idempotency key with its response and the audit row stand or fall
 * together. A key already used returns the first response; racing duplicates meet on
 * the key's primary key, so exactly one is posted.
 */
export async function recordCredit({ ctx, idempotencyKey, input }: { ctx: ServiceContext; idempotencyKey: string; input: RecordCreditInput }): Promise<CreditOutcome> {
  const key = IdempotencyKey.parse(idempotencyKey);
  const data = RecordCreditInput.parse(input);
  const hash = requestHash(data);
  const replay = await storedOutcome<CreditResponse>(ctx.db, SCOPE, key, hash);
  if (replay) return replay;

  return withTransaction(ctx.db, async (tx) => {
    const state = (await loadCreditStates(tx, [data.beneficiaryId])).get(data.beneficiaryId);
    if (!state) throw new NotFoundError("beneficiary", data.beneficiaryId);
    const catalogue = await catalogueInForce(tx, data.valueDate);
    const { measure, plan } = planCredit(state, data, catalogue);
    if (plan.some((a) => a.envelope === "care")) await ensureAccounts(tx, [envelopeAccount(data.beneficiaryId, "care")]);

    const transactionId = uuidv7();
    const body: CreditResponse = {
      transactionId,
      beneficiaryId: data.beneficiaryId,
      measureId: measure.id,
      payer: data.payer,
      prestation: data.prestation,
      amount: Number(data.amount),
      valueDate: data.valueDate,
      reference: data.reference ?? null,
      allocations: plan.map((a) => (a.envelope === "charge" ? { envelope: a.envelope, chargeId: a.chargeId, amount: Number(a.amount) } : { envelope: a.envelope, amount: Number(a.amount) })),
    };
    const { call } = ledgerPostCall({
      id: transactionId,
      kind: "credit",
      valueDate: data.valueDate,
      description: `${data.payer} ${data.prestation}`,
      idempotencyKey: `credit:${key}`,
      actor: ctx.actor,
      beneficiaryId: data.beneficiaryId,
      metadata: { payer: data.payer, prestation: data.prestation, measureId: measure.id },
      postings: [
        { account: "bank:main", direction: "debit", amount: data.amount },
        ...plan.map((a) => ({
          account: envelopeAccount(data.beneficiaryId, a.envelope, a.envelope === "charge" ? a.chargeId : undefined).address,
          direction: "credit" as const,
          amount: a.amount,
        })),
      ],
    });
    const allocations = JSON.stringify(plan.map((a) => ({ ...a, amount: a.amount.toString() })));
    // One statement: claim the key, post, record the credit and its audit row.
    const [written] = await queryRows<{ claimed: number }>(
      tx,
      sql`with claim as (
            insert into idempotency_keys (scope, key, request_hash, response_status, response)
            values (${SCOPE}, ${key}, ${hash}, 201, ${JSON.stringify(body)}::json)
            on conflict do nothing returning key
          ), posted as (
            select p.out_transaction_id from claim cross join lateral ${call} p
          ), credit as (
            insert into credits (id, beneficiary_id, measure_id, payer, prestation, amount, value_date, reference, allocations)
            select out_transaction_id, ${data.beneficiaryId}::uuid, ${measure.id}::uuid, ${data.payer}, ${data.prestation},
                   ${data.amount.toString()}::bigint, ${data.valueDate}::date, ${data.reference ?? null}, ${allocations}::jsonb
              from posted returning id
          ), audit as (
            insert into audit_log (actor, role, request_id, action, entity_type, entity_id, beneficiary_id, changes)
            select ${ctx.actor}, ${ctx.role}, ${ctx.requestId ?? null}, 'credit.record', 'credit', id, ${data.beneficiaryId}::uuid,
                   ${JSON.stringify({ amount: data.amount.toString(), prestation: data.prestation, payer: data.payer })}::jsonb
              from credit
          )
          select (select count(*) from claim)::int as claimed`,
    ).catch((error: unknown) => {
      throw toLedgerError(error);
    });
    if (Number(written?.claimed) === 1) return { status: 201, body, replayed: false };
    // A racing request with this key committed first: answer as it did, or refuse.
    const stored = await storedOutcome<CreditResponse>(tx, SCOPE, key, hash);
    if (!stored) throw new Error("idempotency key neither claimed nor stored");
    return stored;
  });
}
