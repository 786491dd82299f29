import { sql } from "drizzle-orm";
import { bigint, boolean, check, date, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { LINE_STATUSES, STATEMENT_FORMATS } from "../../domain/bank-statements";
import type { MatchingRuleSpec } from "../../domain/matching-rules";
import { bankAccounts } from "./banking";
import { sqlList } from "./sql-list";

/**
 * A bank statement as imported: one per account and period (its natural key: the bank's
 * statement id, else its dates and balances), so the same file again finds the same row.
 */
export const bankStatements = pgTable(
  "bank_statements",
  {
    id: uuid("id").primaryKey(),
    bankAccountId: uuid("bank_account_id")
      .notNull()
      .references(() => bankAccounts.id),
    naturalKey: text("natural_key").notNull(),
    format: text("format", { enum: STATEMENT_FORMATS }).notNull(),
    statementId: text("statement_id"),
    fromDate: date("from_date", { mode: "string" }).notNull(),
    toDate: date("to_date", { mode: "string" }).notNull(),
    openingBalance: bigint("opening_balance", { mode: "bigint" }).notNull(),
    closingBalance: bigint("closing_balance", { mode: "bigint" }).notNull(),
    /** Entries the file listed (some may have been imported already by an overlapping statement). */
    entryCount: integer("entry_count").notNull(),
    /** closing − (opening + entries); with the previous statement's closing, what `consistent` says. */
    difference: bigint("difference", { mode: "bigint" }).notNull(),
    /** The previous statement's closing differed from this opening by this much (0: it matched or there was none). */
    openingGap: bigint("opening_gap", { mode: "bigint" }).notNull(),
    consistent: boolean("consistent").notNull(),
    importedBy: text("imported_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("bank_statements_natural_key").on(t.bankAccountId, t.naturalKey),
    index("bank_statements_account_idx").on(t.bankAccountId, t.toDate),
    check("bank_statements_format", sql`${t.format} IN (${sqlList(STATEMENT_FORMATS)})`),
    check("bank_statements_dates", sql`${t.fromDate} <= ${t.toDate}`),
  ],
);

/**
 * One booked line, once per account whatever the number of statements that list it: its
 * natural key (account, booking date, bank reference; without one, its fields and its
 * ordinal among identical lines of that day) is unique, so overlapping statements never
 * post it twice. `status` is what matching made of it; `matched` says with what.
 */
export const bankStatementLines = pgTable(
  "bank_statement_lines",
  {
    id: uuid("id").primaryKey(),
    bankAccountId: uuid("bank_account_id")
      .notNull()
      .references(() => bankAccounts.id),
    /** The first statement that listed it. */
    statementId: uuid("statement_id")
      .notNull()
      .references(() => bankStatements.id),
    naturalKey: text("natural_key").notNull(),
    position: integer("position").notNull(),
    bookingDate: date("booking_date", { mode: "string" }).notNull(),
    valueDate: date("value_date", { mode: "string" }),
    amount: bigint("amount", { mode: "bigint" }).notNull(),
    bankReference: text("bank_reference"),
    label: text("label").notNull(),
    transactionCode: text("transaction_code"),
    /** The entry's transactions as the file gave them (EndToEndId, counterparty, remittance...). */
    details: jsonb("details").$type<Record<string, unknown>[]>().notNull(),
    status: text("status", { enum: LINE_STATUSES }).notNull().default("new"),
    /** Why it is in suspense (`payer_unknown`, `not_managed`...), or what settled it. */
    reason: text("reason"),
    matched: jsonb("matched").$type<Record<string, unknown>>(),
    /** The ledger transaction that moved the money (credit, suspense, fee), if any. */
    transactionId: uuid("transaction_id"),
    /** When a suspense line was decided (assigned, forwarded, returned, expensed). */
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("bank_statement_lines_natural_key").on(t.bankAccountId, t.naturalKey),
    index("bank_statement_lines_account_date_idx").on(t.bankAccountId, t.bookingDate),
    index("bank_statement_lines_statement_idx").on(t.statementId, t.position),
    index("bank_statement_lines_status_idx").on(t.status).where(sql`${t.status} IN ('new', 'suspense')`),
    check("bank_statement_lines_status", sql`${t.status} IN (${sqlList(LINE_STATUSES)})`),
    check("bank_statement_lines_amount", sql`${t.amount} <> 0`),
  ],
);

/**
 * How an incoming line is recognised, as data an admin edits: the payer by the debtor's
 * name or IBAN, the beneficiary's number in the remittance, the prestation by keywords.
 */
export const matchingRules = pgTable(
  "matching_rules",
  {
    payer: text("payer").primaryKey(),
    priority: integer("priority").notNull().default(100),
    active: boolean("active").notNull().default(true),
    spec: jsonb("spec").$type<MatchingRuleSpec>().notNull(),
    updatedBy: text("updated_by").notNull().default("migration"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("matching_rules_payer", sql`${t.payer} ~ '^[A-Z0-9_-]{1,40}$'`)],
);
