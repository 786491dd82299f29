/** PostgreSQL error fields, found through the wrappers that drivers and Drizzle put around them. */
export interface PgErrorInfo {
  code: string;
  constraint?: string;
  message: string;
}

export function pgError(error: unknown): PgErrorInfo | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const e = current as { code?: unknown; constraint?: unknown; constraint_name?: unknown; message?: unknown; cause?: unknown };
    if (typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code)) {
      const constraint = typeof e.constraint_name === "string" ? e.constraint_name : typeof e.constraint === "string" ? e.constraint : undefined;
      return { code: e.code, constraint, message: typeof e.message === "string" ? e.message : "" };
    }
    current = e.cause;
  }
  return undefined;
}

export const PG = {
  uniqueViolation: "23505",
  checkViolation: "23514",
  foreignKeyViolation: "23503",
  serializationFailure: "40001",
  deadlockDetected: "40P01",
  appendOnly: "MLAPP",
  unbalanced: "MLUNB",
  balanceTampering: "MLBAL",
  idempotencyConflict: "MLIDC",
  unknownAccount: "MLACC",
} as const;

export function isRetryable(error: unknown): boolean {
  const code = pgError(error)?.code;
  return code === PG.serializationFailure || code === PG.deadlockDetected;
}
