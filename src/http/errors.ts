import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ZodError, type z } from "zod";
import { pgError } from "../db/errors";
import { DomainError, type DomainErrorCode } from "../domain/errors";
import { toLedgerError } from "../ledger/errors";
import { describeError } from "../logger";
import type { AppEnv } from "./env";

/** The contract's error envelope. `requestId` lets support find the log line. */
interface ErrorBody {
  error: { code: string; message: string; details?: unknown; requestId?: string };
}

const STATUS: Record<DomainErrorCode, ContentfulStatusCode> = {
  validation_failed: 422,
  not_found: 404,
  conflict: 409,
  idempotency_conflict: 409,
  insufficient_funds: 409,
  unbalanced_transaction: 422,
  unknown_account: 422,
  already_reversed: 409,
  not_reversible: 409,
  append_only: 409,
  no_active_measure: 409,
  measure_ended: 409,
  prestation_not_managed: 422,
  funds_already_paid_out: 409,
  self_approval: 403,
  forbidden: 403,
  proposal_decided: 409,
  no_evidence: 409,
};

export function errorResponse<S extends ContentfulStatusCode>(c: Context<AppEnv>, status: S, code: string, message: string, details?: unknown) {
  const body: ErrorBody = { error: { code, message, ...(details === undefined ? {} : { details }), requestId: c.get("requestId") } };
  return c.json(body, status);
}

export function validationDetails(issues: readonly z.core.$ZodIssue[]) {
  return issues.map((i) => ({ field: i.path.map(String).join(".") || "(body)", message: i.message, code: i.code }));
}

/** The single place where failures become HTTP answers. Bad input is never a 500. */
export function handleError(err: Error, c: Context<AppEnv>) {
  if (err instanceof HTTPException) {
    if (err.status === 400) return errorResponse(c, 400, "malformed_request", err.message || "malformed request body");
    if (err.status === 401) return errorResponse(c, 401, "unauthorized", err.message || "authentication required");
    if (err.status === 403) return errorResponse(c, 403, "forbidden", err.message || "forbidden");
    if (err.status === 503) return errorResponse(c, 503, "timeout", err.message || "the request took too long");
    if (err.status === 413) return errorResponse(c, 413, "payload_too_large", err.message || "the request body is too large");
    return errorResponse(c, err.status as ContentfulStatusCode, "http_error", err.message);
  }
  // A service verb re-validates its input; whatever reaches here unvalidated is still a 422.
  if (err instanceof ZodError) return errorResponse(c, 422, "validation_failed", "the request is invalid", validationDetails(err.issues));
  const mapped = toLedgerError(err);
  if (mapped instanceof DomainError) {
    return errorResponse(c, STATUS[mapped.code], mapped.code, mapped.message, mapped.details);
  }
  // Safety net under the edge validation: a value PostgreSQL refuses as data (class 22:
  // invalid text representation, datetime field overflow, untranslatable character…) is
  // still bad input. The code alone is logged: the message may quote the value.
  const pg = pgError(err);
  if (pg?.code.startsWith("22")) {
    (c.get("logger") ?? console).warn({ pgCode: pg.code }, "bad input refused by the database (the edge validation missed it)");
    return errorResponse(c, 422, "validation_failed", "a value is out of range or malformed", [
      { field: "(body)", message: "refused by the database", code: pg.code },
    ]);
  }
  // Through the logger's error serializer (`safeError`): never the query's values.
  const logger = c.get("logger");
  if (logger) logger.error({ err }, "unhandled error");
  else console.error("unhandled error:", describeError(err));
  return errorResponse(c, 500, "internal_error", "internal error");
}
