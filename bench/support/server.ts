import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createToken, createTokenResolver } from "../../src/auth/tokens";
import type { Database } from "../../src/db/client";
import { createApp } from "../../src/http/app";
import { createLogger } from "../../src/logger";

export interface CreditServer {
  base: string;
  /** A finance bearer token. */
  token: string;
  close(): Promise<void>;
}

/** The HTTP service on a free local port, silent, jobs disabled: what the credit benchmarks load. */
export async function startCreditServer(database: Database): Promise<CreditServer> {
  const { token } = await createToken(database.db, { role: "finance", name: "bench" });
  const app = createApp({
    db: database.db,
    logger: createLogger("silent"),
    resolveToken: createTokenResolver(database.db),
    queueState: async () => "disabled",
  });
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise((r) => server.once("listening", r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
