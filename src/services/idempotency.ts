import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "../db/client";
import { idempotencyKeys } from "../db/schema/credits";
import { ConflictError } from "../domain/errors";

/** Contract: 1-200 printable characters. */
export const IdempotencyKey = z.string().regex(/^[\x20-\x7e]{1,200}$/, "1 to 200 printable characters");

export interface StoredOutcome<T> {
  status: number;
  body: T;
  /** The key had already done this very operation: nothing was done again. */
  replayed: boolean;
}

export const hashRequest = (parts: readonly unknown[]): string =>
  createHash("sha256")
    .update(JSON.stringify(parts, (_k, v) => (typeof v === "bigint" ? v.toString() : v)))
    .digest("hex");

/**
 * The answer a key already gave: the same request gets it again; another request
 * under the same key is a conflict (Formance and Stripe semantics).
 */
export async function storedOutcome<T>(executor: Executor, scope: string, key: string, hash: string): Promise<StoredOutcome<T> | undefined> {
  const [stored] = await executor
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
  if (!stored) return undefined;
  if (stored.requestHash !== hash) {
    throw new ConflictError("this Idempotency-Key was already used with another request body", undefined, "idempotency_conflict");
  }
  return { status: stored.responseStatus, body: stored.response as T, replayed: true };
}

/**
 * Claims a key inside the operation's transaction. A racing request with the same key
 * waits on the primary key until this transaction ends, then finds the stored answer.
 */
export async function claimKey(executor: Executor, scope: string, key: string, hash: string, status: number, response: unknown): Promise<boolean> {
  const rows = await executor
    .insert(idempotencyKeys)
    .values({ scope, key, requestHash: hash, responseStatus: status, response })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  return rows.length === 1;
}
