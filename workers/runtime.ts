import { Job, Queue, QueueEvents, UnrecoverableError, Worker } from "bullmq";
import { CronExpressionParser } from "cron-parser";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Db } from "../src/db/client";
import { BUSINESS_TIME_ZONE, businessDate } from "../src/domain/business-date";
import { DomainError } from "../src/domain/errors";
import type { JobDefinition, JobName, JobPayload, JobSummary, QueueState } from "../src/jobs/catalog";
import { describeError, safeError } from "../src/logger";
import { createRedis, redisReachable } from "./connection";
import { abandonAttempts, abandonOrphanedRuns, type QueuedJob, runRecorded } from "./job-runs";
import { JOBS } from "./registry";

export interface JobRuntime {
  readonly mode: "queue" | "in-process";
  state(): Promise<QueueState>;
  /** Runs a job for a business date and resolves with its summary once it finished. */
  run(name: JobName, payload: JobPayload, timeoutMs?: number): Promise<JobSummary>;
  close(): Promise<void>;
  /** The queues, for the dashboard (none in process). */
  queues(): Queue[];
}

export interface JobRuntimeOptions {
  db: Db;
  logger: Logger;
  redisUrl: string;
  prefix: string;
  /** Register the cron schedules (SCHEDULER=on). */
  scheduler: boolean;
  /** Run processors in this process (roles `all` and `worker`); otherwise only produce. */
  processJobs: boolean;
  /** Only the embedded default may fall back to in-process jobs when Redis is away. */
  allowInProcess: boolean;
  jobs?: Readonly<Record<JobName, JobDefinition>>;
  /** How long a worker's lock on a job lasts, and how often the workers look for jobs whose lock expired. */
  lock?: JobLockTimes;
}

interface JobLockTimes {
  /** BullMQ renews it at least every half of it while the processor runs; a dead worker's lock expires after it. */
  durationMs: number;
  stalledIntervalMs: number;
}

/**
 * A chunk is one transaction of ~0.5 s and the event loop turns between chunks, so a
 * live worker renews its lock every 5 to 10 s with room to spare; a killed one's job
 * is back in the queue within 20 s + 15 s, well under a minute.
 */
export const DEFAULT_LOCK_TIMES: JobLockTimes = { durationMs: 20_000, stalledIntervalMs: 15_000 };

const DEFAULT_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: "exponential" as const, delay: 10_000 },
  // Failed jobs stay visible for the dashboard and the post-mortem.
  removeOnComplete: { age: 30 * 24 * 3600, count: 2_000 },
  removeOnFail: { age: 90 * 24 * 3600, count: 10_000 },
};

export async function startJobRuntime(options: JobRuntimeOptions): Promise<JobRuntime> {
  if (await redisReachable(options.redisUrl)) return startQueueRuntime(options);
  if (!options.allowInProcess) {
    throw new Error("Redis does not answer at REDIS_URL; with DATABASE_URL set, jobs need their queue");
  }
  options.logger.warn("!!! Redis is not reachable: jobs run IN-PROCESS, without a queue, retries or dashboard (embedded default only) !!!");
  return startInProcessRuntime(options);
}

/** The business date of a queued job: given, or the Paris day its schedule fired. */
function payloadOf(job: Job): JobPayload {
  const data = (job.data ?? {}) as Partial<JobPayload>;
  if (typeof data.asOf === "string") return { asOf: data.asOf };
  return { asOf: businessDate(new Date(job.timestamp + (job.delay ?? 0))) };
}

