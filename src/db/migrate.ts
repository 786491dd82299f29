import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import type { Database } from "./client";
import { pgError } from "./errors";
import { grantServiceRole, serviceRoleOf } from "./service-role";

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../drizzle", import.meta.url));
/** Any constant will do, as long as every process of this service uses the same one. */
const MIGRATION_LOCK_KEY = 271_271_001;

/**
 * Applies the committed migrations. On PostgreSQL, under a session advisory lock held
 * on a dedicated single connection, so two processes starting together take turns
 * (drizzle's own migrator takes no lock). ANALYZE afterwards: plans made against
 * empty statistics are the slowest (docs/performance.md, trap 1).
 *
 * `url` is the owner's. With `serviceUrl` (the service's own role), the owner then
 * grants that role what the service needs, under the same lock (src/db/service-role.ts).
 */
export async function migrateDatabase(database: Database, url?: string, serviceUrl?: string): Promise<void> {
  if (database.driver === "pglite") {
    await migratePglite(database.db as unknown as PgliteDatabase, { migrationsFolder: MIGRATIONS_FOLDER });
    return;
  }
  if (!url) throw new Error("migrateDatabase: a postgres URL is required for the postgres driver");
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    const db = drizzlePostgres({ client });
    await migratePostgres(db, { migrationsFolder: MIGRATIONS_FOLDER }).catch((error: unknown) => {
      // The likeliest cause: DATABASE_URL names the service's role and DATABASE_OWNER_URL is missing.
      if (pgError(error)?.code !== "42501") throw error;
      throw new Error("the role of the migration URL may not migrate: give the owner's URL as DATABASE_OWNER_URL (README, Database roles)", {
        cause: error,
      });
    });
    await db.execute(sql`analyze`);
    if (serviceUrl) await grantServiceRole(client, serviceRoleOf(serviceUrl));
    await client`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
  } finally {
    await client.end({ timeout: 5 });
  }
}
