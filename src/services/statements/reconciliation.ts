import { v7 as uuidv7 } from "uuid";
import type { Db } from "../../db/client";
import { alerts } from "../../db/schema/jobs";
import { runText } from "../../db/sql";
import { withTransaction } from "../../db/transaction";
import { NotFoundError } from "../../domain/errors";
import { centsToJson } from "../../domain/money";
import { balanceAsOf } from "../../ledger/balances";
import type { ServiceContext } from "../context";

export interface Reconciliation {
  bankAccountId: string;
  /** The closing date of the statement compared (the latest one closing on or before `date`). */
  statementDate: string;
  ledgerBalance: number;
  statementBalance: number;
  /** ledger − statement. */
  difference: number;
  /** Lines up to that date nobody has explained yet (suspense, or not yet matched). */
  unmatched: number;
}

const UNMATCHED_SQL = `select id from bank_statement_lines where bank_account_id = $1 and booking_date <= $2 and status in ('new', 'suspense') order by booking_date, id`;

async function compute(db: Db, bankAccountId: string, date: string): Promise<(Reconciliation & { unmatchedIds: string[] }) | null> {
  const [account] = await runText<{ address: string }>(db, "select ledger_address as address from bank_accounts where id = $1", [bankAccountId]);
  if (!account) throw new NotFoundError("bank account", bankAccountId);
  const [statement] = await runText<{ to: string; closing: string }>(
    db,
    `select to_date::text as "to", closing_balance::text as closing from bank_statements
      where bank_account_id = $1 and to_date <= $2 order by to_date desc, created_at desc limit 1`,
    [bankAccountId, date],
  );
  if (!statement) return null;
  const ledger = await balanceAsOf(db, account.address, statement.to).catch((error: unknown) => {
    // An account nothing was ever posted to has no ledger row yet: its balance is zero.
    if (error instanceof NotFoundError) return 0n;
    throw error;
  });
  const closing = BigInt(statement.closing);
  const unmatched = await runText<{ id: string }>(db, UNMATCHED_SQL, [bankAccountId, statement.to]);
  return {
    bankAccountId,
    statementDate: statement.to,
    ledgerBalance: centsToJson(ledger),
    statementBalance: centsToJson(closing),
    difference: centsToJson(ledger - closing),
    unmatched: unmatched.length,
    unmatchedIds: unmatched.map((r) => r.id),
  };
}

/**
 * The ledger's balance of the account at the latest statement's closing date against that
 * closing balance, on booking dates. No statement closing by then: 404.
 */
export async function reconcile({ ctx, bankAccountId, date }: { ctx: ServiceContext; bankAccountId: string; date: string }): Promise<Reconciliation> {
  const result = await compute(ctx.db, bankAccountId, date);
  if (!result) throw new NotFoundError("bank statement closing by", date);
  const { unmatchedIds: _, ...view } = result;
  return view;
}

/**
 * The nightly check: every account with a statement reconciled; a difference raises one
 * finance alert per account and statement date, naming the lines not yet explained.
 */
export async function checkReconciliations(db: Db, asOf: string): Promise<{ accounts: number; differences: number; alertsRaised: number }> {
  const accounts = await runText<{ id: string }>(db, "select distinct bank_account_id as id from bank_statements order by 1");
  let differences = 0;
  let alertsRaised = 0;
  for (const { id } of accounts) {
    const r = await compute(db, id, asOf);
    if (!r || r.difference === 0) continue;
    differences++;
    const episode = `${id}:${r.statementDate}`;
    const raised = await withTransaction(db, async (tx) => {
      const [open] = await runText(tx, "select 1 from alerts where type = 'bank_difference' and episode = $1 for update", [episode]);
      if (open) return false;
      await tx.insert(alerts).values({
        id: uuidv7(),
        beneficiaryId: null,
        type: "bank_difference",
        audience: "finance",
        episode,
        periods: [],
        evidence: {
          bankAccountId: id,
          date: r.statementDate,
          ledgerBalance: r.ledgerBalance,
          statementBalance: r.statementBalance,
          difference: r.difference,
          lineIds: r.unmatchedIds.slice(0, 100),
          unmatched: r.unmatched,
        },
      });
      return true;
    });
    if (raised) alertsRaised++;
  }
  return { accounts: accounts.length, differences, alertsRaised };
}
