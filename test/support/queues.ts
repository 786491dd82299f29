import { Redis } from "ioredis";
import type { Db } from "../../src/db/client";
import { type JobRuntime, type JobRuntimeOptions, startJobRuntime } from "../../workers/runtime";
import { TEST_REDIS_URL } from "./env";
import { testLogger } from "./service-log";

/** Removes a test run's queues from Redis: every key under its prefix. */
export async function deleteQueueKeys(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

/**
 * A job runtime on the test Redis under `prefix`: workers on, no schedules, never the
 * in-process fallback, the run's log file; `overrides` for what a suite tests.
 */
export const startTestRuntime = (db: Db, prefix: string, overrides: Partial<JobRuntimeOptions> = {}): Promise<JobRuntime> =>
  startJobRuntime({
    db,
    logger: testLogger(),
    redisUrl: TEST_REDIS_URL,
    prefix,
    scheduler: false,
    processJobs: true,
    allowInProcess: false,
    ...overrides,
  });
