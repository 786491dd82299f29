import { sql } from "drizzle-orm";
import { bigint, boolean, check, date, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import type { PostalAddress } from "../../domain/postal-address";
import { EXTERNAL_SOURCES, RENT_ENTRY_KINDS } from "../../domain/rent-periods";
import { beneficiaries } from "./beneficiaries";
import { addressCheck } from "./postal-address";

/** The housing lease; its amounts live in dated terms so past periods keep theirs. */
export const leases = pgTable(
  "leases",
  {
    id: uuid("id").primaryKey(),
    beneficiaryId: uuid("beneficiary_id")
      .notNull()
      .references(() => beneficiaries.id),
    landlordName: text("landlord_name").notNull(),
    landlordIban: text("landlord_iban").notNull(),
    landlordAddress: jsonb("landlord_address").$type<PostalAddress>(),
    dueDay: integer("due_day").notNull(),
    startDate: date("start_date", { mode: "string" }).notNull(),
    endDate: date("end_date", { mode: "string" }),
    /** The first period (`YYYY-MM`) the measure pays, when the caseworker gives it; else derived from the measure's start. */
    firstPeriod: text("first_period"),
    /** The first and last months are due pro rata of the days the lease covers. */
    prorata: boolean("prorata").notNull().default(false),
    /** Plan d'apurement agreed with the landlord: the most this lease's arrears take in a month (null: no plan). */
    arrearsPlanMonthly: bigint("arrears_plan_monthly", { mode: "bigint" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("leases_beneficiary_idx").on(t.beneficiaryId, t.startDate),
    check("leases_landlord_address", addressCheck(t.landlordAddress)),
    check("leases_due_day", sql`${t.dueDay} BETWEEN 1 AND 28`),
    check("leases_first_period", sql`${t.firstPeriod} IS NULL OR ${t.firstPeriod} ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`),
    check("leases_arrears_plan", sql`${t.arrearsPlanMonthly} IS NULL OR ${t.arrearsPlanMonthly} > 0`),
    check("leases_dates", sql`${t.endDate} IS NULL OR ${t.endDate} >= ${t.startDate}`),
  ],
);

/** Rent, charges and tiers-payant housing benefit in force from a month on. */
export const leaseTerms = pgTable(
  "lease_terms",
  {
    id: uuid("id").primaryKey(),
    leaseId: uuid("lease_id")
      .notNull()
      .references(() => leases.id),
    /** First day of the month from which these amounts apply. */
    effectiveMonth: date("effective_month", { mode: "string" }).notNull(),
    rent: bigint("rent", { mode: "bigint" }).notNull(),
    charges: bigint("charges", { mode: "bigint" }).notNull(),
    housingBenefitToLandlord: bigint("housing_benefit_to_landlord", { mode: "bigint" }).notNull(),
    /** What the person pays the landlord from income the association does not manage. */
    personShare: bigint("person_share", { mode: "bigint" }).notNull().default(sql`0`),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("lease_terms_month_unique").on(t.leaseId, t.effectiveMonth),
    check("lease_terms_first_of_month", sql`extract(day from ${t.effectiveMonth}) = 1`),
    check("lease_terms_amounts", sql`${t.rent} >= 0 AND ${t.charges} >= 0 AND ${t.housingBenefitToLandlord} >= 0 AND ${t.personShare} >= 0`),
    check("lease_terms_due_non_negative", sql`${t.rent} + ${t.charges} >= ${t.housingBenefitToLandlord} + ${t.personShare}`),
  ],
);

/**
 * Dated entries on a lease's period, append-only (a correction is a new entry): an
 * external payment counts as paid; a housing-aid adjustment (CAF recalculated the aid
 * paid to the landlord for a month that has begun) changes what is due, never the past terms.
 */
export const rentPeriodEntries = pgTable(
  "rent_period_entries",
  {
    id: uuid("id").primaryKey(),
    beneficiaryId: uuid("beneficiary_id")
      .notNull()
      .references(() => beneficiaries.id),
    leaseId: uuid("lease_id")
      .notNull()
      .references(() => leases.id),
    period: text("period").notNull(),
    kind: text("kind", { enum: RENT_ENTRY_KINDS }).notNull(),
    /** Cents; an adjustment is signed (more aid to the landlord: less due). */
    amount: bigint("amount", { mode: "bigint" }).notNull(),
    source: text("source", { enum: EXTERNAL_SOURCES }),
    evidence: text("evidence").notNull(),
    effectiveDate: date("effective_date", { mode: "string" }).notNull(),
    recordedBy: text("recorded_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("rent_period_entries_beneficiary_idx").on(t.beneficiaryId, t.period),
    check("rent_period_entries_period", sql`${t.period} ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`),
    check("rent_period_entries_kind", sql`${t.kind} IN ('external_payment', 'housing_aid_adjustment')`),
    check(
      "rent_period_entries_amount",
      sql`(${t.kind} = 'external_payment' AND ${t.amount} > 0 AND ${t.source} IS NOT NULL) OR (${t.kind} = 'housing_aid_adjustment' AND ${t.amount} <> 0 AND ${t.source} IS NULL)`,
    ),
  ],
);
