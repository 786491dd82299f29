import { type Logger, pino } from "pino";

/**
 * Personal data never reaches a log line. pino's `redact` only knows fixed paths, so
 * every logged object is also scrubbed by key name at any depth (arrays included);
 * request bodies are never logged in the first place.
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
]);

const REDACTED = "[redacted]";

function scrub(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== "object") return value;
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
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
      redact: { paths: ["req.headers.authorization", "req.headers.cookie"], censor: REDACTED },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

export type { Logger };

/**
 * A one-line account of an error and its causes (Drizzle wraps the PostgreSQL error
 * that says what actually went wrong), for fatal start-up messages.
 */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const e = current as { message?: unknown; code?: unknown; cause?: unknown };
    const message = typeof e.message === "string" ? e.message.split("\n")[0] : String(current);
    parts.push(typeof e.code === "string" ? `${message} [${e.code}]` : message!);
    current = e.cause;
  }
  return parts.join(" <- caused by: ");
}
