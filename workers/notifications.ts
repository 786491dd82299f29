import { type Job, Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Db } from "../src/db/client";
import { businessDate } from "../src/domain/business-date";
import { describeError } from "../src/logger";
import { type DeliveryDeps, deliverOne } from "../src/services/notifications/deliver";
import { dispatchEvents, dueDeliveries } from "../src/services/notifications/dispatch";
import type { Mailer } from "../src/services/notifications/mailer";
import { createRedis } from "./connection";

const NOTIFICATIONS_QUEUE = "notifications";

export interface NotificationsOptions {
  db: Db;
  logger: Logger;
  mailer: Mailer;
  publicUrl: string;
  /** How often the outbox is read and due deliveries are queued. */
  pollMs: number;
  /** Redis and the key prefix: absent, deliveries run in this process (embedded default without Redis). */
  redis?: { url: string; prefix: string };
  lock?: { durationMs: number; stalledIntervalMs: number };
  retryBaseMs?: number;
  giveUpAfterMs?: number;
  webhookTimeoutMs?: number;
}

export interface NotificationsRuntime {
  /** Reads the outbox and queues (or, in process, sends) what is due; the timer calls it, tests too. */
  tick(): Promise<void>;
  close(): Promise<void>;
}

const DELIVERY_DEFAULTS = { retryBaseMs: 30_000, giveUpAfterMs: 24 * 3600_000, webhookTimeoutMs: 10_000 };

/**
 * The `notifications` queue: a `dispatch` job every `pollMs` turns the outbox's events
 * into deliveries (services/notifications/dispatch.ts) and queues one `deliver` job per
 * due delivery; the job id names the delivery and its attempt, so queuing it again
 * while it waits or runs adds nothing. A failed attempt is written to the delivery
 * with its next time (exponential backoff) and queued again with that delay. The
 * database holds the truth: a job lost with Redis or a killed worker is queued again by
 * the next dispatch once its lock has expired.
 */
export async function startNotifications(options: NotificationsOptions): Promise<NotificationsRuntime> {
  const { logger } = options;
  const deps: DeliveryDeps = {
    db: options.db,
    mailer: options.mailer,
    publicUrl: options.publicUrl,
    retryBaseMs: options.retryBaseMs ?? DELIVERY_DEFAULTS.retryBaseMs,
    giveUpAfterMs: options.giveUpAfterMs ?? DELIVERY_DEFAULTS.giveUpAfterMs,
    webhookTimeoutMs: options.webhookTimeoutMs ?? DELIVERY_DEFAULTS.webhookTimeoutMs,
  };
  const deliver = async (id: string) => {
    const result = await deliverOne(deps, id);
    // Ids only: the delivery names neither the person nor the address.
    if (result.outcome === "retry")
      logger.warn({ deliveryId: id, attempts: result.attempts, nextAttemptAt: result.nextAttemptAt }, "delivery failed, will retry");
    else if (result.outcome === "failed") logger.error({ deliveryId: id }, "delivery given up");
    else if (result.outcome === "delivered") logger.info({ deliveryId: id }, "delivery sent");
    return result;
  };
  const dispatch = async () => {
    const { events, deliveries } = await dispatchEvents(options.db, businessDate());
    if (events) logger.info({ events, deliveries }, "alert events dispatched");
    return dueDeliveries(options.db);
  };
  return options.redis ? startQueued(options, options.redis, dispatch, deliver) : startInProcess(options, dispatch, deliver);
}

type Dispatch = () => Promise<{ id: string; attempts: number }[]>;
type Deliver = (id: string) => Promise<Awaited<ReturnType<typeof deliverOne>>>;

async function startQueued(options: NotificationsOptions, redis: { url: string; prefix: string }, dispatch: Dispatch, deliver: Deliver) {
  const { logger } = options;
  const connections: Redis[] = [];
  const connect = (purpose: "worker" | "producer") => {
    const c = createRedis(redis.url, purpose);
    c.on("error", (err) => logger.warn({ err }, "redis connection error"));
    connections.push(c);
    return c;
  };
  const queue = new Queue(NOTIFICATIONS_QUEUE, {
    connection: connect("producer"),
    prefix: redis.prefix,
    // Done or dead, a job leaves Redis: the delivery row keeps the history, and the id may be queued again.
    defaultJobOptions: { removeOnComplete: true, removeOnFail: true, attempts: 1 },
  });
  await queue.waitUntilReady();
  const enqueue = (id: string, attempts: number, delay = 0) => queue.add("deliver", { id }, { jobId: `deliver-${id}-${attempts}`, delay });
  const tick = async () => {
    for (const d of await dispatch()) await enqueue(d.id, d.attempts);
  };
  const worker = new Worker(
    NOTIFICATIONS_QUEUE,
    async (job: Job) => {
      if (job.name === "dispatch") return tick();
      const result = await deliver((job.data as { id: string }).id);
      if (result.outcome === "retry") await enqueue((job.data as { id: string }).id, result.attempts, Math.max(0, result.nextAttemptAt.getTime() - Date.now()));
      return result.outcome;
    },
    {
      connection: connect("worker"),
      prefix: redis.prefix,
      concurrency: 4,
      lockDuration: options.lock?.durationMs ?? 20_000,
      stalledInterval: options.lock?.stalledIntervalMs ?? 15_000,
      maxStalledCount: 1,
    },
  );
  worker.on("failed", (job, err) => logger.error({ job: job?.name, jobId: job?.id, err: { message: describeError(err) } }, "notification job failed"));
  worker.on("error", (err) => logger.error({ err: { message: describeError(err) } }, "notification worker error"));
  await queue.upsertJobScheduler("notifications-dispatch", { every: options.pollMs }, { name: "dispatch", data: {} });
  logger.info({ mode: "queue", mailer: options.mailer.kind, pollMs: options.pollMs }, "notifications started");
  return {
    tick,
    async close() {
      await worker.close();
      await queue.close();
      options.mailer.close();
      await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}

async function startInProcess(options: NotificationsOptions, dispatch: Dispatch, deliver: Deliver): Promise<NotificationsRuntime> {
  const { logger } = options;
  let running: Promise<void> = Promise.resolve();
  let closed = false;
  const tick = () => {
    running = running
      .catch(() => {})
      .then(async () => {
        if (closed) return;
        for (const d of await dispatch()) await deliver(d.id);
      });
    return running;
  };
  const timer = setInterval(
    () => void tick().catch((err: unknown) => logger.error({ err: { message: describeError(err) } }, "notifications tick failed")),
    options.pollMs,
  );
  timer.unref();
  logger.info({ mode: "in-process", mailer: options.mailer.kind, pollMs: options.pollMs }, "notifications started");
  return {
    tick,
    async close() {
      closed = true;
      clearInterval(timer);
      await running.catch(() => {});
      options.mailer.close();
    },
  };
}
