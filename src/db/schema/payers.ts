import { check, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import type { PostalAddress } from "../../domain/postal-address";
import { addressCheck } from "./postal-address";

/**
 * The organisations that pay prestations (CAF, MSA, CARSAT, a Département...), keyed by
 * the code the catalogue and credits use. A MASP 3 request names them with their address
 * (R.271-8); statement matching recognises them by name or IBAN.
 */
export const payers = pgTable(
  "payers",
  {
    code: text("code").primaryKey(),
    name: text("name").notNull(),
    iban: text("iban"),
    address: jsonb("address").$type<PostalAddress>(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("payers_address", addressCheck(t.address))],
);
