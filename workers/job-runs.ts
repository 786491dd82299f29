import { eq, sql } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import type { Db } from "../src/db/client";
import { jobRuns } from "../src/db/schema/jobs";
import type { JobDefinition, JobContext, JobPayload, JobSummary } from "../src/jobs/catalog";

/**
 * Runs a job's processor and keeps its trace in `job_runs` (the UI's "Traitements"):
 * started, then succeeded with the summary or failed with the error's message.
 */
export async function runRecorded(db: Db, def: JobDefinition, ctx: JobContext, payload: JobPayload, trigger: "schedule" | "manual"): Promise<JobSummary> {
  const id = uuidv7();
  await db.insert(jobRuns).values({ id, job: def.name, asOf: payload.asOf, trigger, status: "running" });
  try {
    const summary = await def.run(ctx, payload);
    await db.update(jobRuns).set({ status: "succeeded", summary, finishedAt: sql`now()` }).where(eq(jobRuns.id, id));
    return summary;
  } catch (error) {
    await db
      .update(jobRuns)
      .set({ status: "failed", error: error instanceof Error ? error.message.slice(0, 2000) : String(error), finishedAt: sql`now()` })
      .where(eq(jobRuns.id, id))
      .catch(() => {});
    throw error;
  }
}
