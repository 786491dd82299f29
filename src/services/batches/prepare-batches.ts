import { v7 as uuidv7 } from "uuid";
import { z } from "zod";
import { CLEAN } from "../../banking/pain001/epc-text";
import { REMITTANCE_LABELS, REMITTANCE_MAX, REMITTANCE_NAME_MAX, remittanceFor } from "../../banking/pain001/references";
import type { Tx } from "../../db/client";
import type { BatchDebtor } from "../../db/schema/batches";
import { pgTextArray, runText, toBigInt, uuidArray } from "../../db/sql";
import { withTransaction } from "../../db/transaction";
import { targetExecutionDate } from "../../domain/business-days";
import { NotFoundError, ValidationError } from "../../domain/errors";
import { msgIdFor } from "../../domain/payment-batches";
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

/** An order whose remittance text the SQL fast path left to `remittanceFor` (names to transliterate). */
interface Leftover {
  order_id: string;
  kind: Parameters<typeof remittanceFor>[0]["kind"];
  period: string | null;
  /** A one-off payment's reason, appended to its remittance text. */
  reason: string | null;
  first_name: string;
  last_name: string;
}

/**
 * "LOYER 01/2026 DURAND M" in SQL, for the common case only: a kind that has a label
 * (`$3`, REMITTANCE_LABELS), a surname already in the EPC set (`$4`, epc-text's CLEAN)
 * and a first name that starts with a plain letter (its initial is all the text keeps,
 * and transliteration leaves a plain letter as it is), where `remittanceFor` does no
 * more than cut, upper-case and join. Anything else (a surname to transliterate, a kind
 * without a label, a one-off's reason to append) is null here and written by `remittanceFor` itself, so the rule
 * stays in one place and SQL only takes its shortcut.
 */
const REMITTANCE_SQL = `case when o.reason is null and ($3::jsonb ->> o.kind) is not null and b.last_name ~ $4 and b.first_name ~ '^[A-Za-z]' then
    rtrim(left(concat_ws(' ', $3::jsonb ->> o.kind,
      case when coalesce(o.period, '') <> '' then substr(o.period, 6, 2) || '/' || substr(o.period, 1, 4) end,
      upper(rtrim(left(b.last_name, ${REMITTANCE_NAME_MAX}))), upper(left(b.first_name, 1))), ${REMITTANCE_MAX}))
  end`;

/** The pending transfers of account `$1` due by `$2` (over `o` and `b`), `isDefault` the parameter saying whether `$1` is the default account. */
const dueSql = (isDefault: string) => `o.status = 'pending' and o.method = 'transfer' and o.business_date <= $2::date
     and ${ORDER_ACCOUNT_SQL.accountIs("$1::uuid", `${isDefault}::boolean`)}`;

/**
 * The due orders whose remittance the SQL shortcut cannot write, locked like the others
 * (the same transaction takes them below): few, and written by `remittanceFor`. `$5`: `$1` is the default account.
 */
const LEFTOVERS_SQL = `select o.id as order_id, o.kind, o.period, o.reason, b.first_name, b.last_name
  from payment_orders o
  join beneficiaries b on b.id = o.beneficiary_id
 where ${dueSql("$5")} and (${REMITTANCE_SQL}) is null
 for update of o skip locked`;

/** The remittance of an order over `o` and `b`: the SQL shortcut, else the one `remittanceFor` wrote (`$9`, `$10`). */
const REMITTANCE_OR_WRITTEN_SQL = `coalesce(${REMITTANCE_SQL}, (select w.remittance from unnest($9::uuid[], $10::text[]) as w(id, remittance) where w.id = o.id))`;

/**
 * The whole preparation of one account's batch in one statement, each order row written
 * once: the `UPDATE` takes the pending transfers due by the execution date (its own row
 * locks, no separate `for update` pass) and marks them `batched`; its `RETURNING` gives
 * the batch row and its frozen lines (EndToEndId = the order's UUID without hyphens, as
 * endToEndIdFor). Two preparations at once never batch an order twice: the second waits
 * for the first's rows, finds them `batched` and leaves them (it gets what is left, or a
 * 422 when nothing is). `$9` and `$10` hold the remittances written by `remittanceFor`
 * (LEFTOVERS_SQL), by order id; an order that needs one and appeared since is left for
 * the next batch. `$5` batch id, `$6` MsgId, `$7` debtor, `$8` actor, `$11` whether `$1` is the default account.
 */
