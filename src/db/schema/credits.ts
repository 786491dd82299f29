import { sql } from "drizzle-orm";
import { bigint, check, date, index, integer, json, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";

/**
 * A prestation credit as received: the business record beside its ledger transaction
 * (same id). Append-only; a correction is a reversal in the ledger.
 */
export const credits = pgTable(
  "credits",
  {
    /**
     * Its ledger transaction's id. No foreign key: a trigger checks the inserted credits
     * once per statement (`credits_transaction_check`, migration 0030); a foreign key
     * checked them row by row, locking each new transaction (bench/README.md).
     */
    id: uuid("id").primaryKey(),
    beneficiaryId: uuid("beneficiary_id").notNull(),
    measureId: uuid("measure_id").notNull(),
    payer: text("payer").notNull(),
    prestation: text("prestation").notNull(),
    amount: bigint("amount", { mode: "bigint" }).notNull(),
    valueDate: date("value_date", { mode: "string" }).notNull(),
    reference: text("reference"),
    allocations: jsonb("allocations").$type<{ envelope: string; chargeId?: string; amount: string }[]>().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("credits_beneficiary_idx").on(t.beneficiaryId, t.valueDate),
    index("credits_value_date_idx").on(t.valueDate),
    check("credits_amount_positive", sql`${t.amount} > 0`),
  ],
);

/**
 * Idempotency of the HTTP operations that move money: the key, a hash of the request
 * and the response given. The primary key is what makes racing duplicates safe.
 */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    responseStatus: integer("response_status").notNull(),
    /** `json`, not `jsonb`: the replay is the very text first answered, keys in order. */
    response: json("response").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] })],
);
