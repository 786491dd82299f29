import { bigint, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/**
 * Access traces: sign-ins (succeeded and failed), sign-outs, API tokens created and
 * revoked, reads of lists, searches and records of personal data. Who (user or token
 * id, role), when, from where (the client's address, or `cli`), what (the action, the
 * beneficiary, details that never hold a search's text). Append-only by trigger: a row
 * may only be deleted once older than the retention (a year), by the nightly purge.
 */
export const accessLog = pgTable(
  "access_log",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    action: text("action").notNull(),
    /** As in `audit_log`: `token:<label>`, `user:<e-mail>`, `cli`. */
    actor: text("actor").notNull(),
    role: text("role"),
    userId: uuid("user_id"),
    tokenId: uuid("token_id"),
    /** The client's address as the server saw it, `cli` for the command line. */
    source: text("source"),
    requestId: text("request_id"),
    beneficiaryId: uuid("beneficiary_id"),
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    index("access_log_at_idx").on(t.at, t.id),
    index("access_log_user_idx").on(t.userId, t.at),
    index("access_log_beneficiary_idx").on(t.beneficiaryId, t.at),
  ],
);