const PREPARE_SQL = `with picked as (
  update payment_orders o set status = 'batched', bank_account_id = $1::uuid
    from beneficiaries b
   where b.id = o.beneficiary_id and ${dueSql("$11")} and ${REMITTANCE_OR_WRITTEN_SQL} is not null
  returning o.id, o.amount, o.creditor_name, o.creditor_iban,
            ${ORDER_ACCOUNT_SQL.creditorAddress} as creditor_address,
            ${REMITTANCE_OR_WRITTEN_SQL} as remittance
), batch as (
  insert into payment_batches (id, bank_account_id, execution_date, msg_id, debtor, order_count, total, prepared_by)
  select $5::uuid, $1::uuid, $2::date, $6, $7::jsonb, count(*), sum(amount), $8 from picked having count(*) > 0
  returning order_count, total
), lines as (
  -- Run to its end although nothing reads it, as every data-modifying WITH.
  insert into payment_batch_orders (batch_id, order_id, end_to_end_id, amount, creditor_name, creditor_iban, creditor_bic, creditor_address, remittance)
  select $5::uuid, p.id, replace(p.id::text, '-', ''), p.amount, p.creditor_name, p.creditor_iban, null, p.creditor_address, p.remittance
    from picked p
)
select (select order_count from batch) as orders, (select total::text from batch) as total`;

/** The accounts that have a pending transfer due by `$1`. */
const ACCOUNTS_DUE_SQL = `select distinct ${ORDER_ACCOUNT_SQL.accountOf} as account_id
  from payment_orders o
  join beneficiaries b on b.id = o.beneficiary_id
 where o.status = 'pending' and o.method = 'transfer' and o.business_date <= $1::date
 order by 1`;

const ANY_DUE_SQL = `select exists (select 1 from payment_orders o join beneficiaries b on b.id = o.beneficiary_id where ${dueSql("$3")}) as due`;

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
  const [account] = await runText<{
    name: string;
    iban: string | null;
    bic: string | null;
    pain_version: BatchDebtor["painVersion"];
    batch_booking: boolean;
    is_default: boolean;
  }>(tx, `${BANK_ACCOUNT_SQL} where id = $1::uuid`, [bankAccountId]);
  if (!account) throw new NotFoundError("bank account", bankAccountId);
  const isDefault = account.is_default === true;
  if (!account.iban) {
    const [row] = await runText<{ due: boolean }>(tx, ANY_DUE_SQL, [bankAccountId, executionDate, isDefault]);
    if (!row?.due) return null;
    throw new ValidationError("the bank account has no IBAN yet: give it one before preparing a batch", [
      { field: "bankAccountId", message: "the account has no IBAN", code: "no_iban" },
    ]);
  }
  const id = uuidv7();
  const debtor: BatchDebtor = {
    name: account.name,
    iban: account.iban,
    bic: account.bic,
    painVersion: account.pain_version,
    batchBooking: account.batch_booking,
  };
  const remittanceParams = [JSON.stringify(REMITTANCE_LABELS), CLEAN.source];
  const leftovers = await runText<Leftover>(tx, LEFTOVERS_SQL, [bankAccountId, executionDate, ...remittanceParams, isDefault]);
  const written = leftovers.map((o) => remittanceFor({ kind: o.kind, period: o.period, lastName: o.last_name, firstName: o.first_name, detail: o.reason }));
  const [result] = await runText<{ orders: number | null; total: string | null }>(tx, PREPARE_SQL, [
    bankAccountId,
    executionDate,
    ...remittanceParams,
    id,
    msgIdFor(id),
    JSON.stringify(debtor),
    ctx.actor,
    uuidArray(leftovers.map((o) => o.order_id)),
    pgTextArray(written),
    isDefault,
  ]);
  if (!result?.orders || result.total === null) return null;
  const total = toBigInt(result.total);
  await recordAudit(tx, ctx, {
    action: "payment_batch.prepare",
    entityType: "payment_batch",
    entityId: id,
    changes: { bankAccountId, executionDate, orders: result.orders, total: total.toString() },
  });
  return { id, bankAccountId, orders: result.orders, total, executionDate };
}
