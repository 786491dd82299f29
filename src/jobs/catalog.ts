import type { Logger } from "pino";
import type { Db } from "../db/client";

/**
 * What the HTTP layer and the workers agree on about jobs: their names, what a run is
 * given and gives back, and the state of the queue. Both import it; neither imports the other.
 */

/** The job names of the contract (`POST /v1/jobs/{name}/runs`) and our own. */
export const JOB_NAMES = [
  "rent-payments",
  "charge-payments",
  "reversements",
  "unpaid-rent-check",
  "ledger-verify",
  "retention",
  "alert-digest",
  "bank-reconciliation",
] as const;
export type JobName = (typeof JOB_NAMES)[number];

/** `/health`'s `queue`: `disabled` when jobs run in process (embedded default without Redis). */
export const QUEUE_STATES = ["ok", "disabled", "error"] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

export interface JobPayload {
  /** The business date the run is for; a scheduled run takes the day it fires (Paris). */
  asOf: string;
}

export interface JobContext {
  db: Db;
  logger: Logger;
  /** Who the ledger records as the actor of what the job posts. */
  actor: string;
  reportProgress(progress: number | Record<string, unknown>): Promise<void>;
}

export type JobSummary = Record<string, unknown>;

export interface JobDefinition {
  name: JobName;
  /** Cron in Europe/Paris; absent for on-demand-only jobs. */
  schedule?: { pattern: string };
  /** Must be idempotent for a given `asOf`: a retry or a second run changes nothing. */
  run(ctx: JobContext, payload: JobPayload): Promise<JobSummary>;
}
