import type { Db, Tx } from "./client";
import { RETRY_ATTEMPTS, retryTransaction } from "./sql";

/**
 * One business operation = one database transaction. A serialization failure or a
 * deadlock is retried (sql.ts, `retryTransaction`) and the caller never sees it.
 * Everything inside must therefore be safe to run again.
 */
export const withTransaction = <T>(db: Db, work: (tx: Tx) => Promise<T>, attempts = RETRY_ATTEMPTS): Promise<T> =>
  retryTransaction(() => db.transaction(work), attempts);
