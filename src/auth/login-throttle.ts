import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";

/**
 * Sign-in throttling (rate-limiter-flexible): failed attempts are counted per account
 * (the e-mail typed, known or not, so the answer says nothing of who exists) and per
 * source address. From `delayAfter` failures each new one imposes a growing wait
 * (1 s, 2 s, 4 s… up to `maxDelaySeconds`) before the next attempt is even checked;
 * at `lockAfter` the key is locked for `lockSeconds`. A wait is a refusal, not a
 * sleeping request: nothing holds a connection. A success clears the account's count
 * (never the address's: one good password must not unlock a guessing address).
 * On Redis the counts are shared by every API process; in the embedded default they
 * live in memory. If Redis fails, an in-memory limiter insures the Redis one.
 */
export interface ThrottleRule {
  delayAfter: number;
  lockAfter: number;
}
export interface ThrottlePolicy {
  account: ThrottleRule;
  address: ThrottleRule;
  lockSeconds: number;
  maxDelaySeconds: number;
  /** Failures older than this are forgotten. */
  windowSeconds: number;
}

export const LOGIN_THROTTLE: ThrottlePolicy = {
  account: { delayAfter: 3, lockAfter: 10 },
  address: { delayAfter: 20, lockAfter: 50 },
  lockSeconds: 15 * 60,
  maxDelaySeconds: 60,
  windowSeconds: 60 * 60,
};

/** The wait imposed after the n-th consecutive failure (0: none). */
export function waitAfterFailures(failures: number, rule: ThrottleRule, policy: ThrottlePolicy): number {
  if (failures >= rule.lockAfter) return policy.lockSeconds;
  if (failures < rule.delayAfter) return 0;
  return Math.min(2 ** (failures - rule.delayAfter), policy.maxDelaySeconds);
}

interface ThrottleKeys {
  email: string;
  address: string;
}
export interface Refusal {
  retryAfterSeconds: number;
  /** The temporary lock rather than the growing delay. */
  locked: boolean;
}

export interface LoginThrottle {
  /** Whether an attempt may be checked now; a refusal says for how long not. */
  check(keys: ThrottleKeys): Promise<Refusal | null>;
  failed(keys: ThrottleKeys): Promise<void>;
  succeeded(keys: ThrottleKeys): Promise<void>;
}

/** E-mails are personal data: Redis sees only their hash. */
const accountKey = (email: string) => `a:${createHash("sha256").update(email.trim().toLowerCase()).digest("hex")}`;
const addressKey = (address: string) => `ip:${address}`;

export function createLoginThrottle(options: { redis?: Redis; prefix?: string; policy?: ThrottlePolicy } = {}): LoginThrottle {
  const policy = options.policy ?? LOGIN_THROTTLE;
  const prefix = `${options.prefix ?? "masp"}:login`;
  const limiter = (name: string, points: number, duration: number): RateLimiterAbstract => {
    const memory = new RateLimiterMemory({ keyPrefix: `${prefix}:${name}`, points, duration });
    return options.redis
      ? new RateLimiterRedis({ storeClient: options.redis, keyPrefix: `${prefix}:${name}`, points, duration, insuranceLimiter: memory })
      : memory;
  };
  // Failures are counted without a ceiling of their own; refusals are blocks of `delays` and `locks`.
  const failures = limiter("failures", Number.MAX_SAFE_INTEGER, policy.windowSeconds);
  const delays = limiter("delay", 1, 1);
  const locks = limiter("lock", 1, 1);

  const count = async (key: string) => {
    try {
      return (await failures.consume(key)).consumedPoints;
    } catch (error) {
      if (error instanceof RateLimiterRes) return error.consumedPoints;
      throw error;
    }
  };
  const refuse = async (key: string, failuresSoFar: number, rule: ThrottleRule) => {
    if (failuresSoFar >= rule.lockAfter) await locks.block(key, policy.lockSeconds);
    else {
      const seconds = waitAfterFailures(failuresSoFar, rule, policy);
      if (seconds > 0) await delays.block(key, seconds);
    }
  };
  /** Milliseconds a block still lasts (0: none). */
  const blockedFor = async (blocks: RateLimiterAbstract, key: string) => {
    const res = await blocks.get(key);
    return res && res.consumedPoints > 1 ? Math.max(res.msBeforeNext, 0) : 0;
  };

  return {
    async check({ email, address }) {
      const keys = [accountKey(email), addressKey(address)];
      for (const [blocks, locked] of [
        [locks, true],
        [delays, false],
      ] as const) {
        const ms = Math.max(...(await Promise.all(keys.map((key) => blockedFor(blocks, key)))));
        if (ms > 0) return { retryAfterSeconds: Math.ceil(ms / 1000), locked };
      }
      return null;
    },
    async failed({ email, address }) {
      const account = accountKey(email);
      const source = addressKey(address);
      await refuse(account, await count(account), policy.account);
      await refuse(source, await count(source), policy.address);
    },
    async succeeded({ email }) {
      const account = accountKey(email);
      await Promise.all([failures.delete(account), delays.delete(account), locks.delete(account)]);
    },
  };
}
