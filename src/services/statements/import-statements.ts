import { createHash } from "node:crypto";
import { v7 as uuidv7 } from "uuid";
import { openBankFile } from "../../banking/statements/read-bank-file";
import type { BankEntry, BankFile, BankStatement, StatementHead, StatementSink, StreamedBankFile } from "../../banking/statements/types";
import type { Tx } from "../../db/client";
import { alerts } from "../../db/schema/jobs";
import { runText } from "../../db/sql";
import { withTransaction } from "../../db/transaction";
import { checkConsistency, type LineFields, lineIdentifier } from "../../domain/bank-statements";
import { fieldError } from "../../domain/errors";
import { maskIban } from "../../domain/iban";
import { centsToJson } from "../../domain/money";
import { recordAudit, type ServiceContext } from "../context";
import { matchStatementLines } from "./match-lines";
import { type StatementSummary, statementSummaries } from "./statement-views";
import { applyStatusReports } from "./status-reports";

export interface ImportOutcome {
  /** 201 when the file brought a statement not seen before, 200 when it was all known. */
  status: 200 | 201;
  statements: StatementSummary[];
  /** A pain.002: the orders it moved. */
  orders?: { rejected: number; unknown: number; unchanged: number };
}

interface Account {
  id: string;
  ledgerAddress: string;
}

const LINES_PER_INSERT = 5_000;

const hash = (s: string) => createHash("sha256").update(s).digest("base64url");

/** The file's account: by IBAN, else by the RIB inside a French IBAN (bank, branch, account). */
async function findAccount(ctx: ServiceContext, statement: StatementHead): Promise<Account> {
  const iban = statement.iban?.replace(/\s+/g, "").toUpperCase() ?? null;
  const rib = statement.rib ? `${statement.rib.bank}${statement.rib.branch}${statement.rib.account}`.toUpperCase() : null;
  const [row] = await runText<Account>(
    ctx.db,
    `select id, ledger_address as "ledgerAddress" from bank_accounts
      where ($1::text is not null and iban = $1) or ($2::text is not null and iban like 'FR%' and substr(iban, 5, 21) = $2)
      order by (iban = $1) desc nulls last limit 1`,
    [iban, rib],
  );
  if (row) return row;
  const named = iban
    ? `IBAN ${maskIban(iban)}`
    : rib
      ? `RIB ${statement.rib!.bank} ${statement.rib!.branch} ${maskIban(statement.rib!.account)}`
      : "no account";
  throw fieldError("file", `the statement's account (${named}) is not one of our bank accounts`, "unknown_bank_account");
}

const statementKey = (s: BankStatement) => (s.statementId ? `id:${s.statementId}` : `span:${s.from}:${s.to}:${s.openingBalance}:${s.closingBalance}`);

const counterpartyOf = (e: BankEntry) => e.details.map((d) => `${d.counterpartyName ?? ""}/${d.counterpartyIban ?? ""}`).join("|");

/** Reads a file to a sink (`openBankFile`, or an already parsed file). */
type Reading = (sink: StatementSink) => Promise<StreamedBankFile>;

/**
 * Imports a bank file as it streams in (`openBankFile`): a bounded number of entries is
 * held at a time, stored as they come. All the file's statements are stored in ONE
 * transaction (each account locked, so imports of one account queue; the statement and
 * its new lines stored; a statement that does not add up kept, marked and alerted): a
 * file refused halfway (unreadable record, unknown account) leaves nothing behind. Then
 * each statement's new lines are matched (match-lines.ts), each in its own transactions.
 * A pain.002 moves the orders it rejects.
 */
export async function importBankFile(ctx: ServiceContext, input: AsyncIterable<Uint8Array> | Uint8Array): Promise<ImportOutcome> {
  // The head is read (the format told) before the transaction opens; a stream cannot be read twice: no retry.
  return importReading(ctx, await openBankFile(input), 1);
}

/** Imports a file already parsed (`readBankFile`): the same path as `importBankFile`. */
export function importStatements(ctx: ServiceContext, file: BankFile): Promise<ImportOutcome> {
  return importReading(ctx, async (sink) => {
    if (file.kind === "status_report") return file;
    for (const [index, statement] of file.statements.entries()) await sink.statement(index, statement);
    return { kind: "statements", format: file.statements[0]?.format ?? "camt.053" };
  });
}

async function importReading(ctx: ServiceContext, read: Reading, attempts?: number): Promise<ImportOutcome> {
  const { file, stored } = await withTransaction(
    ctx.db,
    async (tx) => {
      const writer = new StatementWriter(tx, ctx);
      const file = await read(writer);
      return { file, stored: writer.stored };
    },
    attempts,
  );
  if (file.kind === "status_report") {
    const orders = await applyStatusReports(ctx, file.reports);
    return { status: orders.rejected > 0 ? 201 : 200, statements: [], orders };
  }
  // A replay also finishes the matching an interrupted import left undone.
  for (const { id } of stored) await matchStatementLines(ctx, id);
  return {
    status: stored.some((s) => s.created) ? 201 : 200,
    statements: await statementSummaries(
      ctx.db,
      stored.map((s) => s.id),
    ),
  };
}

/** A statement being stored: its row (a provisional one until its end is read), its sums so far. */
interface OpenStatement {
  account: Account;
  id: string;
  entries: number;
  sum: bigint;
  inserted: number;
  identify: (e: LineFields) => string;
}

/** Stores the statements of one file inside one transaction, as their entries stream in. */
class StatementWriter implements StatementSink {
  readonly stored: { id: string; created: boolean }[] = [];
  private open: OpenStatement | null = null;
  private openIndex = -1;

  constructor(
    private readonly tx: Tx,
    private readonly ctx: ServiceContext,
  ) {}

