import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { serve } from "@hono/node-server";
import { Redis } from "ioredis";
import { cachedTokenResolver } from "../../src/auth/token-cache";
import { createToken, lookupToken } from "../../src/auth/tokens";
import type { Database } from "../../src/db/client";
import { createApp } from "../../src/http/app";
import { createLogger } from "../../src/logger";

export interface CreditServer {
  base: string;
  /** A finance bearer token. */
  token: string;
  close(): Promise<void>;
}

/**
 * The HTTP service on a free local port, silent, jobs disabled: what the credit benchmarks load.
 * Tokens are resolved as a production API process with Redis resolves them: through the
 * token cache, subscribed on `REDIS_URL`.
 */
export async function startCreditServer(database: Database): Promise<CreditServer> {
  const { token } = await createToken(database.db, { role: "finance", name: "bench" });
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  const tokens = cachedTokenResolver({ redis, prefix: `bench-${process.pid}`, lookup: (hash) => lookupToken(database.db, hash) });
  for (let i = 0; i < 200 && !tokens.live(); i++) await sleep(10);
  if (!tokens.live()) console.error("the token cache is not subscribed (Redis unreachable?): every request looks its token up");
  const app = createApp({
    db: database.db,
    logger: createLogger("silent"),
    resolveToken: tokens.resolve,
    queueState: async () => "disabled",
  });
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise((r) => server.once("listening", r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token,
    close: () =>
      new Promise<void>((resolve) => server.close(() => resolve())).finally(() => {
        tokens.close();
        redis.disconnect();
      }),
  };
}
