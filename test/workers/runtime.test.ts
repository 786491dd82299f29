import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startJobRuntime } from "../../workers/runtime";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { TEST_REDIS_URL } from "../support/env";
import { deleteQueueKeys, startTestRuntime } from "../support/queues";
import { testLogger } from "../support/service-log";

describe("job runtime", () => {
  let database: TestDatabase;
  const prefix = `test-rt-${randomBytes(4).toString("hex")}`;
  const logger = testLogger();

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await deleteQueueKeys(prefix);
    await database?.dispose();
  });

  it("runs a job through the real queue and answers with its summary", async () => {
    const runtime = await startTestRuntime(database.db, prefix);
    try {
      expect(runtime.mode).toBe("queue");
      expect(await runtime.state()).toBe("ok");
      const summary = await runtime.run("ledger-verify", { asOf: "2026-02-05" });
      expect(summary).toMatchObject({ ok: true, drift: 0, unbalancedTransactions: 0 });
    } finally {
      await runtime.close();
    }
  });

  it("registers each schedule once, however often the workers restart", async () => {
    for (let i = 0; i < 3; i++) {
      const runtime = await startTestRuntime(database.db, prefix, { scheduler: true });
      await runtime.close();
    }
    const queue = new Queue("ledger-verify", { connection: { url: TEST_REDIS_URL }, prefix });
    try {
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers).toHaveLength(1);
      expect(schedulers[0]).toMatchObject({ key: "ledger-verify", pattern: "30 3 * * *", tz: "Europe/Paris" });
    } finally {
      await queue.close();
    }
  });

  it("falls back to in-process jobs only where allowed (the embedded default)", async () => {
    const unreachable = "redis://127.0.0.1:1";
    await expect(
      startJobRuntime({ db: database.db, logger, redisUrl: unreachable, prefix, scheduler: false, processJobs: true, allowInProcess: false }),
    ).rejects.toThrow(/Redis/);
    const runtime = await startJobRuntime({ db: database.db, logger, redisUrl: unreachable, prefix, scheduler: true, processJobs: true, allowInProcess: true });
    try {
      expect(runtime.mode).toBe("in-process");
      expect(await runtime.state()).toBe("disabled");
      expect(await runtime.run("ledger-verify", { asOf: "2026-02-05" })).toMatchObject({ ok: true });
    } finally {
      await runtime.close();
    }
  });
});
