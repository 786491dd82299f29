import { sql } from "drizzle-orm";
import { boolean, check, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { ROLES } from "../../domain/roles";
import { sqlList } from "./sql-list";

/** Staff: finance, admins and caseworkers (CESF), who sign in to the web UI (src/auth). */
export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey(),
    email: text("email").notNull().unique(),
    displayName: text("display_name").notNull(),
    role: text("role", { enum: ROLES }).notNull(),
    passwordHash: text("password_hash"),
    /** Set with every one-time password (creation, admin reset): the next sign-in must choose a new one. */
    mustChangePassword: boolean("must_change_password").notNull().default(false),
    /** TOTP secret (base32); it becomes a second factor once `totp_enabled_at` is set by a verified code. */
    totpSecret: text("totp_secret"),
    totpEnabledAt: timestamp("totp_enabled_at", { withTimezone: true }),
    /** The RFC 6238 time step of the last code accepted: a code is accepted once (no replay). */
    totpLastStep: integer("totp_last_step"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    disabledAt: timestamp("disabled_at", { withTimezone: true }),
  },
  (t) => [check("users_role_valid", sql`${t.role} IN (${sqlList(ROLES)})`)],
);
