import { sql } from "drizzle-orm";
import { bigint, check, customType, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import type { PainVersion } from "../../domain/bank-accounts";
import { BATCH_STATUSES } from "../../domain/payment-batches";
import type { PostalAddress } from "../../domain/postal-address";
import { bankAccounts } from "./banking";
import { paymentOrders } from "./payments";
import { sqlList } from "./sql-list";

/** The debtor of a batch's file as it was when the batch was prepared. */
export interface BatchDebtor {
  name: string;
  iban: string;
  bic: string | null;
  painVersion: PainVersion;
  batchBooking: boolean;
}

/**
 * A remise: the pending transfers of one bank account due by an execution date, handed
 * to the bank as one pain.001 file. Everything the file says is frozen here and in
 * `payment_batch_orders` when the batch is prepared, so the file is the same bytes (and
 * `MsgId`) on every download, whatever changes afterwards in the bank account, the
 * landlord or the beneficiary.
 */
export const paymentBatches = pgTable(
  "payment_batches",
  {
    id: uuid("id").primaryKey(),
    bankAccountId: uuid("bank_account_id")
      .notNull()
      .references(() => bankAccounts.id),
    /** A TARGET business day, on or after the day the batch was prepared. */
    executionDate: date("execution_date", { mode: "string" }).notNull(),
    status: text("status", { enum: BATCH_STATUSES }).notNull().default("prepared"),
    /** The file's `GrpHdr/MsgId` (≤ 35 characters). */
    msgId: text("msg_id").notNull().unique(),
    debtor: jsonb("debtor").$type<BatchDebtor>().notNull(),
    orderCount: integer("order_count").notNull(),
    total: bigint("total", { mode: "bigint" }).notNull(),
    preparedBy: text("prepared_by").notNull(),
    /** The file's `CreDtTm`. */
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    dissolvedAt: timestamp("dissolved_at", { withTimezone: true }),
  },
  (t) => [
    index("payment_batches_account_idx").on(t.bankAccountId, t.executionDate),
    index("payment_batches_status_idx").on(t.status, t.createdAt),
    check("payment_batches_status", sql`${t.status} IN (${sqlList(BATCH_STATUSES)})`),
    check("payment_batches_total", sql`${t.total} > 0 AND ${t.orderCount} > 0`),
    check("payment_batches_msg_id", sql`length(${t.msgId}) <= 35`),
  ],
);

/**
 * The orders of a batch, each with the transaction the file carries for it. An order
 * may appear in several batches over time (a dissolved batch releases its orders), in
 * at most one live one: the order's own status (`batched`) is what guards that.
 */
export const paymentBatchOrders = pgTable(
  "payment_batch_orders",
  {
    batchId: uuid("batch_id")
      .notNull()
      .references(() => paymentBatches.id),
    orderId: uuid("order_id")
      .notNull()
      .references(() => paymentOrders.id),
    /** The order's UUID without hyphens: 32 characters, unique, finds the order again. */
    endToEndId: text("end_to_end_id").notNull(),
    amount: bigint("amount", { mode: "bigint" }).notNull(),
    creditorName: text("creditor_name").notNull(),
    creditorIban: text("creditor_iban").notNull(),
    creditorBic: text("creditor_bic"),
    creditorAddress: jsonb("creditor_address").$type<PostalAddress>(),
    remittance: text("remittance").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.batchId, t.orderId] }),
    index("payment_batch_orders_order_idx").on(t.orderId),
    check("payment_batch_orders_amount", sql`${t.amount} > 0`),
    check("payment_batch_orders_end_to_end", sql`length(${t.endToEndId}) <= 35`),
  ],
);

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => "bytea" });

/**
 * A batch's pain.001 file as it was first generated, kept so that every download is
 * the same bytes (and `MsgId`) even after the writer's code changes: its size and
 * SHA-256, its parts in `payment_batch_file_parts`. Written once (under the batch's row
 * lock), never changed.
 */
export const paymentBatchFiles = pgTable(
  "payment_batch_files",
  {
    batchId: uuid("batch_id")
      .primaryKey()
      .references(() => paymentBatches.id),
    /** The XML's size in bytes (the parts are gzip). */
    bytes: bigint("bytes", { mode: "number" }).notNull(),
    sha256: text("sha256").notNull(),
    parts: integer("parts").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("payment_batch_files_parts", sql`${t.parts} > 0 AND ${t.bytes} > 0`)],
);

/**
 * The file's gzip stream cut in parts of about a megabyte: written and read one part at
 * a time, so neither the 100 000-order file nor its gzip is ever whole in memory.
 */
export const paymentBatchFileParts = pgTable(
  "payment_batch_file_parts",
  {
    batchId: uuid("batch_id")
      .notNull()
      .references(() => paymentBatches.id),
    seq: integer("seq").notNull(),
    gzip: bytea("gzip").notNull(),
  },
  (t) => [primaryKey({ columns: [t.batchId, t.seq] })],
);