  async entries(index: number, head: StatementHead, entries: BankEntry[]): Promise<void> {
    const open = await this.opened(index, head);
    for (let start = 0; start < entries.length; start += LINES_PER_INSERT) await this.insertLines(open, entries.slice(start, start + LINES_PER_INSERT));
  }

  async statement(index: number, s: BankStatement): Promise<void> {
    const open = await this.opened(index, s);
    await this.entries(index, s, s.entries);
    this.open = null;
    this.stored.push(await this.finish(open, s));
  }

  /** The statement's row, created at its first entry: its account found (refused if unknown) and locked. */
  private async opened(index: number, head: StatementHead): Promise<OpenStatement> {
    if (this.open && this.openIndex === index) return this.open;
    const account = await findAccount(this.ctx, head);
    await runText(this.tx, "select id from bank_accounts where id = $1 for update", [account.id]);
    const id = uuidv7();
    // Provisional until the statement's end is read (CFONB gives its closing balance last).
    await runText(
      this.tx,
      `insert into bank_statements (id, bank_account_id, natural_key, format, statement_id, from_date, to_date, opening_balance, closing_balance,
          entry_count, difference, opening_gap, consistent, imported_by)
       values ($1, $2, $3, $4, null, current_date, current_date, 0, 0, 0, 0, 0, false, $5)`,
      [id, account.id, `pending:${id}`, head.format, this.ctx.actor],
    );
    this.open = { account, id, entries: 0, sum: 0n, inserted: 0, identify: lineIdentifier() };
    this.openIndex = index;
    return this.open;
  }

  private async insertLines(open: OpenStatement, entries: BankEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const rows = entries.map((e) => {
      open.entries++;
      open.sum += e.amount;
      return {
        id: uuidv7(),
        key: hash(open.identify({ ...e, counterparty: counterpartyOf(e) })),
        position: e.position,
        bookingDate: e.bookingDate,
        valueDate: e.valueDate,
        amount: e.amount.toString(),
        bankReference: e.bankReference,
        label: e.label,
        transactionCode: e.transactionCode,
        details: e.details.map((d) => ({ ...d, amount: d.amount === null ? null : d.amount.toString() })),
      };
    });
    const result = await runText<{ n: number }>(
      this.tx,
      `with ins as (
         insert into bank_statement_lines (id, bank_account_id, statement_id, natural_key, position, booking_date, value_date, amount,
             bank_reference, label, transaction_code, details)
         select x.id, $1, $2, x.key, x.position, x."bookingDate", x."valueDate", x.amount::bigint, x."bankReference", x.label,
                x."transactionCode", x.details
           from jsonb_to_recordset($3::jsonb) as x(id uuid, key text, position int, "bookingDate" date, "valueDate" date, amount text,
                "bankReference" text, label text, "transactionCode" text, details jsonb)
         on conflict (bank_account_id, natural_key) do nothing
         returning 1)
       select count(*)::int as n from ins`,
      [open.account.id, open.id, JSON.stringify(rows)],
    );
    open.inserted += result[0]?.n ?? 0;
  }

  /**
   * The statement read to its end: a statement already imported (its natural key) keeps its
   * row, the provisional one and any line stored under it are dropped (as if never read);
   * else the row gets its header, its consistency, its alert and its audit.
   */
  private async finish(open: OpenStatement, s: BankStatement): Promise<{ id: string; created: boolean }> {
    const { tx, ctx } = this;
    const { account, id } = open;
    const key = statementKey(s);
    const [existing] = await runText<{ id: string }>(tx, "select id from bank_statements where bank_account_id = $1 and natural_key = $2", [account.id, key]);
    if (existing) {
      await runText(tx, "delete from bank_statement_lines where statement_id = $1", [id]);
      await runText(tx, "delete from bank_statements where id = $1", [id]);
      return { id: existing.id, created: false };
    }
    const [previous] = await runText<{ closing: string }>(
      tx,
      `select closing_balance::text as closing from bank_statements
        where bank_account_id = $1 and to_date <= $2 and id <> $3 and natural_key not like 'pending:%' order by to_date desc, created_at desc limit 1`,
      [account.id, s.from, id],
    );
    const check = checkConsistency({ ...s, entries: [{ amount: open.sum }] }, previous ? BigInt(previous.closing) : null);
    await runText(
      tx,
      `update bank_statements set natural_key = $2, statement_id = $3, from_date = $4, to_date = $5, opening_balance = $6::bigint,
          closing_balance = $7::bigint, entry_count = $8, difference = $9::bigint, opening_gap = $10::bigint, consistent = $11
        where id = $1`,
      [
        id,
        key,
        s.statementId,
        s.from,
        s.to,
        s.openingBalance.toString(),
        s.closingBalance.toString(),
        open.entries,
        check.difference.toString(),
        check.openingGap.toString(),
        check.consistent,
      ],
    );
    if (!check.consistent) {
      await tx.insert(alerts).values({
        id: uuidv7(),
        beneficiaryId: null,
        type: "statement_inconsistent",
        audience: "finance",
        episode: id,
        periods: [],
        evidence: {
          statementId: id,
          bankAccountId: account.id,
          from: s.from,
          to: s.to,
          difference: centsToJson(check.difference),
          openingGap: centsToJson(check.openingGap),
        },
      });
    }
    await recordAudit(tx, ctx, {
      action: "bank_statement.import",
      entityType: "bank_statement",
      entityId: id,
      changes: {
        bankAccountId: account.id,
        format: s.format,
        from: s.from,
        to: s.to,
        entries: open.entries,
        newLines: open.inserted,
        consistent: check.consistent,
        difference: centsToJson(check.difference),
        openingGap: centsToJson(check.openingGap),
      },
    });
    return { id, created: true };
  }
}
