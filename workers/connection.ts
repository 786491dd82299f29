import { Redis } from "ioredis";

/**
 * Workers block on Redis and must ride out reconnections (BullMQ requires
 * `maxRetriesPerRequest: null`); API-side producers fail fast instead of queueing
 * commands while Redis is away.
 */
export function createRedis(url: string, purpose: "worker" | "producer"): Redis {
  return purpose === "worker"
    ? new Redis(url, { maxRetriesPerRequest: null })
    : new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000 });
}

/** Whether Redis answers a PING within the timeout; never throws, never retries. */
export async function redisReachable(url: string, timeoutMs = 1_500): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: timeoutMs, retryStrategy: () => null });
  probe.on("error", () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}
