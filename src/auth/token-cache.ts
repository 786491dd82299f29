import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";
import type { Db } from "../db/client";
import type { Logger } from "../logger";
import { hashToken, type Principal, type TokenResolver } from "./tokens";

/**
 * The API token cache (docs/security.md, "Out everywhere at once"). Each API process keeps
 * the principals of the tokens it has seen, so a request costs no database round trip,
 * and every process is told at once, through Redis pub/sub, when access is taken away:
 * the verb that revokes a token or disables a user publishes after its commit and waits
 * until every subscribed process has acknowledged that it dropped its cache. A process
 * answers from its cache only while its subscription is up: when the subscription drops,
 * the cache is emptied and every request goes to the database until it is back. The TTL
 * is the safety net for a change made around the verbs (SQL by hand).
 */
export const TOKEN_CACHE_TTL_MS = 30_000;
const MAX_ENTRIES = 10_000;
/** How long a revocation waits for the processes' acknowledgements (a stuck process still meets the TTL). */
const ACK_TIMEOUT_MS = 2_000;
const ACK_KEEP_MS = 60_000;
/** Publishing is tried this many times (0.1, 0.2… s apart, 1.5 s in all) before the TTL is left to do it. */
const PUBLISH_ATTEMPTS = 6;

const channelOf = (prefix: string) => `${prefix}:auth:access-changed`;
const ackKeyOf = (prefix: string, nonce: string) => `${prefix}:auth:ack:${nonce}`;

export interface TokenCache {
  resolve: TokenResolver;
  /** Whether the cache answers (its subscription is up). */
  live(): boolean;
  close(): void;
}

/**
 * A resolver in front of `lookup` (tokens.ts's `lookupToken`). Only accepted tokens are
 * kept (a refused one is looked up again next time: re-enabling a user needs no message),
 * by their hash (the token itself is never held), at most `MAX_ENTRIES`.
 * `redis` is the process's command connection (acknowledgements); the subscription
 * runs on a duplicate of it.
 */
export function cachedTokenResolver(options: {
  redis: Redis;
  prefix: string;
  lookup: (tokenHash: string) => Promise<Principal | null>;
  ttlMs?: number;
  now?: () => number;
  onSubscriptionLost?: (error?: Error) => void;
}): TokenCache {
  const { redis, prefix, lookup } = options;
  const ttlMs = options.ttlMs ?? TOKEN_CACHE_TTL_MS;
  const now = options.now ?? Date.now;
  const channel = channelOf(prefix);
  const instance = randomUUID();
  const entries = new Map<string, { principal: Principal; expires: number }>();
  let subscribed = false;
  let closed = false;
  // Bumped by every forget: a lookup that started before a revocation never fills the cache after it.
  let generation = 0;
  const forget = () => {
    entries.clear();
    generation++;
  };

  // Resubscribed by hand on every `ready`, so the cache is known to be live only once the subscription is.
  // Named, so `CLIENT LIST` shows which connections hold the processes' subscriptions.
  const subscriber = redis.duplicate({
    autoResubscribe: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: null,
    connectionName: `${prefix}:token-cache`,
  });
  const lost = (error?: Error) => {
    if (subscribed) options.onSubscriptionLost?.(error);
    subscribed = false;
    forget();
  };
  subscriber.on("ready", () => {
    subscriber.subscribe(channel).then(
      () => {
        if (closed) return;
        forget(); // messages sent while we were away are lost: start empty
        subscribed = true;
      },
      (error: Error) => lost(error),
    );
  });
  subscriber.on("error", (error: Error) => lost(error));
  subscriber.on("close", () => lost());
  subscriber.on("reconnecting", () => lost());
  subscriber.on("end", () => lost());
  subscriber.on("message", (from: string, message: string) => {
    if (from !== channel) return;
    forget();
    const nonce = /^[0-9a-f-]{36}$/.test(message) ? message : undefined;
    if (!nonce) return;
    const key = ackKeyOf(prefix, nonce);
    // A lost acknowledgement only makes the revoking verb wait for its timeout: the cache is already empty.
    redis
      .multi()
      .rpush(key, instance)
      .pexpire(key, ACK_KEEP_MS)
      .exec()
      .catch(() => {});
  });

  return {
    async resolve(token: string) {
      const hash = hashToken(token);
      if (subscribed) {
        const hit = entries.get(hash);
        if (hit && hit.expires > now()) return hit.principal;
        if (hit) entries.delete(hash);
      }
      const seen = generation;
      const principal = await lookup(hash);
      if (principal && subscribed && seen === generation) {
        if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
        entries.set(hash, { principal, expires: now() + ttlMs });
      }
      return principal;
    },
    live: () => subscribed,
    close() {
      closed = true;
      subscribed = false;
      forget();
      subscriber.disconnect();
    },
  };
}

export interface AccessChangeOutcome {
  /** Processes subscribed when the change was announced. */
  told: number;
  /** Those that acknowledged within the timeout. */
  acknowledged: number;
}

/**
 * Tells every process that access was taken away (a token revoked, a user disabled), and
 * waits until each subscribed one has dropped its cache, `ACK_TIMEOUT_MS` at most. Call it
 * after the change committed.
 */
export async function publishAccessChange(redis: Redis, prefix: string, timeoutMs = ACK_TIMEOUT_MS): Promise<AccessChangeOutcome> {
  const nonce = randomUUID();
  const key = ackKeyOf(prefix, nonce);
  const told = await redis.publish(channelOf(prefix), nonce);
  let acknowledged = 0;
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      acknowledged = told === 0 ? 0 : await redis.llen(key);
      if (acknowledged >= told || Date.now() >= deadline) break;
      await sleep(2);
    }
  } finally {
    await redis.del(key).catch(() => 0);
  }
  return { told, acknowledged: Math.min(acknowledged, told) };
}

type Announce = () => Promise<void>;

/**
 * `publishAccessChange` for a process's verbs. A process that did not acknowledge (Redis
 * unreachable, a process stuck) still drops the token within the cache's TTL: said in the
 * log, never thrown, since the change itself is committed.
 */
export function redisAnnouncer(redis: Redis, prefix: string, logger: Pick<Logger, "warn">): Announce {
  return async () => {
    // Our connection may be reconnecting while the other processes' subscriptions are up: try again for a while.
    for (let attempt = 1; ; attempt++) {
      try {
        const { told, acknowledged } = await publishAccessChange(redis, prefix);
        if (acknowledged < told)
          logger.warn({ told, acknowledged }, "access change: not every process acknowledged; the others forget the token within the cache's TTL");
        return;
      } catch (error) {
        if (attempt >= PUBLISH_ATTEMPTS) {
          logger.warn({ err: error }, "access change: Redis unreachable; the other processes forget the token within the cache's TTL");
          return;
        }
        await sleep(100 * attempt);
      }
    }
  };
}
const announcers = new WeakMap<Db, Announce>();

/** What the access-removing verbs run on `db` call after their commit (server.ts and the CLI register it). */
export function onAccessChange(db: Db, announce: Announce): void {
  announcers.set(db, announce);
}

/**
 * Called by the verbs that take access away, after their commit. Without Redis (the
 * embedded default) no process caches tokens, and there is nobody to tell.
 */
export async function announceAccessChange(db: Db): Promise<void> {
  await announcers.get(db)?.();
}
