import { sql } from "drizzle-orm";
import type { Executor } from "../db/client";
import { queryRows, toBigInt } from "../db/sql";
import { NotFoundError } from "../domain/errors";

/** Signed amount of a posting in its account's normal side. */
const SIGNED = sql.raw(`case when p.direction = a.normal_side then p.amount else -p.amount end`);

export interface AccountBalance {
  address: string;
  normalSide: "debit" | "credit";
  balance: bigint;
}

/**
 * Current balance of an account: the cached row for a beneficiary's envelope, the
 * sum of postings for an uncached system account.
 */
export async function accountBalance(executor: Executor, address: string): Promise<AccountBalance> {
  const [row] = await queryRows<{ address: string; normal_side: "debit" | "credit"; balance: string }>(
    executor,
    sql`select a.address, a.normal_side,
               (case when a.balance_cached then a.balance
                     else coalesce((select sum(${SIGNED}) from ledger_postings p where p.account_id = a.id), 0) end)::text as balance
          from ledger_accounts a where a.address = ${address}`,
  );
  if (!row) throw new NotFoundError("ledger account", address);
  return { address: row.address, normalSide: row.normal_side, balance: toBigInt(row.balance) };
}

/** Balance at the end of a value date, recomputed from postings. */
export async function balanceAsOf(executor: Executor, address: string, valueDate: string): Promise<bigint> {
  const [row] = await queryRows<{ balance: string | null; found: boolean }>(
    executor,
    sql`select (select coalesce(sum(${SIGNED}), 0) from ledger_postings p
                 where p.account_id = a.id and p.value_date <= ${valueDate}::date)::text as balance, true as found
          from ledger_accounts a where a.address = ${address}`,
  );
  if (!row) throw new NotFoundError("ledger account", address);
  return toBigInt(row.balance ?? "0");
}

/** Cached balances of all of a beneficiary's envelopes, keyed by address. */
export async function beneficiaryBalances(executor: Executor, beneficiaryId: string): Promise<Map<string, bigint>> {
  const rows = await queryRows<{ address: string; balance: string }>(
    executor,
    sql`select address, balance::text as balance from ledger_accounts where beneficiary_id = ${beneficiaryId}::uuid order by address`,
  );
  return new Map(rows.map((r) => [r.address, toBigInt(r.balance)]));
}

interface TrialBalanceLine {
  pcgAccount: string;
  debits: bigint;
  credits: bigint;
}

export interface TrialBalance {
  totalDebits: bigint;
  totalCredits: bigint;
  balanced: boolean;
  lines: TrialBalanceLine[];
}

/** Debits and credits per PCG account, as of a value date (default: everything). */
export async function trialBalance(executor: Executor, asOf?: string): Promise<TrialBalance> {
  const rows = await queryRows<{ pcg_account: string; debits: string; credits: string }>(
    executor,
    sql`select a.pcg_account,
               coalesce(sum(p.amount) filter (where p.direction = 'debit'), 0)::text as debits,
               coalesce(sum(p.amount) filter (where p.direction = 'credit'), 0)::text as credits
          from ledger_postings p join ledger_accounts a on a.id = p.account_id
         where ${asOf ? sql`p.value_date <= ${asOf}::date` : sql`true`}
         group by a.pcg_account order by a.pcg_account`,
  );
  const lines = rows.map((r) => ({ pcgAccount: r.pcg_account, debits: toBigInt(r.debits), credits: toBigInt(r.credits) }));
  const totalDebits = lines.reduce((s, l) => s + l.debits, 0n);
  const totalCredits = lines.reduce((s, l) => s + l.credits, 0n);
  return { totalDebits, totalCredits, balanced: totalDebits === totalCredits, lines };
}
