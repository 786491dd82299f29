import { setTimeout as sleep } from "node:timers/promises";
import { type SQL, sql } from "drizzle-orm";
import { isRetryable } from "./errors";

/**
 * Raw access to PostgreSQL, whichever driver runs it. Hot paths bypass the query
 * builder: SQL text with `$n` parameters, sent as a named prepared statement
 * (postgres.js `prepare: true`), so the server parses and plans it once per
 * connection (docs/performance.md, trap 5). The same text runs through Drizzle elsewhere
 * (`runText`), so each query is written once.
 */
export type RawQuery = <R = Record<string, unknown>>(text: string, params?: readonly unknown[]) => Promise<R[]>;

/**
 * A transaction's work: `query` runs a statement in it; `finish` runs its last statement
 * with the COMMIT in the same round trip (nothing may run after it). The transaction
 * commits when the work returns, if `finish` did not.
 */
export type RawWork<T> = (query: RawQuery, finish: RawQuery) => Promise<T>;

export interface RawAccess {
  query: RawQuery;
  begin<T>(work: RawWork<T>): Promise<T>;
}

/** What can run a Drizzle SQL object: the root handle or a transaction (client.ts's `Executor`). */
interface Executes {
  execute(query: SQL): PromiseLike<unknown>;
}

/** Rows of a raw query, whichever driver ran it (postgres.js returns an array, PGlite `{ rows }`). */
export async function queryRows<T>(executor: Executes, query: SQL): Promise<T[]> {
  const result = (await executor.execute(query)) as unknown;
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/** The same `$n` text as a Drizzle SQL object, for use inside a Drizzle transaction. */
function toDrizzle(text: string, params: readonly unknown[] = []): SQL {
  const parts = text.split(/\$(\d+)/);
  const chunks: SQL[] = [];
  for (let i = 0; i < parts.length; i++) {
    if (i % 2 === 0) chunks.push(sql.raw(parts[i]!));
    else chunks.push(sql`${params[Number(parts[i]) - 1]}`);
  }
  return sql.join(chunks, sql``);
}

export const runText = <R>(executor: Executes, text: string, params: readonly unknown[] = []): Promise<R[]> => queryRows<R>(executor, toDrizzle(text, params));

/** Drivers disagree on int8 (string, number or bigint): raw queries cast to text and come back through here. */
export function toBigInt(value: unknown): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "string" && /^-?\d+$/.test(value)) return BigInt(value);
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  throw new TypeError(`not an integer amount: ${String(value)}`);
}

/** `json` values come back parsed from postgres.js and as text from PGlite's raw path. */
export const parseJson = <T>(value: unknown): T => (typeof value === "string" ? (JSON.parse(value) as T) : (value as T));

/**
 * A PostgreSQL array literal for a `::text[]` parameter (both drivers accept it,
 * whereas their handling of JS arrays differs). Elements are quoted and escaped.
 */
export function pgTextArray(values: Iterable<string>): string {
  return `{${Array.from(values, (v) => `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).join(",")}}`;
}

/** A `::uuid[]` parameter, duplicates removed (uuids need no quoting). */
export const uuidArray = (ids: Iterable<string>): string => `{${[...new Set(ids)].join(",")}}`;

export const RETRY_ATTEMPTS = 8;

/**
 * Runs a whole database transaction again when PostgreSQL reports a serialization
 * failure (40001) or a deadlock (40P01): the database asking us to try again. With
 * jitter, at most `attempts` times; everything inside must be safe to run again.
 */
export async function retryTransaction<T>(run: () => Promise<T>, attempts = RETRY_ATTEMPTS): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= attempts || !isRetryable(error)) throw error;
      await sleep(Math.floor(Math.random() * 10 * attempt) + 1);
    }
  }
}

/** A raw transaction, retried like `withTransaction`. */
export const rawTransaction = <T>(raw: RawAccess, work: RawWork<T>, attempts = RETRY_ATTEMPTS): Promise<T> => retryTransaction(() => raw.begin(work), attempts);
