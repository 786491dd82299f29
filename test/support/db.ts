import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { inject } from "vitest";
import { type Database, openDatabase } from "../../src/db/client";
import { migrateDatabase } from "../../src/db/migrate";
import { ensureAccounts, SYSTEM_ACCOUNTS } from "../../src/ledger/accounts";
import { databaseUrl, TEST_ADMIN_URL } from "./env";

export interface TestDatabase extends Database {
  /** The URL `db` is connected with: the service's role unless opened as the owner. */
  readonly url?: string;
  /** The owner's URL of the same database: migrations, fixtures that need more than the service may do. */
  readonly ownerUrl?: string;
  /** Closes the pool and drops the database. */
  dispose(): Promise<void>;
}

/**
 * A fresh PostgreSQL database cloned from the run's migrated template, opened as the
 * service's least-privilege role (README, Database roles) unless `as: "owner"`: the
 * suites run with the rights the service has, no more.
 */
export async function createTestDatabase(options: { poolMax?: number; as?: "owner" | "service" } = {}): Promise<TestDatabase> {
  const name = `masp_t_${inject("runId")}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(TEST_ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    // Two files cloning the template at the same instant can collide; try again.
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.unsafe(`create database ${name} template ${inject("templateDatabase")}`);
        break;
      } catch (error) {
        if (attempt >= 10) throw error;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  } finally {
    await admin.end();
  }
  const url = databaseUrl(name, options.as ?? "service");
  const database = await openDatabase({ url, poolMax: options.poolMax ?? 10 });
  await ensureAccounts(database.db, SYSTEM_ACCOUNTS);
  return {
    ...database,
    url,
    ownerUrl: databaseUrl(name),
    async dispose() {
      await database.close();
      const admin2 = postgres(TEST_ADMIN_URL, { max: 1, onnotice: () => {} });
      await admin2.unsafe(`drop database if exists ${name} with (force)`);
      await admin2.end();
    },
  };
}

/** An in-memory PGlite database (PostgreSQL 18), migrated: the embedded default's engine. */
async function createPgliteDatabase(): Promise<TestDatabase> {
  const database = await openDatabase({ pgliteDir: "memory://" });
  await migrateDatabase(database);
  await ensureAccounts(database.db, SYSTEM_ACCOUNTS);
  return { ...database, dispose: () => database.close() };
}

export type DatabaseFactory = { name: string; create: () => Promise<TestDatabase> };

/** The ledger suites run on both engines. */
export const ENGINES: DatabaseFactory[] = [
  { name: "postgresql", create: () => createTestDatabase() },
  { name: "pglite", create: createPgliteDatabase },
];

/**
 * Both engines, PostgreSQL opened as the owner: for the suite that shows the triggers
 * refuse forbidden writes even to a role holding every privilege on the tables (the
 * service's role is refused earlier, by its missing privileges: test/db/service-role.test.ts).
 */
export const OWNER_ENGINES: DatabaseFactory[] = [
  { name: "postgresql as the owner", create: () => createTestDatabase({ as: "owner" }) },
  { name: "pglite", create: createPgliteDatabase },
];
