import { sql } from "drizzle-orm";
import type { Executor } from "../db/client";
import { queryRows, toBigInt } from "../db/sql";
import { DomainError, NotFoundError } from "../domain/errors";
import { type PostResult, post } from "./post";

export interface ReverseInput {
  transactionId: string;
  actor: string;
  reason: string;
  /** The business date of the correction; the original keeps its own. */
  valueDate: string;
  metadata?: Record<string, unknown>;
}

/**
 * Posts the mirror of a transaction: nothing is ever edited. A transaction is
 * reversed at most once (unique `reverses_id`); asking again returns the same
 * reversal. A reversal itself is not reversed: post the original again instead.
 */
export async function reverse(executor: Executor, input: ReverseInput): Promise<PostResult> {
  const [original] = await queryRows<{ kind: string; reverses_id: string | null; beneficiary_id: string | null }>(
    executor,
    sql`select kind, reverses_id, beneficiary_id from ledger_transactions where id = ${input.transactionId}::uuid`,
  );
  if (!original) throw new NotFoundError("transaction", input.transactionId);
  if (original.reverses_id) {
    throw new DomainError("not_reversible", "a reversal cannot itself be reversed; post the original transaction again");
  }
  const [existing] = await queryRows<{ id: string }>(executor, sql`select id from ledger_transactions where reverses_id = ${input.transactionId}::uuid`);
  if (existing) return { transactionId: existing.id, replayed: true };

  const postings = await queryRows<{ address: string; direction: "debit" | "credit"; amount: string }>(
    executor,
    sql`select a.address, p.direction, p.amount::text as amount
          from ledger_postings p join ledger_accounts a on a.id = p.account_id
         where p.transaction_id = ${input.transactionId}::uuid order by p.id`,
  );
  try {
    return await post(executor, {
      kind: "reversal",
      valueDate: input.valueDate,
      description: input.reason,
      idempotencyKey: `reversal:${input.transactionId}`,
      actor: input.actor,
      beneficiaryId: original.beneficiary_id ?? undefined,
      reversesId: input.transactionId,
      metadata: { ...input.metadata, reversedKind: original.kind },
      postings: postings.map((p) => ({
        account: p.address,
        direction: p.direction === "debit" ? "credit" : "debit",
        amount: toBigInt(p.amount),
      })),
    });
  } catch (error) {
    // A racing reversal with another value date claimed the key first.
    if (error instanceof DomainError && error.code === "idempotency_conflict") {
      throw new DomainError("already_reversed", "this transaction has already been reversed");
    }
    throw error;
  }
}
