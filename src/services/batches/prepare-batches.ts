import { v7 as uuidv7 } from "uuid";
import { z } from "zod";
import { endToEndIdFor, remittanceFor } from "../../banking/pain001/references";
import type { Tx } from "../../db/client";
import type { BatchDebtor } from "../../db/schema/batches";
import { runText, toBigInt, uuidArray } from "../../db/sql";
import { withTransaction } from "../../db/transaction";
import { targetExecutionDate } from "../../domain/business-days";
import { NotFoundError, ValidationError } from "../../domain/errors";
import { msgIdFor } from "../../domain/payment-batches";
import type { PostalAddress } from "../../domain/postal-address";
import { recordAudit, type ServiceContext } from "../context";
import { CalendarDate } from "../schemas";
import { BANK_ACCOUNT_SQL, ORDER_ACCOUNT_SQL } from "./batch-accounts";

export const PrepareBatchesInput = z
  .object({
    bankAccountId: z.uuid().optional(),
    executionDate: CalendarDate,
  })
  .strict();

export interface PreparedBatch {
  id: string;
  bankAccountId: string;
  orders: number;
  total: bigint;
  executionDate: string;
}

interface PickedOrder {
  id: string;
  amount: string;
  kind: Parameters<typeof remittanceFor>[0]["kind"];
  period: string | null;
  /** A one-off payment's reason, appended to its remittance text. */
  reason: string | null;
  creditor_name: string;
  creditor_iban: string;
  creditor_address: PostalAddress | string | null;
  first_name: string;
  last_name: string;
}

/**
 * The pending transfers due by the execution date, taken under lock: `skip locked`, so
 * two preparations at once share the orders out and never batch one twice (the loser
 * of a race gets what is left, or a 422 when nothing is). `$1` account, `$2` date.
 */
const PICK_SQL = `select o.id, o.amount::text as amount, o.kind, o.period, o.reason,
       o.creditor_name, o.creditor_iban, ${ORDER_ACCOUNT_SQL.creditorAddress} as creditor_address,
       b.first_name, b.last_name
  from payment_orders o
  join beneficiaries b on b.id = o.beneficiary_id
 where o.status = 'pending' and o.method = 'transfer' and o.business_date <= $2::date
   and ${ORDER_ACCOUNT_SQL.accountOf} = $1::uuid
 order by o.id
 for update of o skip locked`;

/** The accounts that have a pending transfer due by `$1`. */
const ACCOUNTS_DUE_SQL = `select distinct ${ORDER_ACCOUNT_SQL.accountOf} as account_id
  from payment_orders o
  join beneficiaries b on b.id = o.beneficiary_id
 where o.status = 'pending' and o.method = 'transfer' and o.business_date <= $1::date
 order by 1`;

const INSERT_LINKS_SQL = `insert into payment_batch_orders (batch_id, order_id, end_to_end_id, amount, creditor_name, creditor_iban, creditor_bic, creditor_address, remittance)
  select $1::uuid, x.order_id, x.end_to_end_id, x.amount::bigint, x.creditor_name, x.creditor_iban, x.creditor_bic, x.creditor_address, x.remittance
    from jsonb_to_recordset($2::jsonb) as x(order_id uuid, end_to_end_id text, amount text, creditor_name text, creditor_iban text, creditor_bic text, creditor_address jsonb, remittance text)`;

const MARK_BATCHED_SQL = `update payment_orders set status = 'batched', bank_account_id = $2::uuid where id = any($1::uuid[]) and status = 'pending'`;

/** Rows written per statement: a batch of 100 000 orders never goes as one parameter. */
const CHUNK = 5_000;

/**
 * Prépare la remise: for one bank account (or each account that has something due),
 * the pending transfers due by the execution date become one batch, `batched`, with
 * everything its pain.001 file will say frozen in `payment_batch_orders`. The execution
 * date moves to the next TARGET business day, never before today. One transaction, one
 * audit row per batch; no ledger posting (the money is in transit since the order was
 * written). Nothing due → 422.
 */
