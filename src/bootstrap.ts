import type { Config } from "./config";
import { type Database, openDatabase } from "./db/client";
import { migrateDatabase } from "./db/migrate";
import { ensureAccounts, SYSTEM_ACCOUNTS } from "./ledger/accounts";
import type { Logger } from "./logger";

/**
 * Opens the database the configuration names (PGlite when DATABASE_URL is unset),
 * applies migrations (serialised between processes) and creates the system accounts.
 * Shared by the server and the CLI so both always see a migrated schema.
 */
export async function openMigratedDatabase(config: Config, logger: Logger): Promise<Database> {
  const database = await openDatabase({ url: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR, poolMax: config.DB_POOL_MAX });
  if (database.driver === "pglite") {
    logger.info({ dir: config.PGLITE_DIR }, "DATABASE_URL is not set: using the embedded PGlite database");
  }
  await migrateDatabase(database, config.DATABASE_URL);
  await ensureAccounts(database.db, SYSTEM_ACCOUNTS);
  return database;
}
