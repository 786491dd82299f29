import { sql } from "drizzle-orm";
import { check, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { ALL_ALERT_TYPES } from "../../domain/finance-alerts";
import { ALERT_EVENT_KINDS, DELIVERY_CHANNELS, DELIVERY_KINDS, DELIVERY_MODES, DELIVERY_STATUSES, SUBSCRIPTION_STATUSES } from "../../domain/notifications";
import { alerts } from "./jobs";
import { sqlList } from "./sql-list";
import { users } from "./users";

/** Per staff member and alert type: at once or in the daily digest. A finance member gets a finance alert only with a row. */
export const notificationPreferences = pgTable(
  "notification_preferences",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    alertType: text("alert_type", { enum: ALL_ALERT_TYPES }).notNull(),
    mode: text("mode", { enum: DELIVERY_MODES }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.alertType] }),
    check("notification_preferences_type", sql`${t.alertType} IN (${sqlList(ALL_ALERT_TYPES)})`),
    check("notification_preferences_mode", sql`${t.mode} IN (${sqlList(DELIVERY_MODES)})`),
    // A MASP 3 trigger is always immediate.
    check("notification_preferences_masp3", sql`${t.alertType} <> 'masp3_trigger' OR ${t.mode} = 'immediate'`),
  ],
);

/** A caseworker's absence (one at a time): their alerts go to the substitute from `from` to `to`, both included. */
export const userAbsences = pgTable(
  "user_absences",
  {
    userId: uuid("user_id")
      .primaryKey()
      .references(() => users.id),
    from: date("from", { mode: "string" }).notNull(),
    to: date("to", { mode: "string" }).notNull(),
    substituteId: uuid("substitute_id")
      .notNull()
      .references(() => users.id),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("user_absences_range", sql`${t.from} <= ${t.to}`), check("user_absences_other", sql`${t.substituteId} <> ${t.userId}`)],
);

/**
 * The outbox: one row per version of an alert (raised, arrears grown, closed), written
 * by the `alerts_outbox` trigger in the transaction that changed the alert, whoever
 * changed it. The dispatcher expands it into deliveries and stamps `dispatched_at`.
 */
export const notificationEvents = pgTable(
  "notification_events",
  {
    id: uuid("id").primaryKey(),
    alertId: uuid("alert_id")
      .notNull()
      .references(() => alerts.id),
    version: integer("version").notNull(),
    kind: text("kind", { enum: ALERT_EVENT_KINDS }).notNull(),
    /** The alert as this version left it: what its mails and webhooks say, whatever it becomes later. */
    alertStatus: text("alert_status").notNull(),
    periods: text("periods").array().notNull(),
    evidence: jsonb("evidence").$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    dispatchedAt: timestamp("dispatched_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("notification_events_version").on(t.alertId, t.version),
    index("notification_events_pending").on(t.createdAt).where(sql`${t.dispatchedAt} IS NULL`),
    check("notification_events_kind", sql`${t.kind} IN (${sqlList(ALERT_EVENT_KINDS)})`),
  ],
);

/** A webhook subscription; its secret signs every body and is shown once, at creation. */
export const webhookSubscriptions = pgTable(
  "webhook_subscriptions",
  {
    id: uuid("id").primaryKey(),
    url: text("url").notNull(),
    events: text("events").array().notNull(),
    secret: text("secret").notNull(),
    status: text("status", { enum: SUBSCRIPTION_STATUSES }).notNull().default("active"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    createdBy: text("created_by").notNull(),
    pausedAt: timestamp("paused_at", { withTimezone: true }),
    pauseReason: text("pause_reason"),
  },
  (t) => [check("webhook_subscriptions_status", sql`${t.status} IN (${sqlList(SUBSCRIPTION_STATUSES)})`)],
);

/**
 * One message to one recipient (a staff member's mailbox or a subscription): its
 * `delivery_key` (recipient + alert + version) makes it unique, so a re-dispatched
 * event never makes a second one; `id` is the webhook-id and the mail's Message-ID.
 */
export const notificationDeliveries = pgTable(
  "notification_deliveries",
  {
    id: uuid("id").primaryKey(),
    deliveryKey: text("delivery_key").notNull().unique(),
    channel: text("channel", { enum: DELIVERY_CHANNELS }).notNull(),
    kind: text("kind", { enum: DELIVERY_KINDS }).notNull(),
    eventId: uuid("event_id").references(() => notificationEvents.id),
    alertId: uuid("alert_id").references(() => alerts.id),
    /** The webhook event name, or the alert event kind for a mail. */
    event: text("event").notNull(),
    userId: uuid("user_id").references(() => users.id),
    subscriptionId: uuid("subscription_id").references(() => webhookSubscriptions.id),
    mode: text("mode", { enum: DELIVERY_MODES }).notNull().default("immediate"),
    status: text("status", { enum: DELIVERY_STATUSES }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    responseStatus: integer("response_status"),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    /** The digest a `grouped` item went out in. */
    digestId: uuid("digest_id"),
    /** A notice's subject and text (no personal data). */
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
  },
  (t) => [
    index("notification_deliveries_due").on(t.nextAttemptAt).where(sql`${t.status} = 'pending' AND ${t.mode} = 'immediate'`),
    index("notification_deliveries_digest").on(t.userId).where(sql`${t.status} = 'pending' AND ${t.mode} = 'digest'`),
    index("notification_deliveries_subscription").on(t.subscriptionId, t.createdAt),
    check("notification_deliveries_channel", sql`${t.channel} IN (${sqlList(DELIVERY_CHANNELS)})`),
    check("notification_deliveries_kind", sql`${t.kind} IN (${sqlList(DELIVERY_KINDS)})`),
    check("notification_deliveries_mode", sql`${t.mode} IN (${sqlList(DELIVERY_MODES)})`),
    check("notification_deliveries_status", sql`${t.status} IN (${sqlList(DELIVERY_STATUSES)})`),
    check(
      "notification_deliveries_recipient",
      sql`(${t.channel} = 'mail' AND ${t.userId} IS NOT NULL AND ${t.subscriptionId} IS NULL) OR (${t.channel} = 'webhook' AND ${t.subscriptionId} IS NOT NULL AND ${t.userId} IS NULL)`,
    ),
  ],
);

/** Without SMTP_URL: the mails, kept here and shown to admins (Courriels), written when the delivery is marked sent. */
export const outboundMails = pgTable(
  "outbound_mails",
  {
    id: uuid("id").primaryKey(),
    deliveryId: uuid("delivery_id")
      .notNull()
      .unique()
      .references(() => notificationDeliveries.id),
    messageId: text("message_id").notNull(),
    to: text("to").notNull(),
    subject: text("subject").notNull(),
    text: text("text").notNull(),
    html: text("html").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("outbound_mails_created").on(t.createdAt)],
);
