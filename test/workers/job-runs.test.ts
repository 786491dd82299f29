import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Queue, Worker } from "bullmq";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config";
import { jobRuns } from "../../src/db/schema/jobs";
import { queryRows } from "../../src/db/sql";
import type { JobDefinition } from "../../src/jobs/catalog";
import { attemptRunId, type QueuedJob, runRecorded } from "../../workers/job-runs";
import { DEFAULT_LOCK_TIMES, startJobRuntime } from "../../workers/runtime";
import { createTestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { TEST_REDIS_URL } from "../support/env";
import { deleteQueueKeys, startTestRuntime } from "../support/queues";
import { testLogger } from "../support/service-log";
import { staffUser, uiSession } from "../support/ui";

/**
 * `job_runs` never keeps a run `running` whose worker is gone: a newer attempt of the
 * same queued job closes it, so does the stall check that puts the job back in its
 * queue, and so does the start of the embedded (one-process) runtime.
 */
describe("job runs left behind by a stopped worker", () => {
  let database: TestDatabase;
  const logger = testLogger();
  const prefix = `test-runs-${randomBytes(4).toString("hex")}`;
  const statuses = async () =>
    queryRows<{ id: string; status: string; error: string | null }>(database.db, sql`select id::text, status, error from job_runs order by started_at, id`);
  const ctx = () => ({ db: database.db, logger, actor: "test", reportProgress: async () => {} });
  const quick: JobDefinition = { name: "ledger-verify", run: async () => ({ ok: true }) };

  beforeAll(async () => {
    database = await createTestDatabase({ poolMax: 5 });
  });
  afterAll(async () => {
    await deleteQueueKeys(prefix);
    await database?.dispose();
  });

  it("a killed worker's job is back within a minute with the production lock times, which the configuration defaults to", () => {
    const config = loadConfig({});
    expect({ durationMs: config.JOB_LOCK_MS, stalledIntervalMs: config.JOB_STALLED_INTERVAL_MS }).toEqual(DEFAULT_LOCK_TIMES);
    // The lock expires at most one duration after the kill; the next stall check moves the job.
    expect(DEFAULT_LOCK_TIMES.durationMs + DEFAULT_LOCK_TIMES.stalledIntervalMs).toBeLessThan(60_000);
  });

  it("a newer attempt of the same queued job closes the older attempt's row as abandoned, and no other", async () => {
    await database.db.delete(jobRuns);
    const job: QueuedJob = { prefix, queue: "ledger-verify", jobId: "7", createdAt: 1_700_000_000_000 };
    const other: QueuedJob = { ...job, jobId: "8" };
    for (const [j, attempt] of [
      [job, 1],
      [other, 1],
    ] as const) {
      await database.db
        .insert(jobRuns)
        .values({ id: attemptRunId(j, attempt), job: "ledger-verify", asOf: "2026-02-05", trigger: "manual", status: "running" });
    }
    await runRecorded(database.db, quick, ctx(), { asOf: "2026-02-05" }, "manual", { job, attempt: 2 });
    const rows = await statuses();
    expect(rows.find((r) => r.id === attemptRunId(job, 1))).toMatchObject({ status: "abandoned", error: expect.stringMatching(/^abandoned: attempt 2/) });
    expect(rows.find((r) => r.id === attemptRunId(job, 2))).toMatchObject({ status: "succeeded" });
    expect(rows.find((r) => r.id === attemptRunId(other, 1))).toMatchObject({ status: "running" });

    // A retried job whose attempt count was reset gets a row of its own.
    await runRecorded(database.db, quick, ctx(), { asOf: "2026-02-05" }, "manual", { job, attempt: 2 });
    expect((await statuses()).filter((r) => r.status === "succeeded")).toHaveLength(2);
  });

  it("an attempt declared abandoned keeps that status when its processor ends after all", async () => {
    await database.db.delete(jobRuns);
    const job: QueuedJob = { prefix, queue: "ledger-verify", jobId: "9", createdAt: 1_700_000_000_000 };
    let release!: () => void;
    const slow: JobDefinition = { name: "ledger-verify", run: () => new Promise((r) => (release = () => r({ ok: true }))) };
    const first = runRecorded(database.db, slow, ctx(), { asOf: "2026-02-05" }, "manual", { job, attempt: 1 });
    while (!release) await sleep(10);
    await runRecorded(database.db, quick, ctx(), { asOf: "2026-02-05" }, "manual", { job, attempt: 2 });
    release();
    await first;
    expect((await statuses()).map((r) => r.status).sort()).toEqual(["abandoned", "succeeded"]);
  });

  it("the embedded runtime (one process) marks the runs a stopped process left running as abandoned when it starts", async () => {
    await database.db.delete(jobRuns);
    await database.db.insert(jobRuns).values({ id: crypto.randomUUID(), job: "rent-payments", asOf: "2026-02-05", trigger: "schedule", status: "running" });
    const runtime = await startJobRuntime({
      db: database.db,
      logger,
      redisUrl: "redis://127.0.0.1:1",
      prefix,
      scheduler: false,
      processJobs: true,
      allowInProcess: true,
    });
    await runtime.close();
    expect(await statuses()).toEqual([{ id: expect.any(String), status: "abandoned", error: "abandoned: the process running it stopped" }]);
  });

  it("the stall check of a live worker puts back a job whose worker stopped answering, and closes its run as abandoned", async () => {
    await database.db.delete(jobRuns);
    const lock = { durationMs: 1_000, stalledIntervalMs: 500 };
    const queue = new Queue("ledger-verify", { connection: { url: TEST_REDIS_URL }, prefix });
    // A worker that takes the job and then goes silent: no processor, no lock renewal.
    const silent = new Worker("ledger-verify", null, {
      connection: { url: TEST_REDIS_URL },
      prefix,
      autorun: false,
      lockDuration: lock.durationMs,
      skipLockRenewal: true,
      skipStalledCheck: true,
    });
    try {
      const added = await queue.add("ledger-verify", { asOf: "2026-02-05", trigger: "manual" }, { attempts: 1 });
      const taken = await silent.getNextJob("silent-token");
      expect(taken?.id).toBe(added.id);
      const job: QueuedJob = { prefix, queue: "ledger-verify", jobId: added.id!, createdAt: added.timestamp };
      await database.db.insert(jobRuns).values({ id: attemptRunId(job, 1), job: "ledger-verify", asOf: "2026-02-05", trigger: "manual", status: "running" });

      const runtime = await startTestRuntime(database.db, prefix, { lock });
      try {
        let rows = await statuses();
        for (let waited = 0; waited < 20_000 && !rows.some((r) => r.status === "succeeded"); waited += 100) {
          await sleep(100);
          rows = await statuses();
        }
        expect(rows.find((r) => r.id === attemptRunId(job, 1))).toMatchObject({ status: "abandoned", error: expect.stringMatching(/^abandoned: /) });
        expect(rows.find((r) => r.id === attemptRunId(job, 2))).toMatchObject({ status: "succeeded" });
      } finally {
        await runtime.close();
      }
    } finally {
      await silent.close(true);
      await queue.close();
    }
  });

  it("the Traitements page says what « abandonné » means when a run was abandoned", async () => {
    await database.db.delete(jobRuns);
    const app = createTestApp(database.db, { today: () => "2026-02-05" });
    await staffUser(database.db, "admin-runs@asso.example", "admin", "Alice Admin");
    const admin = await uiSession(app, "admin-runs@asso.example");
    expect((await admin.get("/traitements")).html).not.toContain("abandonné");
    await database.db.insert(jobRuns).values({
      id: crypto.randomUUID(),
      job: "rent-payments",
      asOf: "2026-02-05",
      trigger: "schedule",
      status: "abandoned",
      error: "abandoned: its worker stopped",
    });
    const page = await admin.get("/traitements");
    expect(page.status).toBe(200);
    expect(page.html).toContain('class="badge b-abandoned"');
    expect(page.html).toContain("abandonné");
    expect(page.html).toContain("« abandonné » : le processus qui exécutait ce traitement");
  });
});
