import { sql } from "drizzle-orm";
import { bigint, check, date, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { ALERT_AUDIENCES, ALL_ALERT_TYPES } from "../../domain/finance-alerts";
import { PAYMENT_METHODS, REVERSEMENT_FREQUENCIES, REVERSEMENT_MODES } from "../../domain/payment-plans";
import { ALERT_STATUSES } from "../../domain/unpaid-rent-alerts";
import { sqlList } from "./sql-list";

/**
 * How a beneficiary's remainder is paid back to them (reversement): weekly on a
 * weekday or monthly on a day, all that is available or a fixed amount, keeping a
 * buffer back. Without a row: monthly on the 10th, all available.
 */
export const reversementPlans = pgTable(
  "reversement_plans",
  {
    beneficiaryId: uuid("beneficiary_id").primaryKey(),
    frequency: text("frequency", { enum: REVERSEMENT_FREQUENCIES }).notNull(),
    /** ISO weekday, 1 = Monday … 7 = Sunday (weekly). */
    weekday: integer("weekday"),
    /** Day of the month, 1-31; a shorter month pays on its last day (monthly). */
    day: integer("day"),
    mode: text("mode", { enum: REVERSEMENT_MODES }).notNull(),
    amount: bigint("amount", { mode: "bigint" }),
    buffer: bigint("buffer", { mode: "bigint" }).notNull().default(sql`0`),
    /** How the money reaches the person: a transfer needs their IBAN; cash and cheque do not. */
    method: text("method", { enum: PAYMENT_METHODS }).notNull().default("transfer"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check(
      "reversement_plans_schedule",
      sql`(${t.frequency} = 'weekly' AND ${t.weekday} BETWEEN 1 AND 7 AND ${t.day} IS NULL) OR (${t.frequency} = 'monthly' AND ${t.day} BETWEEN 1 AND 31 AND ${t.weekday} IS NULL)`,
    ),
    check("reversement_plans_amount", sql`(${t.mode} = 'fixed' AND ${t.amount} > 0) OR (${t.mode} = 'all_available' AND ${t.amount} IS NULL)`),
    check("reversement_plans_buffer", sql`${t.buffer} >= 0`),
    check("reversement_plans_method", sql`${t.method} IN (${sqlList(PAYMENT_METHODS)})`),
  ],
);

/**
 * Alerts for caseworkers. One open episode per beneficiary and type (unique partial
 * index): re-runs of the check update it, never duplicate it; it closes itself when
 * the arrears are paid.
 */
export const alerts = pgTable(
  "alerts",
  {
    id: uuid("id").primaryKey(),
    /** Null for a finance alert about no one (a statement that does not add up, a bank difference). */
    beneficiaryId: uuid("beneficiary_id"),
    measureId: uuid("measure_id"),
    type: text("type", { enum: ALL_ALERT_TYPES }).notNull(),
    audience: text("audience", { enum: ALERT_AUDIENCES }).notNull().default("caseworker"),
    /** The first unpaid period of the episode: a re-run, or a caseworker's close, never starts it again. */
    episode: text("episode").notNull(),
    periods: text("periods").array().notNull(),
    evidence: jsonb("evidence").$type<Record<string, unknown>>().notNull().default({}),
    status: text("status", { enum: ALERT_STATUSES }).notNull().default("open"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    acknowledgedAt: timestamp("acknowledged_at", { withTimezone: true }),
    acknowledgedBy: text("acknowledged_by"),
    closedAt: timestamp("closed_at", { withTimezone: true }),
    closedBy: text("closed_by"),
    closeReason: text("close_reason"),
    closeComment: text("close_comment"),
  },
  (t) => [
    // One open episode per caseworker alert type; finance alerts are one per event.
    uniqueIndex("alerts_one_open_episode").on(t.beneficiaryId, t.type).where(sql`${t.status} <> 'closed' AND ${t.audience} = 'caseworker'`),
    uniqueIndex("alerts_episode_unique").on(t.beneficiaryId, t.type, t.episode),
    index("alerts_status_idx").on(t.status, t.type, t.createdAt),
    check("alerts_type", sql`${t.type} IN (${sqlList(ALL_ALERT_TYPES)})`),
    check("alerts_audience", sql`${t.audience} IN (${sqlList(ALERT_AUDIENCES)})`),
    check("alerts_status", sql`${t.status} IN (${sqlList(ALERT_STATUSES)})`),
  ],
);

/** `abandoned`: its worker died mid-run; BullMQ gave the job to another attempt (workers/job-runs.ts). */
export const JOB_RUN_STATUSES = ["running", "succeeded", "failed", "abandoned"] as const;
export const JOB_RUN_TRIGGERS = ["schedule", "manual"] as const;

/** Each run of a job for a business date, with its summary (the UI's "Traitements"). */
export const jobRuns = pgTable(
  "job_runs",
  {
    id: uuid("id").primaryKey(),
    job: text("job").notNull(),
    asOf: date("as_of", { mode: "string" }).notNull(),
    trigger: text("trigger", { enum: JOB_RUN_TRIGGERS }).notNull(),
    status: text("status", { enum: JOB_RUN_STATUSES }).notNull(),
    summary: jsonb("summary").$type<Record<string, unknown>>(),
    error: text("error"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    index("job_runs_job_idx").on(t.job, t.startedAt),
    check("job_runs_status", sql`${t.status} IN (${sqlList(JOB_RUN_STATUSES)})`),
    check("job_runs_trigger", sql`${t.trigger} IN (${sqlList(JOB_RUN_TRIGGERS)})`),
  ],
);
