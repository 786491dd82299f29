import { sql } from "drizzle-orm";
import { check, date, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { EARMARKS, MASP3_SCOPES, SCOPES } from "../../domain/catalogue";
import { sqlList } from "./sql-list";

/**
 * The D.271-2 catalogue as versioned reference data: a decree that changes the list
 * adds a version (a migration), it never edits the old one.
 */
export const prestationCatalogueVersions = pgTable("prestation_catalogue_versions", {
  version: text("version").primaryKey(),
  validFrom: date("valid_from", { mode: "string" }).notNull().unique(),
  source: text("source").notNull(),
});

export const prestationCatalogue = pgTable(
  "prestation_catalogue",
  {
    version: text("version")
      .notNull()
      .references(() => prestationCatalogueVersions.version),
    code: text("code").notNull(),
    item: integer("item").notNull(),
    label: text("label").notNull(),
    payer: text("payer").notNull(),
    scope: text("scope", { enum: SCOPES }).notNull(),
    earmarked: text("earmarked", { enum: EARMARKS }),
    masp3: text("masp3", { enum: MASP3_SCOPES }),
  },
  (t) => [
    primaryKey({ columns: [t.version, t.code] }),
    check("prestation_catalogue_scope", sql`${t.scope} IN (${sqlList(SCOPES)})`),
    check("prestation_catalogue_earmarked", sql`${t.earmarked} IS NULL OR ${t.earmarked} IN (${sqlList(EARMARKS)})`),
    check("prestation_catalogue_masp3", sql`${t.masp3} IS NULL OR ${t.masp3} IN (${sqlList(MASP3_SCOPES)})`),
  ],
);
