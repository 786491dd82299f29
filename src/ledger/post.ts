import { createHash } from "node:crypto";
import { sql, type SQL } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import { z } from "zod";
import { queryRows, type Executor } from "../db/client";
import { toDrizzle } from "../db/raw";
import { isCalendarDate } from "../domain/business-date";
import { DomainError, ValidationError } from "../domain/errors";
import { toLedgerError } from "./errors";

const INT8_MAX = 9_223_372_036_854_775_807n;

export const PostingInput = z.object({
  account: z.string().min(3).max(200),
  direction: z.enum(["debit", "credit"]),
  amount: z.bigint().positive().max(INT8_MAX),
});
export type PostingInput = z.infer<typeof PostingInput>;

export const PostInput = z.object({
  /** The transaction's id when the caller needs it before posting (else a new UUIDv7). */
  id: z.uuid().optional(),
  kind: z.string().regex(/^[a-z][a-z0-9_.]{0,63}$/),
  valueDate: z.string().refine(isCalendarDate, "must be a calendar date YYYY-MM-DD"),
  description: z.string().max(500),
  idempotencyKey: z.string().min(1).max(255),
  actor: z.string().min(1).max(200),
  beneficiaryId: z.uuid().optional(),
  reversesId: z.uuid().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  postings: z.array(PostingInput).min(2).max(1000),
});
export type PostInput = z.input<typeof PostInput>;

export interface PostResult {
  transactionId: string;
  /** True when the idempotency key had already posted this very transaction. */
  replayed: boolean;
}

/** What a transaction moves, canonically: a replay under the same key must move exactly this. */
export function contentHash(input: z.infer<typeof PostInput>): string {
  const postings = input.postings
    .map((p) => `${p.account}|${p.direction}|${p.amount}`)
    .sort();
  const canonical = JSON.stringify([input.kind, input.valueDate, input.beneficiaryId ?? null, input.reversesId ?? null, postings]);
  return createHash("sha256").update(canonical).digest("hex");
}

export function assertBalanced(postings: readonly PostingInput[]): void {
  let debits = 0n;
  let credits = 0n;
  for (const p of postings) {
    if (p.direction === "debit") debits += p.amount;
    else credits += p.amount;
  }
  if (debits !== credits || debits === 0n) {
    throw new DomainError("unbalanced_transaction", `debits (${debits}) and credits (${credits}) differ`, {
      debits: debits.toString(),
      credits: credits.toString(),
    });
  }
}

/**
 * Validates a transaction and returns the 13 parameters of `ledger_post(...)`, in
 * order: for callers that post inside a larger statement (one round trip per
 * business operation). `ledgerPostText(n)` is the matching call with `$n` placeholders.
 */
export function ledgerPostParams(raw: PostInput): { params: string[]; transactionId: string } {
  const parsed = PostInput.safeParse(raw);
  if (!parsed.success) {
    throw new ValidationError("invalid ledger transaction", parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })));
  }
  const input = parsed.data;
  // The reversal key of a transaction belongs to its reversal: nobody else may take it.
  if (input.idempotencyKey.startsWith("reversal:") && input.idempotencyKey !== `reversal:${input.reversesId}`) {
    throw new ValidationError("invalid ledger transaction", [{ path: "idempotencyKey", message: "keys starting with `reversal:` are reserved for reversals" }]);
  }
  assertBalanced(input.postings);
  const transactionId = input.id ?? uuidv7();
  const params = [
    transactionId,
    input.kind,
    input.valueDate,
    input.description,
    input.idempotencyKey,
    contentHash(input),
    JSON.stringify(input.metadata ?? {}),
    input.actor,
    input.beneficiaryId ?? null,
    input.reversesId ?? null,
    pgTextArray(input.postings.map((p) => p.account)),
    pgTextArray(input.postings.map((p) => p.direction)),
    pgTextArray(input.postings.map((p) => p.amount.toString())),
  ] as string[];
  return { params, transactionId };
}

/** `ledger_post($first::uuid, ...)`: the call text for parameters numbered from `first`. */
export function ledgerPostText(first: number): string {
  const casts = ["::uuid", "", "::date", "", "", "", "::jsonb", "", "::uuid", "::uuid", "::text[]", "::text[]", "::bigint[]"];
  return `ledger_post(${casts.map((cast, i) => `$${first + i}${cast}`).join(", ")})`;
}

export function ledgerPostCall(raw: PostInput): { call: SQL; transactionId: string } {
  const { params, transactionId } = ledgerPostParams(raw);
  return { call: toDrizzle(ledgerPostText(1), params), transactionId };
}

/**
 * Posts one balanced transaction, idempotently: the same key with the same content
 * returns the first transaction (`replayed: true`); with other content it is refused.
 * One round trip (the `ledger_post` function); run it inside the business operation's
 * transaction. The database re-checks every invariant on its own.
 */
export async function post(executor: Executor, raw: PostInput): Promise<PostResult> {
  const { call } = ledgerPostCall(raw);
  try {
    const [row] = await queryRows<{ out_transaction_id: string; out_replayed: boolean }>(executor, sql`select out_transaction_id, out_replayed from ${call}`);
    if (!row) throw new Error("ledger_post returned no row");
    return { transactionId: row.out_transaction_id, replayed: row.out_replayed };
  } catch (error) {
    throw toLedgerError(error);
  }
}

/**
 * A PostgreSQL array literal. Both drivers accept it for a `::text[]` parameter,
 * whereas their handling of JS arrays differs. Elements are quoted and escaped.
 */
export function pgTextArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).join(",")}}`;
}
