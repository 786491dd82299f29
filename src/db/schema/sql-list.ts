import { type SQL, sql } from "drizzle-orm";

/** `'a', 'b'`: the values a CHECK allows, spelled from the TypeScript constant that types the column. */
export const sqlList = (values: readonly string[]): SQL => sql.raw(values.map((v) => `'${v.replaceAll("'", "''")}'`).join(", "));
