/**
 * Domain errors carry a stable code; the HTTP layer maps codes to statuses in one
 * place (http/errors.ts). Messages never contain personal data.
 */
export type DomainErrorCode =
  | "validation_failed"
  | "not_found"
  | "conflict"
  | "idempotency_conflict"
  | "insufficient_funds"
  | "unbalanced_transaction"
  | "unknown_account"
  | "already_reversed"
  | "not_reversible"
  | "append_only"
  | "no_active_measure"
  | "measure_ended"
  | "prestation_not_managed"
  | "funds_already_paid_out"
  | "self_approval"
  | "forbidden"
  | "proposal_decided"
  | "no_evidence";

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, id: string) {
    super("not_found", `${what} ${id} not found`);
    this.name = "NotFoundError";
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, details?: unknown) {
    super("validation_failed", message, details);
    this.name = "ValidationError";
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, details?: unknown, code: DomainErrorCode = "conflict") {
    super(code, message, details);
    this.name = "ConflictError";
  }
}

export interface FieldIssue {
  field: string;
  message: string;
  code?: string;
}

/** A rule broken by one or more fields: 422 with one detail per field, like schema failures. */
export function fieldError(field: string, message: string, code = "rule"): ValidationError {
  return new ValidationError(message, [{ field, message, code } satisfies FieldIssue]);
}
