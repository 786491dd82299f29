import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { lockPgliteDir } from "./pglite-lock";
import * as schema from "./schema/index";
import type { RawAccess, RawQuery } from "./sql";

type Schema = typeof schema;
/**
 * One handle type for both drivers: the service code never knows which it runs on.
 * `$raw` is the prepared-statement access for hot paths (see sql.ts).
 */
export type Db = PgDatabase<PgQueryResultHKT, Schema> & { readonly $raw: RawAccess };
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Anything that can run a query: the root handle or a transaction. */
export type Executor = Db | Tx;

export interface Database {
  readonly db: Db;
  readonly driver: "postgres" | "pglite";
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres:// URL; absent means the embedded PGlite under `pgliteDir`. */
  url?: string;
  pgliteDir?: string;
  poolMax?: number;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) {
    const client = postgres(options.url, {
      max: options.poolMax ?? 10,
      onnotice: () => {},
      connection: { application_name: "masp-ledger" },
    });
    const run = (q: Pick<postgres.Sql, "unsafe">) =>
      ((text: string, params: readonly unknown[] = []) => q.unsafe(text, params as never[], { prepare: true })) as RawQuery;
    const $raw: RawAccess = { query: run(client), begin: (work) => client.begin((tx) => work(run(tx))) as never };
    const db = Object.assign(drizzlePostgres({ client, schema }), { $raw }) as unknown as Db;
    return { db, driver: "postgres", close: () => client.end({ timeout: 5 }) };
  }
  const dir = options.pgliteDir ?? "./data/pglite";
  let client: PGlite;
  let unlock = () => {};
  if (dir === "memory://") {
    client = await PGlite.create();
  } else {
    mkdirSync(dir, { recursive: true });
    unlock = lockPgliteDir(dir);
    try {
      client = await PGlite.create(dir);
    } catch (error) {
      unlock();
      throw error;
    }
  }
  type Queryable = Pick<PGlite, "query">;
  const run = (q: Queryable) => (async (text: string, params: readonly unknown[] = []) => (await q.query(text, params as unknown[])).rows) as RawQuery;
  const $raw: RawAccess = { query: run(client), begin: (work) => client.transaction((tx) => work(run(tx))) };
  const db = Object.assign(drizzlePglite({ client, schema }), { $raw }) as unknown as Db;
  return {
    db,
    driver: "pglite",
    close: async () => {
      await client.close();
      unlock();
    },
  };
}
