import { setTimeout as sleep } from "node:timers/promises";
import { sql, type SQL } from "drizzle-orm";
import { queryRows, type Executor } from "./client";
import { isRetryable } from "./errors";

/**
 * Hot paths bypass the query builder: SQL text with `$n` parameters, sent as a named
 * prepared statement (postgres.js `prepare: true`), so the server parses and plans it
 * once per connection (performance.md, trap 5). The same text runs through Drizzle
 * elsewhere (`runText`), so each query is written once.
 */
export type RawQuery = <R = Record<string, unknown>>(text: string, params?: readonly unknown[]) => Promise<R[]>;

export interface RawAccess {
  query: RawQuery;
  begin<T>(work: (query: RawQuery) => Promise<T>): Promise<T>;
}

/** The same `$n` text as a Drizzle SQL object, for use inside a Drizzle transaction. */
export function toDrizzle(text: string, params: readonly unknown[] = []): SQL {
  const parts = text.split(/\$(\d+)/);
  const chunks: SQL[] = [];
  for (let i = 0; i < parts.length; i++) {
    if (i % 2 === 0) chunks.push(sql.raw(parts[i]!));
    else chunks.push(sql`${params[Number(parts[i]) - 1]}`);
  }
  return sql.join(chunks, sql``);
}

export const runText = <R>(executor: Executor, text: string, params: readonly unknown[] = []): Promise<R[]> => queryRows<R>(executor, toDrizzle(text, params));

/** A raw transaction with the same retry policy as `withTransaction`. */
export async function rawTransaction<T>(raw: RawAccess, work: (query: RawQuery) => Promise<T>, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await raw.begin(work);
    } catch (error) {
      if (attempt >= attempts || !isRetryable(error)) throw error;
      await sleep(Math.floor(Math.random() * 10 * attempt) + 1);
    }
  }
}
