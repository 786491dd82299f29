import { serve } from "@hono/node-server";
import { Redis } from "ioredis";
import { queueDashboard } from "../workers/dashboard";
import { type NotificationsRuntime, startNotifications } from "../workers/notifications";
import { type JobRuntime, startJobRuntime } from "../workers/runtime";
import { createLoginThrottle } from "./auth/login-throttle";
import { cachedTokenResolver, onAccessChange, redisAnnouncer, type TokenCache } from "./auth/token-cache";
import { createTokenResolver, lookupToken } from "./auth/tokens";
import { openMigratedDatabase } from "./bootstrap";
import { ConfigError, loadConfig } from "./config";
import { createApp } from "./http/app";
import { createLogger, describeError } from "./logger";
import { databaseMailer, smtpMailer } from "./services/notifications/mailer";

type Role = "all" | "api" | "worker";

function roleFromArgs(argv: string[]): Role {
  const arg = argv.find((a) => a.startsWith("--role="))?.slice("--role=".length) ?? "all";
  if (arg !== "all" && arg !== "api" && arg !== "worker") throw new ConfigError([`--role: must be all, api or worker (got ${arg})`]);
  return arg;
}

/**
 * `npm start` runs API and workers in one process; `--role=api` and `--role=worker`
 * run them apart. SIGTERM stops accepting requests, lets in-flight requests and
 * active jobs finish, then closes the pools.
 */
async function main() {
  let config: ReturnType<typeof loadConfig>;
  let role: Role;
  try {
    config = loadConfig();
    role = roleFromArgs(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(78); // EX_CONFIG
  }
  const logger = createLogger(config.LOG_LEVEL);
  // A signal during start-up waits for start-up to finish, then shuts down cleanly.
  let requestedStop: string | undefined;
  let shutdown = async (signal: string) => {
    requestedStop = signal;
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));

  const database = await openMigratedDatabase(config, logger);
  logger.info({ driver: database.driver, role }, "database ready");

  const jobs: JobRuntime = await startJobRuntime({
    db: database.db,
    logger: logger.child({ component: "jobs" }),
    redisUrl: config.REDIS_URL,
    prefix: config.QUEUE_PREFIX,
    scheduler: config.SCHEDULER === "on" && role !== "api",
    processJobs: role !== "api",
    allowInProcess: database.driver === "pglite",
    lock: { durationMs: config.JOB_LOCK_MS, stalledIntervalMs: config.JOB_STALLED_INTERVAL_MS },
  });

  // Alert mails and webhooks are sent by the processes that run jobs.
  let notifications: NotificationsRuntime | undefined;
  if (role !== "api") {
    if (!config.SMTP_URL) logger.warn("SMTP_URL is not set: alert mails are kept in the database and shown to admins on the Courriels page, not sent");
    notifications = await startNotifications({
      db: database.db,
      logger: logger.child({ component: "notifications" }),
      mailer: config.SMTP_URL ? smtpMailer(config.SMTP_URL, config.MAIL_FROM) : databaseMailer(),
      publicUrl: config.PUBLIC_URL,
      pollMs: config.NOTIFICATIONS_POLL_MS,
      redis: jobs.mode === "queue" ? { url: config.REDIS_URL, prefix: config.QUEUE_PREFIX } : undefined,
      lock: { durationMs: config.JOB_LOCK_MS, stalledIntervalMs: config.JOB_STALLED_INTERVAL_MS },
    });
  }

  let server: ReturnType<typeof serve> | undefined;
  // Sign-in throttling is shared through Redis when the jobs run there (several API processes), in memory otherwise.
  let throttleRedis: Redis | undefined;
  // With Redis, API tokens are cached in the process and every revocation is announced to all (auth/token-cache.ts).
  let tokenCache: TokenCache | undefined;
  if (role !== "worker") {
    if (jobs.queues().length) {
      const redis = new Redis(config.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
      throttleRedis = redis;
      tokenCache = cachedTokenResolver({
        redis,
        prefix: config.QUEUE_PREFIX,
        lookup: (hash) => lookupToken(database.db, hash),
        onSubscriptionLost: () => logger.warn("token cache: Redis subscription lost; every token is looked up in the database until it is back"),
      });
      onAccessChange(database.db, redisAnnouncer(redis, config.QUEUE_PREFIX, logger));
    }
    const app = createApp({
      db: database.db,
      logger,
      resolveToken: tokenCache?.resolve ?? createTokenResolver(database.db),
      queueState: () => jobs.state(),
      runJob: (name, payload) => jobs.run(name, payload),
      secureCookies: config.COOKIE_SECURE === "on",
      limits: { bodyBytes: config.BODY_LIMIT_BYTES, timeoutMs: config.REQUEST_TIMEOUT_MS },
      mfaRequired: config.MFA_REQUIRED === "on",
      fourEyesThresholdCents: BigInt(config.FOUR_EYES_THRESHOLD_CENTS),
      loginThrottle: createLoginThrottle({ redis: throttleRedis, prefix: config.QUEUE_PREFIX }),
      queueDashboard: jobs.queues().length ? (queueDashboard(jobs.queues()) as never) : undefined,
    });
    server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
      logger.info({ port: info.port }, `listening on http://localhost:${info.port} (API reference at /docs)`);
    });
    server.on("error", (error: Error) => {
      // EADDRINUSE and the like: stop the workers cleanly rather than die mid-job.
      logger.fatal({ err: { message: error.message, code: (error as { code?: string }).code } }, "HTTP server error");
      process.exitCode = 1;
      void stop("server-error");
    });
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: draining requests and jobs");
    const deadline = setTimeout(() => {
      logger.error("shutdown timed out; exiting");
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    deadline.unref();
    if (server?.listening) {
      const s = server;
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        // Idle keep-alive sockets would hold close() open; active ones finish first.
        if ("closeIdleConnections" in s) (s as { closeIdleConnections(): void }).closeIdleConnections();
      });
    }
    await notifications?.close();
    await jobs.close();
    tokenCache?.close();
    throttleRedis?.disconnect();
    await database.close();
    logger.info("stopped");
    process.exit(process.exitCode ?? 0);
  };
  shutdown = stop;
  if (requestedStop) await stop(requestedStop);
}

main().catch((error: unknown) => {
  console.error("fatal:", describeError(error));
  process.exit(1);
});
