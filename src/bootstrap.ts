import type { Config } from "./config";
import { type Database, openDatabase } from "./db/client";
import { migrateDatabase } from "./db/migrate";
import { ensureAccounts, SYSTEM_ACCOUNTS } from "./ledger/accounts";
import type { Logger } from "./logger";

/**
 * Opens the database the configuration names (PGlite when DATABASE_URL is unset),
 * applies migrations (serialised between processes) as the owner, grants the service's
 * role (DATABASE_OWNER_URL set) and creates the system accounts.
 * Shared by the server and the CLI so both always see a migrated schema.
 */
export async function openMigratedDatabase(config: Config, logger: Logger): Promise<Database> {
  const database = await openDatabase({ url: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR, poolMax: config.DB_POOL_MAX });
  if (database.driver === "pglite") {
    logger.info({ dir: config.PGLITE_DIR }, "DATABASE_URL is not set: using the embedded PGlite database");
  }
  if (database.driver === "postgres" && !config.DATABASE_OWNER_URL) {
    // Said once, at start, without the URL: the one role can disable the ledger's triggers.
    logger.warn(
      "DATABASE_OWNER_URL is not set: the service connects as the role that owns the tables, which may disable the ledger's triggers; give the service a role of its own (README, Database roles)",
    );
  }
  // On PostgreSQL the owner migrates and grants the service's role; postgres.js connects
  // lazily, so the service's pool first connects once its role exists and holds its grants.
  if (config.DATABASE_OWNER_URL) await migrateDatabase(database, config.DATABASE_OWNER_URL, config.DATABASE_URL);
  else await migrateDatabase(database, config.DATABASE_URL);
  await ensureAccounts(database.db, SYSTEM_ACCOUNTS);
  return database;
}
