import { sql } from "drizzle-orm";
import { type AnyPgColumn, bigint, boolean, check, date, index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { BANK_ACCOUNT_KINDS, PAIN_VERSIONS } from "../../domain/bank-accounts";
import { beneficiaries } from "./beneficiaries";
import { ledgerTransactions } from "./ledger";
import { sqlList } from "./sql-list";

/**
 * A bank account the provider holds the beneficiaries' money in. Each is one ledger
 * account (`ledger_address`: a system account, no cached balance, never locked); the
 * default pooled one keeps `bank:main`, the address every credit posted before it
 * existed. A beneficiary belongs to one account (`beneficiaries.bank_account_id`, null:
 * the default pooled one).
 */
export const bankAccounts = pgTable(
  "bank_accounts",
  {
    id: uuid("id").primaryKey(),
    name: text("name").notNull(),
    /** Null only for the default account the migration made from `bank:main`, until an admin gives it one. */
    iban: text("iban"),
    bic: text("bic"),
    kind: text("kind", { enum: BANK_ACCOUNT_KINDS }).notNull(),
    /** The beneficiary a `beneficiary` account belongs to. */
    beneficiaryId: uuid("beneficiary_id").references((): AnyPgColumn => beneficiaries.id),
    painVersion: text("pain_version", { enum: PAIN_VERSIONS }).notNull().default("pain.001.001.09"),
    /** One debit on the statement for the whole batch (true) or one per order. */
    batchBooking: boolean("batch_booking").notNull().default(true),
    ledgerAddress: text("ledger_address").notNull().unique(),
    /** The pooled account beneficiaries without an account of their own belong to: one at most. */
    isDefault: boolean("is_default").notNull().default(false),
    /** The go-live balance, posted once against the opening account. */
    openingBalance: bigint("opening_balance", { mode: "bigint" }),
    openingDate: date("opening_date", { mode: "string" }),
    openingTransactionId: uuid("opening_transaction_id").references(() => ledgerTransactions.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("bank_accounts_one_default").on(t.isDefault).where(sql`${t.isDefault}`),
    uniqueIndex("bank_accounts_iban_unique").on(t.iban),
    index("bank_accounts_beneficiary_idx").on(t.beneficiaryId),
    check("bank_accounts_kind", sql`${t.kind} IN (${sqlList(BANK_ACCOUNT_KINDS)})`),
    check("bank_accounts_pain_version", sql`${t.painVersion} IN (${sqlList(PAIN_VERSIONS)})`),
    check("bank_accounts_beneficiary_kind", sql`(${t.kind} = 'beneficiary') = (${t.beneficiaryId} IS NOT NULL)`),
    check("bank_accounts_default_pooled", sql`NOT ${t.isDefault} OR ${t.kind} = 'pooled'`),
    check("bank_accounts_iban_or_default", sql`${t.iban} IS NOT NULL OR ${t.isDefault}`),
    check("bank_accounts_address_format", sql`${t.ledgerAddress} ~ '^bank:[A-Za-z0-9_-]+$'`),
    check("bank_accounts_opening", sql`(${t.openingBalance} IS NULL) = (${t.openingDate} IS NULL)`),
  ],
);
