import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { TEST_ADMIN_URL, TEST_REDIS_URL } from "../support/env";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const CLOSED_POSTGRES = "postgres://postgres@127.0.0.1:1/postgres";
const CLOSED_REDIS = "redis://127.0.0.1:1";

/** `vitest run` of one small file in a child process, against the given services. */
function runTests(env: { TEST_DATABASE_URL: string; TEST_REDIS_URL: string }): Promise<{ code: number | null; output: string; ms: number }> {
  const started = Date.now();
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  // The child is a vitest of its own, not one of this run's workers.
  for (const key of Object.keys(childEnv)) if (key.startsWith("VITEST")) delete childEnv[key];
  const child = spawn(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "test/config.test.ts", "--reporter=default"], {
    cwd: repoRoot,
    env: childEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (output += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, output, ms: Date.now() - started })));
}

/**
 * Without PostgreSQL or Redis, `npm test` stops at once with one sentence naming the
 * service and the URL it tried, and how to start them: no connection stack per file.
 */
describe("the test run without its services", () => {
  it.each([
    {
      down: "PostgreSQL",
      env: { TEST_DATABASE_URL: CLOSED_POSTGRES, TEST_REDIS_URL },
      named: `PostgreSQL at ${CLOSED_POSTGRES} (TEST_DATABASE_URL)`,
      notNamed: "Redis at",
    },
    {
      down: "Redis",
      env: { TEST_DATABASE_URL: TEST_ADMIN_URL, TEST_REDIS_URL: CLOSED_REDIS },
      named: `Redis at ${CLOSED_REDIS} (TEST_REDIS_URL)`,
      notNamed: "PostgreSQL at",
    },
  ])("stops with one sentence when $down does not answer", async ({ env, named, notNamed }) => {
    const { code, output, ms } = await runTests(env);
    expect(code, output).not.toBe(0);
    const sentence = output.split("\n").filter((line) => line.startsWith("The tests need PostgreSQL and Redis"));
    expect(sentence, output).toHaveLength(1);
    expect(sentence[0]).toContain(`but ${named} did not answer: start them with \`docker compose up -d postgres redis\``);
    expect(sentence[0]).toContain("the Debian packages postgresql and redis-server");
    expect(sentence[0]).not.toContain(notNamed);
    expect(output).not.toMatch(/ECONNREFUSED|\n\s+at /);
    expect(output).not.toMatch(/Test Files/);
    // Quick: no retries, no waiting on a connection timeout.
    expect(ms).toBeLessThan(30_000);
  });
});
