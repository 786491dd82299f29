import { pino, type Logger } from "pino";

/**
 * Personal data never reaches a log line: these paths are censored wherever they
 * appear, and request bodies are never logged in the first place.
 */
export const REDACTED_PATHS = [
  "firstName", "lastName", "birthDate", "iban", "cafNumber", "msaNumber", "name", "email",
  "*.firstName", "*.lastName", "*.birthDate", "*.iban", "*.cafNumber", "*.msaNumber", "*.name", "*.email",
  "*.*.iban", "*.*.name", "creditor.iban", "landlord.iban",
  "authorization", "*.authorization", "req.headers.authorization", "req.headers.cookie", "token", "*.token",
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "masp-ledger" },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

export type { Logger };
