import postgres from "postgres";
import { type Database, openDatabase } from "../../src/db/client";
import { migrateDatabase } from "../../src/db/migrate";
import { ensureAccounts, SYSTEM_ACCOUNTS } from "../../src/ledger";

/** DATABASE_URL is an admin connection for the benchmarks: they work in scratch databases. */
export const BENCH_ADMIN_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface Scratch {
  url: string;
  database: Database;
}

/**
 * A scratch database for one benchmark: created, migrated, with the system accounts,
 * and dropped at the end whatever happens.
 */
export async function withScratchDatabase<T>(label: string, poolMax: number, work: (scratch: Scratch) => Promise<T>): Promise<T> {
  const name = `masp_bench_${label}_${process.pid}`;
  const admin = postgres(BENCH_ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(BENCH_ADMIN_URL);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), poolMax });
  try {
    await migrateDatabase(database, url.toString());
    await ensureAccounts(database.db, SYSTEM_ACCOUNTS);
    return await work({ url: url.toString(), database });
  } finally {
    await database.close();
    if (!process.env.BENCH_KEEP) await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}
