import { setTimeout as sleep } from "node:timers/promises";
import type { Db, Tx } from "./client";
import { isRetryable } from "./errors";

/**
 * One business operation = one database transaction. A serialization failure or a
 * deadlock is the database asking us to try again: we do, with jitter, and the caller
 * never sees it. Everything inside must therefore be safe to run again.
 */
export async function withTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(work);
    } catch (error) {
      if (attempt >= attempts || !isRetryable(error)) throw error;
      await sleep(Math.floor(Math.random() * 10 * attempt) + 1);
    }
  }
}
