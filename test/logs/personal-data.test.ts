import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Queue } from "bullmq";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/sql";
import type { JobDefinition } from "../../src/jobs/catalog";
import { describeError } from "../../src/logger";
import { JOBS } from "../../workers/registry";
import { bearer, createTestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { TEST_REDIS_URL } from "../support/env";
import { deleteQueueKeys, startTestRuntime } from "../support/queues";
import { capturedLogger } from "../support/service-log";
import { staffUser, uiSession } from "../support/ui";

/** Issue 12, defect 2: each error path, driven with a person's data, leaves none of it in the log. */
const PERSON = {
  firstName: "Jeanne",
  lastName: "Valjeanne",
  birthDate: "1971-04-23",
  cafNumber: "9876543",
  iban: "FR7630006000011234567890189",
};
const VALUES = [PERSON.lastName, PERSON.birthDate, PERSON.cafNumber, PERSON.iban, "FR76 3000"];

function expectClean(text: string) {
  expect(text.length).toBeGreaterThan(0);
  for (const value of VALUES) expect(text, `the log carries ${value}`).not.toContain(value);
}

/** A database that refuses every new beneficiary, quoting the row as PostgreSQL's own messages do. */
async function refuseBeneficiaries(database: TestDatabase) {
  await database.db.execute(sql`create function refuse_beneficiary() returns trigger language plpgsql as $$
    begin raise exception 'refused row (%, %, %)', new.last_name, new.birth_date, new.caf_number using errcode = 'XX001'; end $$`);
  await database.db.execute(sql`create trigger refuse_beneficiary before insert on beneficiaries for each row execute function refuse_beneficiary()`);
}

describe("no personal data in logs (issue 12, defect 2)", () => {
  let database: TestDatabase;
  const prefix = `test-pd-${randomBytes(4).toString("hex")}`;

  beforeAll(async () => {
    database = await createTestDatabase({ as: "owner" });
    await refuseBeneficiaries(database);
  });
  afterAll(async () => {
    await deleteQueueKeys(prefix);
    await database?.dispose();
  });

  it("HTTP: a database error answered 500 is logged once, with its SQLSTATE and a query fingerprint only", async () => {
    const log = capturedLogger();
    const app = createTestApp(database.db, { logger: log.logger });
    const res = await app.request("/v1/beneficiaries", {
      method: "POST",
      headers: { ...(await bearer(database.db, "finance")), "Content-Type": "application/json" },
      body: JSON.stringify(PERSON),
    });
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(JSON.parse(body).error.code).toBe("internal_error");
    expectClean(body);
    expectClean(log.text());
    const errors = log.lines.map((l) => JSON.parse(l)).filter((l) => l.msg === "unhandled error");
    expect(errors).toHaveLength(1);
    expect(errors[0].err).toMatchObject({ message: "query failed", cause: { code: "XX001", message: "database error XX001" } });
    expect(errors[0].err.queryFingerprint).toMatch(/^[0-9a-f]{12}$/);
    expect(errors[0].err.stack).toMatch(/^\s+at /);
  });

  it("UI: the same failure from the beneficiary form leaves nothing either", async () => {
    const log = capturedLogger();
    const app = createTestApp(database.db, { logger: log.logger });
    await staffUser(database.db, "pd-finance@asso.example", "finance", "Agent PD");
    const ui = await uiSession(app, "pd-finance@asso.example");
    const page = await ui.post("/beneficiaires/nouveau", { ...PERSON, birthDate: "23/04/1971" });
    expect(page.status).toBe(500);
    expectClean(log.text());
    expect(log.text()).toContain("unhandled error");
    // The staff member's e-mail is no more logged than the beneficiary's data.
    expect(log.text()).not.toContain("pd-finance@asso.example");
  });

  it("jobs: a failing job's log, job_runs row and BullMQ failure carry no value", async () => {
    const log = capturedLogger();
    const failing: JobDefinition = {
      ...JOBS["ledger-verify"],
      async run({ db }) {
        // PostgreSQL quotes the value it refuses: invalid input syntax for type date: "Valjeanne".
        await db.execute(sql`select ${PERSON.lastName}::date, ${PERSON.iban}::text, ${PERSON.cafNumber}::text`);
        return {};
      },
    };
    const runtime = await startTestRuntime(database.db, prefix, { logger: log.logger, jobs: { ...JOBS, "ledger-verify": failing } });
    let failure: unknown;
    try {
      await runtime.run("ledger-verify", { asOf: "2026-02-05" }).catch((e: unknown) => {
        failure = e;
      });
    } finally {
      await runtime.close();
    }
    expect(failure).toBeDefined();
    expectClean(String((failure as Error).message));
    expectClean(log.text());
    expect(log.text()).toContain("job failed");
    const runs = await queryRows<{ error: string }>(database.db, sql`select error from job_runs where job = 'ledger-verify' and status = 'failed'`);
    expect(runs.length).toBeGreaterThan(0);
    for (const run of runs) {
      expectClean(run.error);
      expect(run.error).toContain("22007"); // invalid_datetime_format: what went wrong, not with what
    }
    const queue = new Queue("ledger-verify", { connection: { url: TEST_REDIS_URL }, prefix });
    try {
      const failed = await queue.getFailed();
      expect(failed.length).toBeGreaterThan(0);
      for (const job of failed) expectClean(`${job.failedReason}\n${(job.stacktrace ?? []).join("\n")}`);
    } finally {
      await queue.close();
    }
  });

  it("start-up and CLI failures: the one-line account keeps the SQLSTATE, never the values", async () => {
    const error = await database.db
      .execute(sql`insert into beneficiaries (id, first_name, last_name, birth_date, caf_number)
      values (gen_random_uuid(), ${PERSON.firstName}, ${PERSON.lastName}, ${PERSON.birthDate}, ${PERSON.cafNumber})`)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeDefined();
    expect(String((error as Error).message)).toContain(PERSON.lastName); // Drizzle's own message does carry them
    const line = describeError(error);
    expectClean(line);
    expect(line).toMatch(/XX001/);
    expect(line).toMatch(/query #[0-9a-f]{12}/);
  });

  it("CLI: a command failing on a database error prints its SQLSTATE, never the values it sent", async () => {
    await database.db.execute(sql`create function refuse_user() returns trigger language plpgsql as $$
      begin raise exception 'refused user %, %', new.email, new.display_name using errcode = 'XX001'; end $$`);
    await database.db.execute(sql`create trigger refuse_user before insert on users for each row execute function refuse_user()`);
    const email = "jeanne.valjeanne@asso.example";
    const failed = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "src/cli.ts", "users:create", "--email", email, "--role", "finance", "--name", "Jeanne Valjeanne"],
      { cwd: fileURLToPath(new URL("../..", import.meta.url)), env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: "warn" }, timeout: 60_000 },
    ).then(
      () => undefined,
      (e: { code?: number; stdout: string; stderr: string }) => e,
    );
    expect(failed?.code).toBe(1);
    const output = `${failed?.stdout}\n${failed?.stderr}`;
    expect(output).toContain("XX001");
    expectClean(output);
    expect(output).not.toContain(email);
  });

  it("an Error logged as the first argument does not become the line's message", async () => {
    const log = capturedLogger();
    const error = await database.db.execute(sql`select ${PERSON.iban}::date`).then(
      () => undefined,
      (e: unknown) => e,
    );
    log.logger.error(error);
    log.logger.warn({ failure: error, nested: { err: error } }, "nested");
    expectClean(log.text());
  });
});
