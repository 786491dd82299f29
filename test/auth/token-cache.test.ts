import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cachedTokenResolver, onAccessChange, publishAccessChange, redisAnnouncer, TOKEN_CACHE_TTL_MS, type TokenCache } from "../../src/auth/token-cache";
import { createToken, lookupToken, type Principal } from "../../src/auth/tokens";
import { type Database, openDatabase } from "../../src/db/client";
import { apiTokens } from "../../src/db/schema/auth";
import { createApp } from "../../src/http/app";
import { createLogger } from "../../src/logger";
import { bearer } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { TEST_REDIS_URL } from "../support/env";
import { staffUser } from "../support/ui";

/** Runs the CLI on the test database, announcing on the test's Redis prefix. */
function runCli(args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], {
      env: { ...process.env, LOG_LEVEL: "warn", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (d) => (stderr += d));
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

const waitUntil = async (ok: () => boolean) => {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(ok()).toBe(true);
};

/**
 * The token cache (src/auth/token-cache.ts): two API "processes" — each its own pool, its
 * own Redis connections, its own cache — on one database. Access taken away through one
 * of them (or the CLI) is refused by the other at its very next request.
 */
describe("API token cache across processes", { timeout: 120_000 }, () => {
  const prefix = `test-tokens-${randomUUID()}`;
  let database: TestDatabase;
  let second: Database;
  const redises: Redis[] = [];
  const caches: TokenCache[] = [];
  let clock = Date.now();
  let lookups = 0;
  let lost = 0;
  let one: ReturnType<typeof createApp>;
  let other: ReturnType<typeof createApp>;
  let otherCache: TokenCache;
  let admin: Record<string, string>;

  const process_ = (db: Database["db"], counted: boolean) => {
    const redis = new Redis(TEST_REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    redises.push(redis);
    const cache = cachedTokenResolver({
      redis,
      prefix,
      now: () => clock,
      lookup: (hash) => {
        if (counted) lookups++;
        return lookupToken(db, hash);
      },
      onSubscriptionLost: () => {
        if (counted) lost++;
      },
    });
    caches.push(cache);
    onAccessChange(db, redisAnnouncer(redis, prefix, createLogger("silent")));
    const app = createApp({ db, logger: createLogger("silent"), resolveToken: cache.resolve, queueState: async () => "disabled" });
    return { app, cache };
  };
  const get = async (app: ReturnType<typeof createApp>, token: string) =>
    (await app.request("/v1/beneficiaries", { headers: { Authorization: `Bearer ${token}` } })).status;

  beforeAll(async () => {
    database = await createTestDatabase();
    second = await openDatabase({ url: database.url!, poolMax: 2 });
    ({ app: one } = process_(database.db, false));
    ({ app: other, cache: otherCache } = process_(second.db, true));
    await waitUntil(() => caches.every((c) => c.live()));
    admin = await bearer(database.db, "admin");
  });
  afterAll(async () => {
    for (const c of caches) c.close();
    for (const r of redises) r.disconnect();
    await second?.close();
    await database?.dispose();
  });

  it("answers a known token from memory, and refuses it at the next request once another process revoked it", async () => {
    const { id, token } = await createToken(database.db, { role: "finance", name: "caf-import" });
    const before = lookups;
    expect(await get(other, token)).toBe(200);
    expect(await get(other, token)).toBe(200);
    expect(lookups - before).toBe(1);

    const revoked = await one.request(`/v1/tokens/${id}/revoke`, { method: "POST", headers: admin });
    expect(revoked.status).toBe(200);
    expect(await get(other, token)).toBe(401);
    expect(await get(one, token)).toBe(401);
  });

  it("refuses a disabled staff member's token in the other process at once; re-enabling needs no message", async () => {
    const userId = await staffUser(database.db, `claire-${randomUUID()}@asso.example`, "caseworker", "Claire Durand");
    const { token } = await createToken(database.db, { role: "caseworker", name: "claire-poste", userId });
    expect(await get(other, token)).toBe(200);
    expect((await one.request(`/v1/users/${userId}/disable`, { method: "POST", headers: admin })).status).toBe(200);
    expect(await get(other, token)).toBe(401);
    expect((await one.request(`/v1/users/${userId}/enable`, { method: "POST", headers: admin })).status).toBe(200);
    expect(await get(other, token)).toBe(200);
  });

  it("a revocation by the command line reaches the running processes before it returns", async () => {
    const { id, token } = await createToken(database.db, { role: "finance", name: "cli-revoked" });
    expect(await get(other, token)).toBe(200);
    const cli = await runCli(["tokens:revoke", "--id", id], {
      DATABASE_URL: database.url,
      DATABASE_OWNER_URL: database.ownerUrl,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
    });
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stderr).not.toContain("access change");
    expect(await get(other, token)).toBe(401);
  });

  it("a change made around the verbs (SQL by hand) holds once the TTL has passed", async () => {
    const { id, token } = await createToken(database.db, { role: "finance", name: "by-hand" });
    expect(await get(other, token)).toBe(200);
    await database.db.update(apiTokens).set({ revokedAt: new Date() }).where(eq(apiTokens.id, id));
    expect(await get(other, token)).toBe(200); // from memory: nobody announced it
    clock += TOKEN_CACHE_TTL_MS + 1;
    expect(await get(other, token)).toBe(401);
  });

  it("a process whose subscription dropped forgets what it knew and looks every token up until it is back", async () => {
    const { id, token } = await createToken(database.db, { role: "finance", name: "cut-off" });
    expect(await get(other, token)).toBe(200);
    const lostBefore = lost;
    const probe = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      const clients = (await probe.call("CLIENT", "LIST", "TYPE", "pubsub")) as string;
      const ours = clients.split("\n").filter((l) => l.includes(` name=${prefix}:token-cache `));
      expect(ours.length).toBe(2);
      for (const line of ours) await probe.call("CLIENT", "KILL", "ID", /\bid=(\d+)/.exec(line)![1]!);
    } finally {
      probe.disconnect();
    }
    await waitUntil(() => lost > lostBefore);
    // Nothing announced, and whatever the subscription's state now, the token is read again.
    await database.db.update(apiTokens).set({ revokedAt: new Date() }).where(eq(apiTokens.id, id));
    expect(await get(other, token)).toBe(401);
    await waitUntil(() => otherCache.live());
  });

  it("a lookup that began before an announcement does not fill the cache after it", async () => {
    const redis = new Redis(TEST_REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    redises.push(redis);
    let release: (p: Principal) => void = () => {};
    let calls = 0;
    const principal: Principal = { tokenId: randomUUID(), role: "finance", actor: "token:slow" };
    const cache = cachedTokenResolver({
      redis,
      prefix: `${prefix}-slow`,
      lookup: () => {
        calls++;
        return new Promise<Principal>((r) => (release = r));
      },
    });
    caches.push(cache);
    await waitUntil(() => cache.live());
    const pending = cache.resolve("masp_slow-token");
    const outcome = await publishAccessChange(redis, `${prefix}-slow`);
    expect(outcome).toEqual({ told: 1, acknowledged: 1 });
    release(principal);
    expect(await pending).toEqual(principal);
    const again = cache.resolve("masp_slow-token");
    expect(calls).toBe(2);
    release(principal);
    await again;
  });
});
