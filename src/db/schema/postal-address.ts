import { type AnyColumn, type SQL, sql } from "drizzle-orm";

/** A postal address column (jsonb, nullable): when present, a town and an ISO 3166 alpha-2 country. */
export const addressCheck = (column: AnyColumn): SQL =>
  sql`${column} IS NULL OR (jsonb_typeof(${column}->'town') = 'string' AND (${column}->>'country') ~ '^[A-Z]{2}$')`;
