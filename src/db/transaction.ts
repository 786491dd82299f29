import type { Db, Tx } from "./client";
import { RETRY_ATTEMPTS, retryTransaction } from "./sql";

/**
 * One business operation = one database transaction. A serialization failure or a
 * deadlock is retried (sql.ts, `retryTransaction`) and the caller never sees it.
 * Everything inside must therefore be safe to run again.
 */
/**
 * A transaction handed to verbs as their `db`, so that their own `withTransaction` becomes
 * a savepoint of it (four eyes applies a verb inside the approval's transaction). The
 * pool-level `$raw` would escape the transaction: it is refused.
 */
export function nestedDb(tx: Tx): Db {
  return Object.create(tx, {
    $raw: {
      get() {
        throw new Error("raw pool access inside a nested transaction");
      },
    },
  }) as Db;
}

export const withTransaction = <T>(db: Db, work: (tx: Tx) => Promise<T>, attempts = RETRY_ATTEMPTS): Promise<T> =>
  retryTransaction(() => db.transaction(work), attempts);
