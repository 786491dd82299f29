import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pino } from "pino";
import { inject } from "vitest";
import { createLogger, type Logger } from "../../src/logger";

/**
 * Every logger the suite gives the service writes, at `info` (or TEST_LOG_LEVEL), to one
 * file per test process under `test-results/service-logs/<run id>/`; the global
 * teardown scans them all for the fixtures' personal values (`PERSONAL_VALUES`) and
 * fails the run if one appears.
 */
export const serviceLogDir = (runId: string) => join(process.cwd(), "test-results", "service-logs", runId);

let destination: pino.DestinationStream | undefined;
function runLogFile(): pino.DestinationStream {
  if (!destination) {
    const dir = serviceLogDir(inject("runId"));
    mkdirSync(dir, { recursive: true });
    // Synchronous: a test process may end right after its last line.
    destination = pino.destination({ dest: join(dir, `${process.pid}.log`), sync: true, append: true });
  }
  return destination;
}

/** The service's logger in a test: the run's log file, and `also` (a test's own capture) if given. */
export function testLogger(also?: { write(line: string): void }): Logger {
  const file = runLogFile();
  const level = process.env.TEST_LOG_LEVEL ?? "info";
  if (!also) return createLogger(level, file);
  return createLogger(level, {
    write(line: string) {
      file.write(line);
      also.write(line);
    },
  });
}

/** A logger whose lines a test reads back (and that the run's scan reads too). */
export function capturedLogger(): { logger: Logger; lines: string[]; text(): string } {
  const lines: string[] = [];
  const logger = testLogger({ write: (line) => void lines.push(line) });
  return { logger, lines, text: () => lines.join("") };
}

/**
 * The personal values the fixtures send (test/support/household.ts, the suites' own
 * people, users' e-mail domains): none may ever reach a log line. Patterns, so that a
 * CAF number is matched as a whole number and a random last name by its stem.
 */
const PERSONAL_VALUES: readonly RegExp[] = [
  // IBANs, compact and grouped by four
  /FR76\s?3000\s?6000\s?0112\s?3456\s?7890\s?18\d/i,
  /FR14\s?2004\s?1010\s?0505\s?0001\s?3M02\s?60\d/i,
  // names (random suffixes follow the stems)
  /Valjeanne/,
  /Durand[0-9a-f]{6}/,
  /Lefebvre|Lefèvre|Marie-Claire|Camille Martin|Jeanne Dupuis/,
  // birth dates of the fixtures
  /1979-04-02|1971-04-23|1980-01-01/,
  // CAF/MSA numbers, as whole numbers
  /(?<![\d-])(1234567|7654321|9876543)(?!\d)/,
  /CAF-9876543/,
  // staff e-mails
  /[\w.${}-]+@(asso\.example|roles\.example|example\.org|cd53\.fr)/,
];

/** The lines of the run's service logs that carry a personal value, with the value found. */
export function personalValuesIn(dir: string): { file: string; line: string; match: string }[] {
  const found: { file: string; line: string; match: string }[] = [];
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return found;
  }
  for (const file of files) {
    for (const line of readFileSync(join(dir, file), "utf8").split("\n")) {
      for (const pattern of PERSONAL_VALUES) {
        const match = pattern.exec(line);
        if (match) found.push({ file, line: line.slice(0, 500), match: match[0] });
      }
    }
  }
  return found;
}
