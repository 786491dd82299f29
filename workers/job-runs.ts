import { and, eq, inArray, sql } from "drizzle-orm";
import { v5 as uuidv5, v7 as uuidv7 } from "uuid";
import type { Db } from "../src/db/client";
import { jobRuns } from "../src/db/schema/jobs";
import type { JobContext, JobDefinition, JobPayload, JobSummary } from "../src/jobs/catalog";
import { describeError } from "../src/logger";

/** One BullMQ job across its attempts: each attempt's row id derives from it, so a later attempt finds the earlier ones. */
export interface QueuedJob {
  prefix: string;
  queue: string;
  jobId: string;
  /** When the job was created (ms): a flushed Redis that reuses an id gives other rows. */
  createdAt: number;
}

const RUN_ID_NAMESPACE = "3f0b6c8e-4c1d-5a7e-9b2f-6d8e1a0c4b57";

/** The `job_runs` id of attempt `attempt` (1, 2, …) of a queued job. */
export function attemptRunId(job: QueuedJob, attempt: number): string {
  return uuidv5(`${job.prefix}/${job.queue}/${job.jobId}/${job.createdAt}#${attempt}`, RUN_ID_NAMESPACE);
}

/** Closes as `abandoned` the rows among `among` (all when absent) that are still `running`. */
async function abandonRuns(db: Db, reason: string, among?: readonly string[]): Promise<number> {
  const closed = await db
    .update(jobRuns)
    .set({ status: "abandoned", error: reason.slice(0, 2000), finishedAt: sql`now()` })
    .where(and(eq(jobRuns.status, "running"), among ? inArray(jobRuns.id, [...among]) : undefined))
    .returning({ id: jobRuns.id });
  return closed.length;
}

/**
 * Closes as `abandoned` the rows still `running` of attempts 1..`upTo` of a queued job:
 * their worker died or lost its lock before the run ended, and BullMQ put the job back.
 */
export async function abandonAttempts(db: Db, job: QueuedJob, upTo: number, reason: string): Promise<number> {
  if (upTo < 1) return 0;
  return abandonRuns(
    db,
    reason,
    Array.from({ length: upTo }, (_, i) => attemptRunId(job, i + 1)),
  );
}

/** Rows left `running` by a process that is gone: the embedded database has one process at a time. */
export const abandonOrphanedRuns = (db: Db, reason: string): Promise<number> => abandonRuns(db, reason);

interface RunAttempt {
  job: QueuedJob;
  /** 1 for the first start, counting starts after a stall (BullMQ's attemptsStarted). */
  attempt: number;
}

/**
 * Runs a job's processor and keeps its trace in `job_runs` (the UI's "Traitements"):
 * started, then succeeded with the summary or failed with the error's message. A queued
 * attempt first closes the rows its predecessors left `running`.
 */
export async function runRecorded(
  db: Db,
  def: JobDefinition,
  ctx: JobContext,
  payload: JobPayload,
  trigger: "schedule" | "manual",
  queued?: RunAttempt,
): Promise<JobSummary> {
  let id = queued ? attemptRunId(queued.job, queued.attempt) : uuidv7();
  if (queued) {
    await abandonAttempts(db, queued.job, queued.attempt - 1, `abandoned: attempt ${queued.attempt} of the same queued job started`);
  }
  const inserted = await db
    .insert(jobRuns)
    .values({ id, job: def.name, asOf: payload.asOf, trigger, status: "running" })
    .onConflictDoNothing({ target: jobRuns.id })
    .returning({ id: jobRuns.id });
  if (inserted.length === 0) {
    // A job retried with its attempt count reset: its own row, not the earlier one.
    id = uuidv7();
    await db.insert(jobRuns).values({ id, job: def.name, asOf: payload.asOf, trigger, status: "running" });
  }
  // Only a row still running is closed: an attempt declared abandoned keeps that status.
  const stillRunning = and(eq(jobRuns.id, id), eq(jobRuns.status, "running"));
  try {
    const summary = await def.run(ctx, payload);
    await db.update(jobRuns).set({ status: "succeeded", summary, finishedAt: sql`now()` }).where(stillRunning);
    return summary;
  } catch (error) {
    await db
      .update(jobRuns)
      .set({ status: "failed", error: describeError(error).slice(0, 2000), finishedAt: sql`now()` })
      .where(stillRunning)
      .catch(() => {});
    throw error;
  }
}
