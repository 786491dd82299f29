import type { Db } from "../../db/client";
import { runText } from "../../db/sql";
import { NotFoundError } from "../../domain/errors";
import { centsToJson } from "../../domain/money";
import type { ServiceContext } from "../context";

export interface StatementSummary {
  id: string;
  bankAccountId: string;
  format: "camt.053" | "cfonb120";
  from: string;
  to: string;
  openingBalance: number;
  closingBalance: number;
  lines: number;
  matched: number;
  suspense: number;
  consistent: boolean;
  difference: number;
  openingGap: number;
  importedAt: string;
}

/** A statement's entries are the account's lines booked within its dates: shared with any statement that overlaps it. */
const SUMMARY_SQL = `select s.id, s.bank_account_id as "bankAccountId", s.format, s.from_date::text as "from", s.to_date::text as "to",
    s.opening_balance::text as opening, s.closing_balance::text as closing, s.entry_count as lines,
    (select count(*) from bank_statement_lines l where l.bank_account_id = s.bank_account_id and l.booking_date between s.from_date and s.to_date
        and l.status not in ('new', 'suspense'))::int as matched,
    (select count(*) from bank_statement_lines l where l.bank_account_id = s.bank_account_id and l.booking_date between s.from_date and s.to_date
        and l.status = 'suspense')::int as suspense,
    s.consistent, s.difference::text as difference, s.opening_gap::text as "openingGap", s.created_at as "importedAt"
  from bank_statements s`;

type SummaryRow = Omit<StatementSummary, "openingBalance" | "closingBalance" | "difference" | "openingGap" | "importedAt"> & {
  opening: string;
  closing: string;
  difference: string;
  openingGap: string;
  importedAt: Date | string;
};

const summary = (r: SummaryRow): StatementSummary => ({
  id: r.id,
  bankAccountId: r.bankAccountId,
  format: r.format,
  from: r.from,
  to: r.to,
  openingBalance: centsToJson(BigInt(r.opening)),
  closingBalance: centsToJson(BigInt(r.closing)),
  lines: r.lines,
  matched: r.matched,
  suspense: r.suspense,
  consistent: r.consistent,
  difference: centsToJson(BigInt(r.difference)),
  openingGap: centsToJson(BigInt(r.openingGap)),
  importedAt: new Date(r.importedAt).toISOString(),
});

export async function statementSummaries(db: Db, ids: readonly string[]): Promise<StatementSummary[]> {
  if (ids.length === 0) return [];
  const rows = await runText<SummaryRow>(db, `${SUMMARY_SQL} where s.id = any($1::uuid[])`, [`{${ids.join(",")}}`]);
  const byId = new Map(rows.map((r) => [r.id, summary(r)]));
  return ids.map((id) => byId.get(id)!);
}

export async function listStatements({ ctx, data }: { ctx: ServiceContext; data: { bankAccountId?: string; limit: number } }) {
  const rows = await runText<SummaryRow>(
    ctx.db,
    `${SUMMARY_SQL} where ($1::uuid is null or s.bank_account_id = $1) order by s.to_date desc, s.created_at desc limit $2`,
    [data.bankAccountId ?? null, data.limit],
  );
  return rows.map(summary);
}

export interface LineView {
  id: string;
  bookingDate: string;
  valueDate: string | null;
  amount: number;
  label: string;
  status: "new" | "matched" | "suspense" | "settled_order" | "rejected_order" | "returned_order";
  reason: string | null;
  matched: Record<string, unknown> | null;
  transactionId: string | null;
}

export const LINE_VIEW_SQL = `select l.id, l.booking_date::text as "bookingDate", l.value_date::text as "valueDate", l.amount::text as amount, l.label,
  l.status, l.reason, l.matched, l.transaction_id as "transactionId" from bank_statement_lines l`;

export const lineView = (r: Omit<LineView, "amount"> & { amount: string }): LineView => ({ ...r, amount: centsToJson(BigInt(r.amount)) });

export async function readStatement({ ctx, id }: { ctx: ServiceContext; id: string }) {
  const [head] = await statementSummaries(ctx.db, [id]).catch(() => []);
  if (!head) throw new NotFoundError("bank statement", id);
  const rows = await runText<Omit<LineView, "amount"> & { amount: string }>(
    ctx.db,
    `${LINE_VIEW_SQL} join bank_statements s on s.id = $1
      where l.bank_account_id = s.bank_account_id and l.booking_date between s.from_date and s.to_date
      order by l.booking_date, l.statement_id = s.id desc, l.position, l.id`,
    [id],
  );
  return { ...head, entries: rows.map(lineView) };
}
