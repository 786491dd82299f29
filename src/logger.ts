import { createHash } from "node:crypto";
import { type Logger, pino } from "pino";

/**
 * Personal data never reaches a log line. pino's `redact` only knows fixed paths, so
 * every logged object is also scrubbed by key name at any depth (arrays included);
 * request bodies are never logged in the first place, and errors go through
 * `safeError`, whatever key they are logged under.
 */
const SENSITIVE_KEYS = new Set([
  "firstname",
  "lastname",
  "birthdate",
  "iban",
  "bic",
  "cafnumber",
  "msanumber",
  "name",
  "email",
  "phone",
  "address",
  "password",
  "token",
  "authorization",
  "cookie",
  "creditorname",
  "creditoriban",
  // A failed query's text and values (Drizzle's DrizzleQueryError, postgres.js errors).
  "params",
  "parameters",
  "query",
]);

const REDACTED = "[redacted]";

/**
 * What may be logged of an error. A database error carries the query and its
 * parameters (Drizzle even writes them into its message), and PostgreSQL's own message
 * quotes the offending value (`invalid input syntax for type date: "…"`), so of a
 * database error we keep only the SQLSTATE, the constraint, table and column names and
 * a fingerprint of the query text; the stack keeps its frames, not its message line.
 */
export interface SafeError {
  type: string;
  message: string;
  code?: string;
  constraint?: string;
  table?: string;
  column?: string;
  routine?: string;
  /** The first 12 hex digits of the query text's SHA-256: which statement, never its values. */
  queryFingerprint?: string;
  stack?: string;
  cause?: SafeError;
}

type ErrorFields = Record<string, unknown> & { message?: unknown; stack?: unknown; cause?: unknown };

const text = (value: unknown) => (typeof value === "string" && value ? value : undefined);
const isPostgresError = (e: ErrorFields) => typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code) && ("severity" in e || "routine" in e);
const fingerprint = (query: string) => createHash("sha256").update(query).digest("hex").slice(0, 12);

export function safeError(error: unknown, depth = 0): SafeError {
  if (error === null || typeof error !== "object") return { type: typeof error, message: "a non-Error value was thrown" };
  const e = error as ErrorFields;
  const type = error instanceof Error ? (error.constructor?.name ?? error.name) : "Object";
  const query = text(e.query);
  const pg = isPostgresError(e);
  let message: string;
  if (pg) message = `database error ${e.code as string}`;
  else if (query !== undefined || /^Failed query:/.test(String(e.message))) message = "query failed";
  else message = (text(e.message) ?? "").split("\nparams:")[0]!;
  const out: SafeError = { type, message };
  if (pg) {
    out.code = e.code as string;
    const constraint = text(e.constraint_name) ?? text(e.constraint);
    const table = text(e.table_name) ?? text(e.table);
    const column = text(e.column_name) ?? text(e.column);
    if (constraint) out.constraint = constraint;
    if (table) out.table = table;
    if (column) out.column = column;
    if (text(e.routine)) out.routine = e.routine as string;
  } else if (typeof e.code === "string" && /^[A-Z_0-9]{2,40}$/.test(e.code)) {
    out.code = e.code; // ECONNREFUSED and the like
  }
  if (query !== undefined) out.queryFingerprint = fingerprint(query);
  const frames = text(e.stack)
    ?.split("\n")
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 12);
  if (frames?.length) out.stack = frames.join("\n");
  if (e.cause && depth < 4) out.cause = safeError(e.cause, depth + 1);
  return out;
}

function scrub(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== "object") return value;
  if (value instanceof Error) return safeError(value);
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SENSITIVE_KEYS.has(key.toLowerCase()) ? REDACTED : scrub(v, depth + 1);
  }
  return out;
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "masp-ledger" },
      formatters: { log: (object) => scrub(object) as Record<string, unknown> },
      serializers: { err: (err: unknown) => (err instanceof Error ? safeError(err) : err) },
      hooks: {
        // `logger.error(err)` would make the error's message the line's `msg`: log it as `err`.
        logMethod(args, method) {
          const [first, ...rest] = args as unknown[];
          if (first instanceof Error) {
            const msg = typeof rest[0] === "string" ? rest[0] : "error";
            return method.apply(this, [{ err: first }, msg] as never);
          }
          return method.apply(this, args);
        },
      },
      redact: { paths: ["req.headers.authorization", "req.headers.cookie"], censor: REDACTED },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

export type { Logger };

/**
 * A one-line account of an error and its causes (Drizzle wraps the PostgreSQL error
 * that says what actually went wrong), for fatal start-up messages, the CLI and
 * `job_runs.error`: built from `safeError`, so no query value ever reaches it.
 */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let e: SafeError | undefined = safeError(error); e; e = e.cause) {
    const where = [
      e.constraint && `constraint ${e.constraint}`,
      e.table && `table ${e.table}`,
      e.column && `column ${e.column}`,
      e.queryFingerprint && `query #${e.queryFingerprint}`,
    ]
      .filter(Boolean)
      .join(", ");
    const message = e.message.split("\n")[0] || e.type;
    parts.push(`${message}${e.code && !message.includes(e.code) ? ` [${e.code}]` : ""}${where ? ` (${where})` : ""}`);
  }
  return parts.join(" <- caused by: ");
}