async function startQueueRuntime(options: JobRuntimeOptions): Promise<JobRuntime> {
  const jobs = options.jobs ?? JOBS;
  const { logger, prefix } = options;
  const lock = options.lock ?? DEFAULT_LOCK_TIMES;
  const connections: Redis[] = [];
  const connect = (purpose: "worker" | "producer") => {
    const c = createRedis(options.redisUrl, purpose);
    c.on("error", (err) => logger.warn({ err }, "redis connection error"));
    connections.push(c);
    return c;
  };
  const producer = connect("producer");
  const queues = new Map<JobName, Queue>();
  for (const name of Object.keys(jobs) as JobName[]) {
    queues.set(name, new Queue(name, { connection: producer, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS }));
  }
  // The producer fails fast instead of queueing commands: it must be connected first.
  await Promise.all([...queues.values()].map((q) => q.waitUntilReady()));

  const workers: Worker[] = [];
  if (options.processJobs) {
    const workerConnection = connect("worker");
    for (const def of Object.values(jobs)) {
      const queued = (job: Job): QueuedJob => ({ prefix, queue: def.name, jobId: job.id!, createdAt: job.timestamp });
      const worker = new Worker(
        def.name,
        async (job, token) => {
          const payload = payloadOf(job);
          const attempt = job.attemptsStarted;
          const jobLogger = logger.child({ job: def.name, jobId: job.id, asOf: payload.asOf, attempt });
          // Every start that neither failed nor completed was lost with its worker.
          const stalledStarts = attempt - 1 - job.attemptsMade;
          if (stalledStarts > 0) jobLogger.warn({ stalledCounter: job.stalledCounter }, "job started, resuming a stalled attempt (its worker stopped)");
          else jobLogger.info("job started");
          let extendedAt = Date.now();
          const reportProgress = async (p: number | Record<string, unknown>) => {
            await job.updateProgress(p);
            // Progress proves the run is alive: extend the lock here too, not only on BullMQ's timer.
            if (token && Date.now() - extendedAt > lock.durationMs / 4) {
              extendedAt = Date.now();
              if ((await job.extendLock(token, lock.durationMs)) !== 1) jobLogger.warn("job lock lost: another worker may resume this job");
            }
          };
          try {
            const ctx = { db: options.db, logger: jobLogger, actor: `job:${def.name}`, reportProgress };
            const trigger = (job.data as { trigger?: string })?.trigger === "manual" ? "manual" : "schedule";
            const summary = await runRecorded(options.db, def, ctx, payload, trigger, { job: queued(job), attempt });
            jobLogger.info({ summary }, "job finished");
            return summary;
          } catch (error) {
            // BullMQ keeps a failure's message and stack in Redis (and the dashboard shows them):
            // only what the logger's error serializer lets through, never a query's values.
            const safe = describeError(error);
            // Bad input will not get better by retrying.
            const failure = error instanceof DomainError && error.code === "validation_failed" ? new UnrecoverableError(safe) : new Error(safe);
            failure.stack = `${failure.name}: ${safe}\n${safeError(error).stack ?? ""}`;
            throw failure;
          }
        },
        { connection: workerConnection, prefix, concurrency: 1, lockDuration: lock.durationMs, stalledInterval: lock.stalledIntervalMs, maxStalledCount: 1 },
      );
      // This worker's stall check put back a job whose worker stopped: its run ends `abandoned`.
      worker.on("stalled", (jobId) => {
        void (async () => {
          const job = await Job.fromId(queues.get(def.name)!, jobId);
          if (!job) return;
          // Read before the state: a job already taken again keeps its new attempt running.
          const started = job.attemptsStarted;
          const upTo = (await job.getState()) === "active" ? started - 1 : started;
          const closed = await abandonAttempts(options.db, queued(job), upTo, "abandoned: its worker stopped (lock expired); the job went back to its queue");
          logger.warn(
            { job: def.name, jobId, attemptsStarted: started, stalledCounter: job.stalledCounter, runsAbandoned: closed },
            "job stalled: its worker stopped, the job is back in its queue",
          );
        })().catch((err: Error) => logger.error({ job: def.name, jobId, err }, "could not record a stalled job"));
      });
      worker.on("failed", (job, err) => logger.error({ job: def.name, jobId: job?.id, attempts: job?.attemptsMade, err }, "job failed"));
      worker.on("error", (err) => logger.error({ job: def.name, err }, "worker error"));
      workers.push(worker);
    }
    if (options.scheduler) {
      for (const def of Object.values(jobs)) {
        if (!def.schedule) continue;
        // Upsert: a restart updates the one scheduler instead of adding another.
        await queues.get(def.name)!.upsertJobScheduler(def.name, { pattern: def.schedule.pattern, tz: BUSINESS_TIME_ZONE }, { name: def.name, data: {} });
      }
      logger.info(
        {
          schedules: Object.values(jobs)
            .filter((d) => d.schedule)
            .map((d) => `${d.name} ${d.schedule!.pattern}`),
        },
        "job schedules registered",
      );
    }
  }

  const events = new Map<JobName, QueueEvents>();
  const eventsFor = async (name: JobName) => {
    let e = events.get(name);
    if (!e) {
      e = new QueueEvents(name, { connection: connect("worker"), prefix });
      events.set(name, e);
      await e.waitUntilReady();
    }
    return e;
  };

  logger.info(
    { mode: "queue", processJobs: options.processJobs, prefix, lockDurationMs: lock.durationMs, stalledIntervalMs: lock.stalledIntervalMs },
    "job runtime started",
  );
  return {
    mode: "queue",
    queues: () => [...queues.values()],
    async state() {
      try {
        return (await producer.ping()) === "PONG" ? "ok" : "error";
      } catch {
        return "error";
      }
    },
    async run(name, payload, timeoutMs = 10 * 60_000) {
      const queue = queues.get(name);
      if (!queue) throw new Error(`unknown job ${name}`);
      const queueEvents = await eventsFor(name);
      const job = await queue.add(name, { ...payload, trigger: "manual" }, { attempts: 1 });
      return (await job.waitUntilFinished(queueEvents, timeoutMs)) as JobSummary;
    },
    async close() {
      // Workers first: each finishes its active job before it lets go.
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all([...events.values()].map((e) => e.close()));
      await Promise.all([...queues.values()].map((q) => q.close()));
      await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}

async function startInProcessRuntime(options: JobRuntimeOptions): Promise<JobRuntime> {
  const jobs = options.jobs ?? JOBS;
  const { logger } = options;
  // Only the embedded database runs jobs in process, and it admits one process: what is running died with the last one.
  const orphans = await abandonOrphanedRuns(options.db, "abandoned: the process running it stopped");
  if (orphans > 0) logger.warn({ runsAbandoned: orphans }, "runs left running by a stopped process marked abandoned");
  // One run at a time per job, like a queue with concurrency 1.
  const chains = new Map<JobName, Promise<unknown>>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const run = (name: JobName, payload: JobPayload, trigger: "schedule" | "manual" = "manual"): Promise<JobSummary> => {
    const def = jobs[name];
    if (!def) return Promise.reject(new Error(`unknown job ${name}`));
    const previous = chains.get(name) ?? Promise.resolve();
    const next = previous
      .catch(() => {})
      .then(async () => {
        const jobLogger = logger.child({ job: name, asOf: payload.asOf, mode: "in-process" });
        jobLogger.info("job started");
        const ctx = { db: options.db, logger: jobLogger, actor: `job:${name}`, reportProgress: async () => {} };
        const summary = await runRecorded(options.db, def, ctx, payload, trigger);
        jobLogger.info({ summary }, "job finished");
        return summary;
      });
    chains.set(name, next);
    return next;
  };

  const arm = (def: JobDefinition) => {
    if (closed || !def.schedule) return;
    const next = CronExpressionParser.parse(def.schedule.pattern, { tz: BUSINESS_TIME_ZONE }).next().toDate();
    const timer = setTimeout(
      () => {
        timers.delete(timer);
        run(def.name, { asOf: businessDate() }, "schedule").catch((err: Error) => logger.error({ job: def.name, err }, "job failed"));
        arm(def);
      },
      Math.max(1_000, next.getTime() - Date.now()),
    );
    timer.unref();
    timers.add(timer);
  };
  if (options.scheduler && options.processJobs) for (const def of Object.values(jobs)) arm(def);

  return {
    mode: "in-process",
    queues: () => [],
    state: async () => "disabled",
    run: (name, payload) => run(name, payload),
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      await Promise.allSettled([...chains.values()]);
    },
  };
}
