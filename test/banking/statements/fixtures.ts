import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Real bank files from other projects' test suites may not be copied into the repository:
 * they are read from the fixtures directory beside it (docs/test-fixtures.md).
 */
const FIXTURES_DIR = process.env.TEST_FIXTURES_DIR ?? fileURLToPath(new URL("../../../../shared/fixtures/", import.meta.url));
const BANK_DIR = `${FIXTURES_DIR.replace(/\/?$/, "/")}bank/`;

/** The bytes of `bank/<name>`, or null when the fixtures are absent (the test skips). */
export function bankFixture(name: string): Buffer | null {
  const path = `${BANK_DIR}${name}`;
  return existsSync(path) ? readFileSync(path) : null;
}
