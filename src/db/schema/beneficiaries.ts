import { sql } from "drizzle-orm";
import { type AnyPgColumn, boolean, check, date, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import type { PostalAddress } from "../../domain/postal-address";
import { bankAccounts } from "./banking";
import { addressCheck } from "./postal-address";
import { users } from "./users";

/**
 * The adult under the measure. The minimum personal data: no social security number,
 * no health information; the CAF/MSA number is the external key.
 */
export const beneficiaries = pgTable(
  "beneficiaries",
  {
    id: uuid("id").primaryKey(),
    firstName: text("first_name").notNull(),
    lastName: text("last_name").notNull(),
    birthDate: date("birth_date", { mode: "string" }).notNull(),
    cafNumber: text("caf_number"),
    msaNumber: text("msa_number"),
    iban: text("iban"),
    caseworkerId: uuid("caseworker_id").references(() => users.id),
    /** A family-budget judicial measure exists: the R.271-3 extension is refused. */
    mjagbf: boolean("mjagbf").notNull().default(false),
    address: jsonb("address").$type<PostalAddress>(),
    /** The bank account the beneficiary's money is held in; null: the default pooled one. */
    bankAccountId: uuid("bank_account_id").references((): AnyPgColumn => bankAccounts.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    archivedAt: timestamp("archived_at", { withTimezone: true }),
  },
  (t) => [
    index("beneficiaries_name_idx").on(sql`lower(${t.lastName})`, sql`lower(${t.firstName})`, t.id),
    index("beneficiaries_caf_idx").on(t.cafNumber),
    index("beneficiaries_caseworker_idx").on(t.caseworkerId),
    check("beneficiaries_caf_digits", sql`${t.cafNumber} IS NULL OR ${t.cafNumber} ~ '^[0-9]{1,13}$'`),
    check("beneficiaries_address", addressCheck(t.address)),
    check("beneficiaries_msa_digits", sql`${t.msaNumber} IS NULL OR ${t.msaNumber} ~ '^[0-9]{1,13}$'`),
    // A statement line names the allocataire by number, leading zeros or not (match-lines.ts): found by index, not by a scan.
    index("beneficiaries_caf_digits_idx").on(sql`ltrim(${t.cafNumber}, '0')`),
    index("beneficiaries_msa_digits_idx").on(sql`ltrim(${t.msaNumber}, '0')`),
  ],
);
