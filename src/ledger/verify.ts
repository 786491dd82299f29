import { sql } from "drizzle-orm";
import type { Executor } from "../db/client";
import { queryRows, toBigInt } from "../db/sql";

interface BalanceDrift {
  address: string;
  cached: bigint;
  recomputed: bigint;
}

export interface VerifyReport {
  ok: boolean;
  accountsChecked: number;
  drift: BalanceDrift[];
  negative: string[];
  unbalancedTransactions: string[];
  totalDebits: bigint;
  totalCredits: bigint;
}

/**
 * Recomputes every cached balance from the postings and reports any drift, any
 * forbidden negative balance and any unbalanced transaction. The database makes all
 * three impossible; this is the auditor's independent check (and the nightly job's).
 */
export async function verifyLedger(executor: Executor): Promise<VerifyReport> {
  const drift = await queryRows<{ address: string; cached: string; recomputed: string }>(
    executor,
    sql`select a.address, a.balance::text as cached, coalesce(s.total, 0)::text as recomputed
          from ledger_accounts a
          left join (select p.account_id,
                            sum(case when p.direction = x.normal_side then p.amount else -p.amount end) as total
                       from ledger_postings p join ledger_accounts x on x.id = p.account_id
                      group by p.account_id) s on s.account_id = a.id
         where a.balance_cached and a.balance <> coalesce(s.total, 0)
         order by a.address`,
  );
  const negative = await queryRows<{ address: string }>(
    executor,
    sql`select address from ledger_accounts where not allow_negative and balance < 0 order by address`,
  );
  const unbalanced = await queryRows<{ transaction_id: string }>(
    executor,
    sql`select t.id as transaction_id from ledger_transactions t
          left join ledger_postings p on p.transaction_id = t.id
         group by t.id
        having coalesce(sum(case p.direction when 'debit' then p.amount else -p.amount end), 0) <> 0
            or count(p.id) filter (where p.direction = 'debit') = 0
            or count(p.id) filter (where p.direction = 'credit') = 0`,
  );
  const [totals] = await queryRows<{ accounts: string; debits: string; credits: string }>(
    executor,
    sql`select (select count(*) from ledger_accounts where balance_cached)::text as accounts,
               coalesce(sum(amount) filter (where direction = 'debit'), 0)::text as debits,
               coalesce(sum(amount) filter (where direction = 'credit'), 0)::text as credits
          from ledger_postings`,
  );
  const totalDebits = toBigInt(totals?.debits ?? "0");
  const totalCredits = toBigInt(totals?.credits ?? "0");
  const report: VerifyReport = {
    ok: false,
    accountsChecked: Number(totals?.accounts ?? 0),
    drift: drift.map((d) => ({ address: d.address, cached: toBigInt(d.cached), recomputed: toBigInt(d.recomputed) })),
    negative: negative.map((n) => n.address),
    unbalancedTransactions: unbalanced.map((u) => u.transaction_id),
    totalDebits,
    totalCredits,
  };
  report.ok = report.drift.length === 0 && report.negative.length === 0 && report.unbalancedTransactions.length === 0 && totalDebits === totalCredits;
  return report;
}
