import { sql } from "drizzle-orm";
import { bigint, boolean, check, date, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/**
 * The double-entry core. Invariants live in PostgreSQL (see the custom migration
 * `ledger_invariants`): append-only postings and transactions, balanced transactions,
 * cached balances maintained by trigger, no negative balance where forbidden.
 */
export const ledgerAccounts = pgTable(
  "ledger_accounts",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    /** Stable, readable address: `beneficiary:<uuid>:rent`, `bank:main`, `payer:CAF`. */
    address: text("address").notNull().unique(),
    /** Set for a beneficiary's envelopes; the shard key of tomorrow. */
    beneficiaryId: uuid("beneficiary_id"),
    label: text("label").notNull(),
    normalSide: text("normal_side", { enum: ["debit", "credit"] }).notNull(),
    /** Plan comptable général: class 4 for third-party funds, 512 for banks. */
    pcgAccount: text("pcg_account").notNull(),
    allowNegative: boolean("allow_negative").notNull(),
    /**
     * Whether `balance` is maintained row by row. System accounts touched by every
     * credit keep no such row (it would serialise all traffic): their balance is
     * derived from postings.
     */
    balanceCached: boolean("balance_cached").notNull(),
    /** In the account's normal side: credits − debits for a credit-normal account. */
    balance: bigint("balance", { mode: "bigint" }).notNull().default(sql`0`),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("ledger_accounts_beneficiary_idx").on(t.beneficiaryId),
    check("ledger_accounts_balance_non_negative", sql`${t.allowNegative} OR ${t.balance} >= 0`),
    check("ledger_accounts_non_negative_needs_cache", sql`${t.allowNegative} OR ${t.balanceCached}`),
    check("ledger_accounts_uncached_has_no_balance", sql`${t.balanceCached} OR ${t.balance} = 0`),
    check("ledger_accounts_pcg_format", sql`${t.pcgAccount} ~ '^[1-8][0-9]{2,7}$'`),
    check("ledger_accounts_address_format", sql`${t.address} ~ '^[a-z][a-z0-9_-]*(:[A-Za-z0-9_-]+)+$'`),
  ],
);

export const ledgerTransactions = pgTable(
  "ledger_transactions",
  {
    id: uuid("id").primaryKey(),
    kind: text("kind").notNull(),
    /** The bank or payer date; `created_at` is the insertion time. */
    valueDate: date("value_date", { mode: "string" }).notNull(),
    description: text("description").notNull(),
    idempotencyKey: text("idempotency_key").notNull().unique(),
    /** Hash of what the transaction moves: a replay must move exactly the same. */
    contentHash: text("content_hash").notNull(),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    actor: text("actor").notNull(),
    beneficiaryId: uuid("beneficiary_id"),
    /** A transaction is reversed at most once (unique), never edited. */
    reversesId: uuid("reverses_id").unique(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // A beneficiary's transactions, newest first (ids are UUIDv7, time-ordered).
    index("ledger_transactions_beneficiary_id_idx").on(t.beneficiaryId, t.id),
    check("ledger_transactions_kind_format", sql`${t.kind} ~ '^[a-z][a-z0-9_.]{0,63}$'`),
    check("ledger_transactions_key_length", sql`length(${t.idempotencyKey}) BETWEEN 1 AND 255`),
  ],
);

export const ledgerPostings = pgTable(
  "ledger_postings",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    /**
     * No foreign key: the posting trigger (`ledger_postings_apply`) accepts a posting only
     * when its transaction was inserted by the same database transaction, once per
     * statement, and transactions are never deleted. A foreign key checked the same thing
     * again, row by row, locking each new transaction once per posting (bench/README.md).
     */
    transactionId: uuid("transaction_id").notNull(),
    accountId: bigint("account_id", { mode: "number" })
      .notNull()
      .references(() => ledgerAccounts.id),
    direction: text("direction", { enum: ["debit", "credit"] }).notNull(),
    amount: bigint("amount", { mode: "bigint" }).notNull(),
    /** Copied from the transaction by trigger, so as-of balances need no join. */
    valueDate: date("value_date", { mode: "string" }).notNull(),
  },
  (t) => [
    index("ledger_postings_transaction_idx").on(t.transactionId),
    index("ledger_postings_account_idx").on(t.accountId, t.valueDate),
    check("ledger_postings_amount_positive", sql`${t.amount} > 0`),
  ],
);