export async function prepareBatches({ ctx, data }: { ctx: ServiceContext; data: z.output<typeof PrepareBatchesInput> }): Promise<PreparedBatch[]> {
  const executionDate = targetExecutionDate(data.executionDate, ctx.today());
  return withTransaction(ctx.db, async (tx) => {
    let accounts: string[];
    if (data.bankAccountId) {
      const [account] = await runText(tx, `${BANK_ACCOUNT_SQL} where id = $1::uuid`, [data.bankAccountId]);
      if (!account) throw new NotFoundError("bank account", data.bankAccountId);
      accounts = [data.bankAccountId];
    } else {
      accounts = (await runText<{ account_id: string }>(tx, ACCOUNTS_DUE_SQL, [executionDate])).map((r) => r.account_id);
    }
    const batches: PreparedBatch[] = [];
    for (const accountId of accounts) {
      const batch = await prepareOne(tx, ctx, accountId, executionDate);
      if (batch) batches.push(batch);
    }
    if (batches.length === 0) {
      throw new ValidationError("no pending transfer is due by that execution date", [
        { field: "executionDate", message: `no pending transfer due by ${executionDate}`, code: "no_order" },
      ]);
    }
    return batches;
  });
}

async function prepareOne(tx: Tx, ctx: ServiceContext, bankAccountId: string, executionDate: string): Promise<PreparedBatch | null> {
  const picked = await runText<PickedOrder>(tx, PICK_SQL, [bankAccountId, executionDate]);
  if (picked.length === 0) return null;
  const [account] = await runText<{ name: string; iban: string | null; bic: string | null; pain_version: BatchDebtor["painVersion"]; batch_booking: boolean }>(
    tx,
    `${BANK_ACCOUNT_SQL} where id = $1::uuid`,
    [bankAccountId],
  );
  if (!account) throw new NotFoundError("bank account", bankAccountId);
  if (!account.iban) {
    throw new ValidationError("the bank account has no IBAN yet: give it one before preparing a batch", [
      { field: "bankAccountId", message: "the account has no IBAN", code: "no_iban" },
    ]);
  }
  const id = uuidv7();
  const total = picked.reduce((sum, o) => sum + toBigInt(o.amount), 0n);
  const debtor: BatchDebtor = {
    name: account.name,
    iban: account.iban,
    bic: account.bic,
    painVersion: account.pain_version,
    batchBooking: account.batch_booking,
  };
  await runText(
    tx,
    `insert into payment_batches (id, bank_account_id, execution_date, msg_id, debtor, order_count, total, prepared_by)
     values ($1::uuid, $2::uuid, $3::date, $4, $5::jsonb, $6::int, $7::bigint, $8)`,
    [id, bankAccountId, executionDate, msgIdFor(id), JSON.stringify(debtor), picked.length, total.toString(), ctx.actor],
  );
  for (let i = 0; i < picked.length; i += CHUNK) {
    const chunk = picked.slice(i, i + CHUNK);
    const links = chunk.map((o) => ({
      order_id: o.id,
      end_to_end_id: endToEndIdFor(o.id),
      amount: o.amount,
      creditor_name: o.creditor_name,
      creditor_iban: o.creditor_iban,
      creditor_bic: null,
      creditor_address: typeof o.creditor_address === "string" ? JSON.parse(o.creditor_address) : o.creditor_address,
      remittance: remittanceFor({ kind: o.kind, period: o.period, lastName: o.last_name, firstName: o.first_name, detail: o.reason }),
    }));
    await runText(tx, INSERT_LINKS_SQL, [id, JSON.stringify(links)]);
    await runText(tx, MARK_BATCHED_SQL, [uuidArray(chunk.map((o) => o.id)), bankAccountId]);
  }
  await recordAudit(tx, ctx, {
    action: "payment_batch.prepare",
    entityType: "payment_batch",
    entityId: id,
    changes: { bankAccountId, executionDate, orders: picked.length, total: total.toString() },
  });
  return { id, bankAccountId, orders: picked.length, total, executionDate };
}
