import { createHash } from "node:crypto";
import { v7 as uuidv7 } from "uuid";
import type { BankEntry, BankFile, BankStatement } from "../../banking/statements/types";
import type { Tx } from "../../db/client";
import { alerts } from "../../db/schema/jobs";
import { runText } from "../../db/sql";
import { withTransaction } from "../../db/transaction";
import { checkConsistency, lineIdentities } from "../../domain/bank-statements";
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
async function findAccount(ctx: ServiceContext, statement: BankStatement): Promise<Account> {
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

/**
 * Reads a bank file already parsed (`readBankFile`) into the ledger: each statement in one
 * transaction (the account locked, so imports of one account queue; the statement and its
 * new lines stored; a statement that does not add up kept, marked and alerted), then each
 * new line matched (match-lines.ts). A pain.002 moves the orders it rejects. Every account
 * is found before anything is written: an unknown one refuses the whole file. The file's
 * statements are taken over (`file.statements` is emptied), so their entries can be freed.
 */
export async function importStatements(ctx: ServiceContext, file: BankFile): Promise<ImportOutcome> {
  if (file.kind === "status_report") {
    const orders = await applyStatusReports(ctx, file.reports);
    return { status: orders.rejected > 0 ? 201 : 200, statements: [], orders };
  }
  const accounts: Account[] = [];
  for (const s of file.statements) accounts.push(await findAccount(ctx, s));
  // The import takes the statements over: once stored, a statement's entries (100 000 lines
  // are ≈ 115 MB of heap) are let go before its lines are matched (bench:statement's peak RSS).
  const statements: (BankStatement | null)[] = file.statements;
  file.statements = [];
  let created = false;
  const ids: string[] = [];
  for (let i = 0; i < statements.length; i++) {
    const stored = await storeAndRelease(ctx, accounts[i]!, statements, i);
    created ||= stored.created;
    ids.push(stored.id);
    // A replay also finishes the matching an interrupted import left undone.
    await matchStatementLines(ctx, stored.id);
  }
  return { status: created ? 201 : 200, statements: await statementSummaries(ctx.db, ids) };
}

/** Stores statement `i` and drops the array's hold on it: nothing in the caller's frame keeps its entries alive while its lines are matched. */
function storeAndRelease(ctx: ServiceContext, account: Account, statements: (BankStatement | null)[], i: number) {
  const statement = statements[i]!;
  statements[i] = null;
  return withTransaction(ctx.db, (tx) => storeStatement(tx, ctx, account, statement));
}

async function storeStatement(tx: Tx, ctx: ServiceContext, account: Account, s: BankStatement): Promise<{ id: string; created: boolean }> {
  await runText(tx, "select id from bank_accounts where id = $1 for update", [account.id]);
  const key = statementKey(s);
  const [existing] = await runText<{ id: string }>(tx, "select id from bank_statements where bank_account_id = $1 and natural_key = $2", [account.id, key]);
  if (existing) return { id: existing.id, created: false };
  const [previous] = await runText<{ closing: string }>(
    tx,
    `select closing_balance::text as closing from bank_statements
      where bank_account_id = $1 and to_date <= $2 order by to_date desc, created_at desc limit 1`,
    [account.id, s.from],
  );
  const check = checkConsistency(s, previous ? BigInt(previous.closing) : null);
  const id = uuidv7();
  await runText(
    tx,
    `insert into bank_statements (id, bank_account_id, natural_key, format, statement_id, from_date, to_date, opening_balance, closing_balance,
        entry_count, difference, opening_gap, consistent, imported_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8::bigint, $9::bigint, $10, $11::bigint, $12::bigint, $13, $14)`,
    [
      id,
      account.id,
      key,
      s.format,
      s.statementId,
      s.from,
      s.to,
      s.openingBalance.toString(),
      s.closingBalance.toString(),
      s.entries.length,
      check.difference.toString(),
      check.openingGap.toString(),
      check.consistent,
      ctx.actor,
    ],
  );
  const identities = lineIdentities(s.entries.map((e) => ({ ...e, counterparty: counterpartyOf(e) })));
  let inserted = 0;
  for (let start = 0; start < s.entries.length; start += LINES_PER_INSERT) {
    const rows = s.entries.slice(start, start + LINES_PER_INSERT).map((e, j) => ({
      id: uuidv7(),
      key: hash(identities[start + j]!),
      position: e.position,
      bookingDate: e.bookingDate,
      valueDate: e.valueDate,
      amount: e.amount.toString(),
      bankReference: e.bankReference,
      label: e.label,
      transactionCode: e.transactionCode,
      details: e.details.map((d) => ({ ...d, amount: d.amount === null ? null : d.amount.toString() })),
    }));
    const result = await runText<{ n: number }>(
      tx,
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
      [account.id, id, JSON.stringify(rows)],
    );
    inserted += result[0]?.n ?? 0;
  }
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
      entries: s.entries.length,
      newLines: inserted,
      consistent: check.consistent,
      difference: centsToJson(check.difference),
      openingGap: centsToJson(check.openingGap),
    },
  });
  return { id, created: true };
}
