import { sql } from "drizzle-orm";
import { check, index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { ROLES } from "../../domain/roles";
import { sqlList } from "./sql-list";
import { users } from "./users";

/** API bearer tokens. Only a SHA-256 of the token is stored; the token is shown once. */
export const apiTokens = pgTable(
  "api_tokens",
  {
    id: uuid("id").primaryKey(),
    name: text("name").notNull(),
    role: text("role", { enum: ROLES }).notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    /** The staff member the token acts for; a caseworker token sees only their caseload. */
    userId: uuid("user_id").references(() => users.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [check("api_tokens_role_valid", sql`${t.role} IN (${sqlList(ROLES)})`), index("api_tokens_user_idx").on(t.userId)],
);
