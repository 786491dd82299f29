import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { lockPgliteDir } from "./pglite-lock";
import * as schema from "./schema/index";
import type { RawAccess, RawQuery, RawWork } from "./sql";

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
    const $raw: RawAccess = { query: run(client), begin: (work) => pipelinedTransaction(client, run, work) };
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
  const $raw: RawAccess = {
    query: run(client),
    begin: (work) =>
      client.transaction((tx) => {
        // One connection, nothing to pipeline: the last statement is a statement like the others.
        const query = run(tx);
        return work(query, query);
      }),
  };
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

/**
 * The connection is gone: the server ended its session (a FATAL error: a backend
 * terminated, the server shutting down; SQLSTATE classes 08 and 57P), postgres.js
 * reports it closed (`CONNECTION_*`), or its socket failed (an error with `syscall`).
 */
function connectionLost(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, severity, syscall } = error as { code?: unknown; severity?: unknown; syscall?: unknown };
  return severity === "FATAL" || severity === "PANIC" || /^(08|57P|CONNECT(ION)?_)/.test(String(code)) || typeof syscall === "string";
}

/**
 * A transaction on one reserved connection whose BEGIN travels with the work's first
 * queries, and whose COMMIT can travel with its last (`finish`): postgres.js's own
 * `begin` waits for BEGIN's answer before the first query and for the last query's
 * answer before COMMIT, two round trips (and two waits for a busy event loop) more per
 * transaction on the credit path (bench/README.md). BEGIN's failure reaches the work
 * through each query. The connection goes back to the pool only when its COMMIT or
 * ROLLBACK was answered; one that was lost is never written to again (postgres.js would
 * write to its closed socket) and stays with the pool's closed ones, to be reopened.
 */
async function pipelinedTransaction<T>(client: postgres.Sql, run: (q: Pick<postgres.Sql, "unsafe">) => RawQuery, work: RawWork<T>): Promise<T> {
  const reserved = await client.reserve();
  let lost = false;
  const watch = <P>(promise: Promise<P>): Promise<P> =>
    promise.catch((error: unknown) => {
      if (connectionLost(error)) lost = true;
      throw error;
    });
  const raw = run(reserved);
  const begun = watch(reserved.unsafe("begin")).then(() => undefined);
  begun.catch(() => {});
  let commit: Promise<unknown> | undefined;
  const lostError = () => new Error("the transaction's connection was lost");
  const query: RawQuery = <R>(text: string, params?: readonly unknown[]) => {
    if (lost) return Promise.reject(lostError());
    if (commit) return Promise.reject(new Error("a query after the transaction's last statement"));
    return Promise.all([begun, watch(raw<R>(text, params))]).then(([, rows]) => rows);
  };
  const finish: RawQuery = <R>(text: string, params?: readonly unknown[]) => {
    const rows = query<R>(text, params);
    // After a failed statement PostgreSQL answers this COMMIT with ROLLBACK: the statement's error is the one reported.
    if (!lost) commit = watch(reserved.unsafe("commit"));
    return Promise.all([rows, commit]).then(([r]) => r);
  };
  let healthy = false;
  try {
    const result = await work(query, finish);
    if (lost) throw lostError();
    commit ??= watch(reserved.unsafe("commit"));
    await commit;
    healthy = true;
    return result;
  } catch (error) {
    // Also after a refused COMMIT (a deferred check): the server has rolled back, and this ROLLBACK only proves the connection sound.
    if (!lost)
      await reserved.unsafe("rollback").then(
        () => (healthy = true),
        () => {},
      );
    throw error;
  } finally {
    if (healthy) reserved.release();
  }
}
