import { boolean, index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { users } from "./users";

/** Web UI sessions: the cookie holds a random token, only its SHA-256 is stored. */
export const uiSessions = pgTable(
  "ui_sessions",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    /** Synchronizer token checked on every form post (CSRF). */
    csrfToken: text("csrf_token").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    /** Absolute end of the session, whatever its activity. */
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    /** Moved by every request: the session ends after `IDLE_MINUTES` without one (sliding). */
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    /** The password was right but the TOTP code is still due: such a session opens only the code page. */
    awaitingTotp: boolean("awaiting_totp").notNull().default(false),
  },
  (t) => [index("ui_sessions_user_idx").on(t.userId)],
);
