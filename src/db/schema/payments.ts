import { sql } from "drizzle-orm";
import { bigint, check, date, index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { PAYMENT_KINDS, PAYMENT_METHODS, PAYMENT_STATUSES } from "../../domain/payment-plans";
import type { PostalAddress } from "../../domain/postal-address";
import { bankAccounts } from "./banking";
import { ledgerTransactions } from "./ledger";
import { addressCheck } from "./postal-address";
import { sqlList } from "./sql-list";

/**
 * A payment to a landlord, a creditor or the beneficiary, posted in the ledger
 * (envelope → payments in transit) in the same transaction. Its natural key
 * (beneficiary, kind, period or charge, business date) makes each order exactly-once.
 */
export const paymentOrders = pgTable(
  "payment_orders",
  {
    id: uuid("id").primaryKey(),
    naturalKey: text("natural_key").notNull().unique(),
    beneficiaryId: uuid("beneficiary_id").notNull(),
    measureId: uuid("measure_id").notNull(),
    kind: text("kind", { enum: PAYMENT_KINDS }).notNull(),
    /** `YYYY-MM` the rent or charge is for; null for a reversement. */
    period: text("period"),
    /** The lease a rent order pays: after a move, each lease's periods are paid to its own landlord. */
    leaseId: uuid("lease_id"),
    chargeId: uuid("charge_id"),
    businessDate: date("business_date", { mode: "string" }).notNull(),
    amount: bigint("amount", { mode: "bigint" }).notNull(),
    creditorName: text("creditor_name").notNull(),
    /** Null for cash and cheque: only transfers carry an IBAN. */
    creditorIban: text("creditor_iban"),
    method: text("method", { enum: PAYMENT_METHODS }).notNull().default("transfer"),
    /** The cheque's number, recorded when it is handed over (matched on the statement). */
    chequeNumber: text("cheque_number"),
    /** The receipt of a cash handover. */
    receiptNumber: text("receipt_number"),
    /** A one-off payment's creditor address (a rent or charge order reads its lease's or charge's). */
    creditorAddress: jsonb("creditor_address").$type<PostalAddress>(),
    /** Why a one-off payment is made (an invoice, an advance): its remittance text. */
    reason: text("reason"),
    status: text("status", { enum: PAYMENT_STATUSES }).notNull().default("pending"),
    ledgerTransactionId: uuid("ledger_transaction_id")
      .notNull()
      .unique()
      .references(() => ledgerTransactions.id),
    /** The account the money leaves from: set when the order is batched or settled, kept after. */
    bankAccountId: uuid("bank_account_id").references(() => bankAccounts.id),
    /** When the status last changed, and the date (bank or outside) it records. */
    statusDate: date("status_date", { mode: "string" }),
    /** ISO 20022 reason of a rejection or a return (src/domain/payment-reasons.ts). */
    reasonCode: text("reason_code"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("payment_orders_beneficiary_idx").on(t.beneficiaryId, t.kind, t.period),
    index("payment_orders_status_idx").on(t.status, t.businessDate),
    check("payment_orders_amount_positive", sql`${t.amount} > 0`),
    check("payment_orders_kind", sql`${t.kind} IN (${sqlList(PAYMENT_KINDS)})`),
    check("payment_orders_method", sql`${t.method} IN (${sqlList(PAYMENT_METHODS)})`),
    check("payment_orders_transfer_iban", sql`${t.method} <> 'transfer' OR ${t.creditorIban} IS NOT NULL`),
    check("payment_orders_status", sql`${t.status} IN (${sqlList(PAYMENT_STATUSES)})`),
    check("payment_orders_creditor_address", addressCheck(t.creditorAddress)),
    // A statement names a cheque by its number: one cheque per number and account.
    uniqueIndex("payment_orders_cheque_number_idx").on(t.bankAccountId, t.chequeNumber).where(sql`${t.chequeNumber} IS NOT NULL`),
    check("payment_orders_period", sql`${t.period} IS NULL OR ${t.period} ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`),
  ],
);
