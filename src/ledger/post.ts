import { v7 as uuidv7 } from "uuid";
import { z } from "zod";
import type { Executor } from "../db/client";
import { runText } from "../db/sql";
import { isCalendarDate } from "../domain/business-date";
import { DomainError, ValidationError } from "../domain/errors";
import { toLedgerError } from "./errors";

const INT8_MAX = 9_223_372_036_854_775_807n;

const PostingInput = z.object({
  account: z.string().min(3).max(200),
  direction: z.enum(["debit", "credit"]),
  amount: z.bigint().positive().max(INT8_MAX),
});
type PostingInput = z.infer<typeof PostingInput>;

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

function assertBalanced(postings: readonly PostingInput[]): void {
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

/** One transaction as `ledger_post_many(jsonb)` reads it (amounts as decimal strings: JSON has no int8). */
interface LedgerTransactionJson {
  id: string;
  kind: string;
  value_date: string;
  description: string;
  idempotency_key: string;
  metadata: Record<string, unknown>;
  actor: string;
  beneficiary_id: string | null;
  reverses_id: string | null;
  postings: { account: string; direction: "debit" | "credit"; amount: string }[];
}

/**
 * Validates a transaction and returns it in the form of `ledger_post_many`, for
 * callers that post inside a larger statement (one round trip per business
 * operation). The content hash, the account lookup and the locks are the database's.
 */
export function ledgerTransaction(raw: PostInput): LedgerTransactionJson {
  const parsed = PostInput.safeParse(raw);
  if (!parsed.success) {
    throw new ValidationError(
      "invalid ledger transaction",
      parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    );
  }
  const input = parsed.data;
  // The reversal key of a transaction belongs to its reversal: nobody else may take it.
  if (input.idempotencyKey.startsWith("reversal:") && input.idempotencyKey !== `reversal:${input.reversesId}`) {
    throw new ValidationError("invalid ledger transaction", [{ path: "idempotencyKey", message: "keys starting with `reversal:` are reserved for reversals" }]);
  }
  assertBalanced(input.postings);
  return {
    id: input.id ?? uuidv7(),
    kind: input.kind,
    value_date: input.valueDate,
    description: input.description,
    idempotency_key: input.idempotencyKey,
    metadata: input.metadata ?? {},
    actor: input.actor,
    beneficiary_id: input.beneficiaryId ?? null,
    reverses_id: input.reversesId ?? null,
    postings: input.postings.map((p) => ({ account: p.account, direction: p.direction, amount: p.amount.toString() })),
  };
}

const POST_MANY_SQL = "select out_transaction_id, out_replayed from ledger_post_many($1::jsonb)";

/**
 * Posts balanced transactions, idempotently, in one round trip (`ledger_post_many`):
 * a key that already posted the same content returns the first transaction
 * (`replayed: true`); with other content it is refused. Run it inside the business
 * operation's transaction. The database re-checks every invariant on its own.
 */
export async function postMany(executor: Executor, raws: readonly PostInput[]): Promise<PostResult[]> {
  if (raws.length === 0) return [];
  const transactions = raws.map(ledgerTransaction);
  try {
    const rows = await runText<{ out_transaction_id: string; out_replayed: boolean }>(executor, POST_MANY_SQL, [JSON.stringify(transactions)]);
    if (rows.length !== transactions.length) throw new Error("ledger_post_many did not answer every transaction");
    return rows.map((r) => ({ transactionId: r.out_transaction_id, replayed: r.out_replayed }));
  } catch (error) {
    throw toLedgerError(error);
  }
}

export async function post(executor: Executor, raw: PostInput): Promise<PostResult> {
  const [result] = await postMany(executor, [raw]);
  return result!;
}
