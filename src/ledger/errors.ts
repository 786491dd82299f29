import { PG, pgError } from "../db/errors";
import { DomainError } from "../domain/errors";

/**
 * Turns a refusal by the database's ledger invariants into a domain error with a
 * clear message. Anything else is returned unchanged (and becomes a 500 upstream).
 */
export function toLedgerError(error: unknown): unknown {
  if (error instanceof DomainError) return error;
  const pg = pgError(error);
  if (!pg) return error;
  switch (pg.code) {
    case PG.checkViolation:
      if (pg.constraint === "ledger_accounts_balance_non_negative") {
        return new DomainError("insufficient_funds", "the operation would make a beneficiary's balance negative");
      }
      return error;
    case PG.idempotencyConflict:
      return new DomainError("idempotency_conflict", "this idempotency key was already used for another transaction");
    case PG.unknownAccount:
      return new DomainError("unknown_account", "a posting refers to a ledger account that does not exist");
    case PG.unbalanced:
      return new DomainError("unbalanced_transaction", "the transaction's debits and credits differ");
    case PG.foreignKeyViolation:
      if (pg.constraint === "ledger_transactions_reverses_id_fk") {
        return new DomainError("not_found", "the transaction to reverse does not exist");
      }
      return error;
    case PG.appendOnly:
    case PG.balanceTampering:
      return new DomainError("append_only", "the ledger is append-only: correct with a reversing transaction");
    case PG.uniqueViolation:
      if (pg.constraint === "ledger_transactions_reverses_id_unique") {
        return new DomainError("already_reversed", "this transaction has already been reversed");
      }
      return error;
    default:
      return error;
  }
}
