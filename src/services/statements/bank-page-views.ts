import type { Db } from "../../db/client";
import { runText, uuidArray } from "../../db/sql";
import { NotFoundError } from "../../domain/errors";
import type { ServiceContext } from "../context";
import { LINE_VIEW_SQL, type LineView, lineView } from "./statement-views";

/**
 * The reads the *Banque* pages need beside the API's views (statement-views.ts,
 * suspense.ts): names to show instead of ids, the decisions already proposed on a
 * suspense line, one suspense line with its counterparty. Read-only; no money moves here.
 */

/** Every bank account's name, by id (a statement names its account). */
export async function bankAccountNames(db: Db): Promise<Map<string, string>> {
  const rows = await runText<{ id: string; name: string }>(db, "select id, name from bank_accounts order by name");
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** The people a line matched, by id: `Nom Prénom` (finance staff and managers read every beneficiary). */
export async function beneficiaryNames(db: Db, ids: Iterable<string>): Promise<Map<string, string>> {
  const wanted = [...new Set(ids)].filter((id) => /^[0-9a-f-]{36}$/.test(id));
  if (wanted.length === 0) return new Map();
  const rows = await runText<{ id: string; name: string }>(
    db,
    "select id, last_name || ' ' || first_name as name from beneficiaries where id = any($1::uuid[])",
    [uuidArray(wanted)],
  );
  return new Map(rows.map((r) => [r.id, r.name]));
}

export interface PendingDecision {
  proposalId: string;
  /** `assign`, `forward`, `return` or `expense`. */
  decision: string;
  proposedBy: string;
  createdAt: string;
}

/** The four-eyes proposals still waiting on each of these suspense lines. */
export async function pendingSuspenseDecisions(db: Db, lineIds: Iterable<string>): Promise<Map<string, PendingDecision[]>> {
  const ids = [...new Set(lineIds)];
  const found = new Map<string, PendingDecision[]>();
  if (ids.length === 0) return found;
  const rows = await runText<{ lineId: string; proposalId: string; decision: string | null; proposedBy: string; createdAt: Date | string }>(
    db,
    `select payload->>'lineId' as "lineId", id as "proposalId", summary->>'decision' as decision, proposed_by_actor as "proposedBy", created_at as "createdAt"
       from proposals
      where kind = 'suspense.assign' and status = 'pending_approval' and payload->>'lineId' = any($1::text[])
      order by created_at`,
    [uuidArray(ids)],
  );
  for (const r of rows) {
    const list = found.get(r.lineId) ?? [];
    list.push({ proposalId: r.proposalId, decision: r.decision ?? "assign", proposedBy: r.proposedBy, createdAt: new Date(r.createdAt).toISOString() });
    found.set(r.lineId, list);
  }
  return found;
}

export interface BankLineDetail extends LineView {
  bankAccountId: string;
  statementId: string;
  counterpartyName: string | null;
  remittance: string | null;
}

/** One statement line, with its statement, account and the counterparty the bank named (for a person deciding on it). */
export async function readBankLine({ ctx, id }: { ctx: ServiceContext; id: string }): Promise<BankLineDetail> {
  const [row] = await runText<
    Omit<LineView, "amount"> & {
      amount: string;
      bankAccountId: string;
      statementId: string;
      details: { counterpartyName?: string | null; remittance?: string | null }[] | null;
    }
  >(
    ctx.db,
    `${LINE_VIEW_SQL.replace("from bank_statement_lines l", ', l.bank_account_id as "bankAccountId", l.statement_id as "statementId", l.details from bank_statement_lines l')}
      where l.id = $1`,
    [id],
  );
  if (!row) throw new NotFoundError("bank statement line", id);
  const { details, bankAccountId, statementId, ...line } = row;
  const first = (details ?? []).find((d) => d.counterpartyName || d.remittance);
  return {
    ...lineView(line),
    bankAccountId,
    statementId,
    counterpartyName: first?.counterpartyName ?? null,
    remittance: first?.remittance ?? null,
  };
}

/** The bank accounts that have at least one statement (those a reconciliation can compare). */
export async function accountsWithStatements(db: Db): Promise<string[]> {
  const rows = await runText<{ id: string }>(db, "select distinct bank_account_id as id from bank_statements order by 1");
  return rows.map((r) => r.id);
}
