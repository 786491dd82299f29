import { sql } from "drizzle-orm";
import { bigint, check, date, index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { CHARGE_CATEGORIES, CHARGE_FREQUENCIES } from "../../domain/charge-schedule";
import type { PostalAddress } from "../../domain/postal-address";
import { beneficiaries } from "./beneficiaries";
import { addressCheck } from "./postal-address";
import { sqlList } from "./sql-list";

/** A priority charge of the budget plan; lower priority is served first, after the rent. */
export const charges = pgTable(
  "charges",
  {
    id: uuid("id").primaryKey(),
    beneficiaryId: uuid("beneficiary_id")
      .notNull()
      .references(() => beneficiaries.id),
    label: text("label").notNull(),
    category: text("category", { enum: CHARGE_CATEGORIES }).notNull(),
    amount: bigint("amount", { mode: "bigint" }).notNull(),
    dueDay: integer("due_day").notNull(),
    priority: integer("priority").notNull(),
    creditorName: text("creditor_name").notNull(),
    creditorIban: text("creditor_iban").notNull(),
    creditorAddress: jsonb("creditor_address").$type<PostalAddress>(),
    frequency: text("frequency", { enum: CHARGE_FREQUENCIES }).notNull().default("monthly"),
    /** For quarterly and yearly charges: the months (1-12) in which they fall due. */
    months: integer("months").array().notNull().default(sql`'{}'::integer[]`),
    startDate: date("start_date", { mode: "string" }).notNull(),
    endDate: date("end_date", { mode: "string" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("charges_beneficiary_idx").on(t.beneficiaryId, t.priority),
    check("charges_creditor_address", addressCheck(t.creditorAddress)),
    check("charges_amount", sql`${t.amount} > 0`),
    check("charges_due_day", sql`${t.dueDay} BETWEEN 1 AND 28`),
    check("charges_priority", sql`${t.priority} BETWEEN 1 AND 1000`),
    check("charges_category", sql`${t.category} IN (${sqlList(CHARGE_CATEGORIES)})`),
    check("charges_frequency", sql`${t.frequency} IN (${sqlList(CHARGE_FREQUENCIES)})`),
    check("charges_dates", sql`${t.endDate} IS NULL OR ${t.endDate} >= ${t.startDate}`),
  ],
);
