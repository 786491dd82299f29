import { sql } from "drizzle-orm";
import { type AnyPgColumn, bigint, boolean, check, date, index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { FINAL_PAYMENTS, type FinalStatement, PENDING_ORDER_CHOICES } from "../../domain/measure-closing";
import { MEASURE_LEVELS, MEASURE_STATUSES, REVIEW_OUTCOMES } from "../../domain/measure-rules";
import { beneficiaries } from "./beneficiaries";
import { sqlList } from "./sql-list";

/** A MASP contract period. A renewal is a new period chained to the previous one. */
export const measures = pgTable(
  "measures",
  {
    id: uuid("id").primaryKey(),
    beneficiaryId: uuid("beneficiary_id")
      .notNull()
      .references(() => beneficiaries.id),
    level: text("level", { enum: MEASURE_LEVELS }).notNull(),
    startDate: date("start_date", { mode: "string" }).notNull(),
    endDate: date("end_date", { mode: "string" }).notNull(),
    status: text("status", { enum: MEASURE_STATUSES }).notNull(),
    /** The prestations managed at the start; amendments change them from a date. */
    managedPrestations: text("managed_prestations").array().notNull(),
    extension: boolean("extension").notNull().default(false),
    extensionReason: text("extension_reason"),
    catalogueVersion: text("catalogue_version").notNull(),
    previousMeasureId: uuid("previous_measure_id")
      .unique()
      .references((): AnyPgColumn => measures.id),
    endedOn: date("ended_on", { mode: "string" }),
    endReason: text("end_reason"),
    endOrientation: text("end_orientation"),
    endComment: text("end_comment"),
    /** Reste à vivre (rule 6): what the person keeps each month for daily needs, served after the rent (cents). */
    livingMonthly: bigint("living_monthly", { mode: "bigint" }).notNull().default(sql`0`),
    /** Rule 7 opt-out: pay the reversement even while this month's rent is short. */
    reversementWhileRentShort: boolean("reversement_while_rent_short").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("measures_beneficiary_idx").on(t.beneficiaryId, t.startDate),
    check("measures_level", sql`${t.level} IN (${sqlList(MEASURE_LEVELS)})`),
    check("measures_status", sql`${t.status} IN (${sqlList(MEASURE_STATUSES)})`),
    check("measures_dates", sql`${t.startDate} <= ${t.endDate}`),
    check("measures_masp1_manages_nothing", sql`${t.level} = 'MASP2' OR cardinality(${t.managedPrestations}) = 0`),
    check("measures_extension_reason", sql`NOT ${t.extension} OR ${t.extensionReason} IS NOT NULL`),
    check("measures_living_monthly", sql`${t.livingMonthly} >= 0`),
    check("measures_end", sql`(${t.status} = 'ended') = (${t.endedOn} IS NOT NULL AND ${t.endReason} IS NOT NULL)`),
  ],
);

/** Status history and every event of a measure (opened, amended, reviewed, renewed, ended). */
export const measureEvents = pgTable(
  "measure_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    measureId: uuid("measure_id")
      .notNull()
      .references(() => measures.id),
    type: text("type", { enum: ["opened", "amended", "reviewed", "renewed", "ended", "closed"] }).notNull(),
    effectiveDate: date("effective_date", { mode: "string" }).notNull(),
    status: text("status").notNull(),
    actor: text("actor").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("measure_events_measure_idx").on(t.measureId, t.id)],
);

/** Bilans: a renewal needs one with the outcome `renew`. */
export const measureReviews = pgTable(
  "measure_reviews",
  {
    id: uuid("id").primaryKey(),
    measureId: uuid("measure_id")
      .notNull()
      .references(() => measures.id),
    reviewDate: date("review_date", { mode: "string" }).notNull(),
    author: text("author").notNull(),
    outcome: text("outcome", { enum: REVIEW_OUTCOMES }).notNull(),
    comment: text("comment"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("measure_reviews_measure_idx").on(t.measureId)],
);

/** Avenants: dated changes of the managed prestations (or of the budget plan, noted). */
export const measureAmendments = pgTable(
  "measure_amendments",
  {
    id: uuid("id").primaryKey(),
    measureId: uuid("measure_id")
      .notNull()
      .references(() => measures.id),
    effectiveDate: date("effective_date", { mode: "string" }).notNull(),
    reason: text("reason").notNull(),
    managedPrestations: text("managed_prestations").array(),
    extension: boolean("extension"),
    extensionReason: text("extension_reason"),
    budgetPlanNote: text("budget_plan_note"),
    /** A new end date of the contract period, and the one it replaced. */
    endDate: date("end_date", { mode: "string" }),
    previousEndDate: date("previous_end_date", { mode: "string" }),
    actor: text("actor").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("measure_amendments_measure_idx").on(t.measureId, t.effectiveDate)],
);

/**
 * The closing of an ended measure's accounts: one per measure (closing twice is a
 * conflict), with what was chosen, what was paid or held, and the final statement as it
 * stood, frozen so that the printed statement reads the same every time.
 */
export const measureClosings = pgTable(
  "measure_closings",
  {
    measureId: uuid("measure_id")
      .primaryKey()
      .references(() => measures.id),
    beneficiaryId: uuid("beneficiary_id")
      .notNull()
      .references(() => beneficiaries.id),
    closedOn: date("closed_on", { mode: "string" }).notNull(),
    pendingOrders: text("pending_orders", { enum: PENDING_ORDER_CHOICES }).notNull(),
    finalPayment: text("final_payment", { enum: FINAL_PAYMENTS }).notNull(),
    cancelledOrders: integer("cancelled_orders").notNull(),
    /** Cents left in the envelopes (a deceased person's estate, or `hold`). */
    held: bigint("held", { mode: "bigint" }).notNull(),
    /** The payer codes told to pay the person again. */
    payers: text("payers").array().notNull(),
    statement: jsonb("statement").$type<FinalStatement>().notNull(),
    actor: text("actor").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("measure_closings_beneficiary_idx").on(t.beneficiaryId),
    check("measure_closings_pending_orders", sql`${t.pendingOrders} IN (${sqlList(PENDING_ORDER_CHOICES)})`),
    check("measure_closings_final_payment", sql`${t.finalPayment} IN (${sqlList(FINAL_PAYMENTS)})`),
    check("measure_closings_held", sql`${t.held} >= 0`),
  ],
);
