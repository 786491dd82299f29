import { bigint, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/**
 * Append-only trail of every change (who, when, what, request id), written in the
 * same transaction as the change. Update and delete are refused by trigger. No
 * secondary index: the service only writes it (one row per credit, on the hot path),
 * so a reader that comes to need one adds it with its query.
 */
export const auditLog = pgTable("audit_log", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  actor: text("actor").notNull(),
  role: text("role").notNull(),
  requestId: text("request_id"),
  action: text("action").notNull(),
  entityType: text("entity_type").notNull(),
  entityId: uuid("entity_id").notNull(),
  beneficiaryId: uuid("beneficiary_id"),
  changes: jsonb("changes").$type<Record<string, unknown>>().notNull().default({}),
});
