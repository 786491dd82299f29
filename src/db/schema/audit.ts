import { bigint, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/**
 * Append-only trail of every change (who, when, what, request id), written in the
 * same transaction as the change. Update and delete are refused by trigger. One row
 * per credit on the hot path, so an index stays only where a reader needs it: the
 * journal filtered by beneficiary (GET /v1/audit, the fiche's history).
 */
export const auditLog = pgTable(
  "audit_log",
  {
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
  },
  (t) => [
    index("audit_log_beneficiary_idx").on(t.beneficiaryId, t.at),
    // GET /v1/audit pages through the trail by time (appended at the right edge: cheap to keep).
    index("audit_log_at_idx").on(t.at, t.id),
  ],
);
