import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { databaseUrl, TEST_ADMIN_URL, TEST_REDIS_URL } from "../support/env";
import { deleteQueueKeys } from "../support/queues";

/**
 * The service as an operator runs it: `node --import tsx src/server.ts` (and `src/cli.ts`) in a
 * child process, against the machine's real PostgreSQL and Redis, observed through
 * its exit code, its logs and its HTTP port.
 */

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const MIGRATION_FILES = readdirSync(join(repoRoot, "drizzle")).filter((f) => f.endsWith(".sql"));
const QUEUE_PREFIX = `test-proc-${randomBytes(4).toString("hex")}`;
const UNREACHABLE_REDIS = "redis://127.0.0.1:1";
// Generous: a loaded CI machine takes tens of seconds to start the service (tsx, PGlite).
const HEALTH_TIMEOUT_MS = 60_000;
const TOKEN_PATTERN = /^masp_[A-Za-z0-9_-]{43}$/;

type Env = Record<string, string | undefined>;
interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One spawned process; stdout and stderr are collected as they come. */
class Proc {
  stdout = "";
  stderr = "";
  exit: Exit | undefined;
  readonly exited: Promise<Exit>;
  private readonly closed: Promise<void>;

  constructor(
    readonly label: string,
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (this.stdout += chunk));
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) =>
      child.once("exit", (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      }),
    );
    this.closed = new Promise((resolve) => child.once("close", () => resolve()));
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** The JSON log lines printed so far (pino writes one object per line to stdout). */
  logs(): Array<Record<string, unknown>> {
    const entries: Array<Record<string, unknown>> = [];
    for (const line of this.stdout.split("\n")) {
      if (!line.startsWith("{")) continue;
      try {
        entries.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // A partially received line: the next poll sees it whole.
      }
    }
    return entries;
  }

  hasLog(msg: string): boolean {
    return this.logs().some((entry) => entry.msg === msg);
  }

  /** Everything the process printed, for assertion messages. */
  output(): string {
    return `--- ${this.label} exit=${JSON.stringify(this.exit)}\n--- stdout:\n${this.stdout}\n--- stderr:\n${this.stderr}`;
  }

  /** Resolves with the exit, once stdout/stderr are drained too; rejects after `timeoutMs`. */
  async waitExit(timeoutMs: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.label} did not exit within ${timeoutMs} ms\n${this.output()}`)), timeoutMs);
    });
    try {
      const exit = await Promise.race([this.exited, timeout]);
      // The streams close right after the exit; do not hang on an orphan holding them.
      await Promise.race([this.closed, sleep(2_000)]);
      return exit;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Signals the tsx process, which relays the signal to the node process running the service. */
  signal(signal: NodeJS.Signals) {
    if (this.running) this.child.kill(signal);
  }

  /**
   * The whole process group (the service and anything it starts) is killed: killing
   * only the parent would leave anything it started running as an orphan.
   */
  killGroup() {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, "SIGKILL");
    } catch {
      // ESRCH: the group is already gone.
    }
  }
}

const live = new Set<Proc>();
// Last resort if the test worker itself goes away: no service outlives it.
process.once("exit", () => {
  for (const p of live) p.killGroup();
});

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") return reject(new Error("no port"));
      server.close(() => resolve(address.port));
    });
  });
}

function childEnv(overrides: Env): NodeJS.ProcessEnv {
  const env: Env = { ...process.env, REDIS_URL: TEST_REDIS_URL, LOG_LEVEL: "info", QUEUE_PREFIX, SCHEDULER: "off", ...overrides };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
  return env as NodeJS.ProcessEnv;
}

function spawnService(label: string, script: string, args: string[], env: Env, port: number): Proc {
  // Node itself with tsx as a loader, as `npm start` runs it: no wrapper process between
  // the signal and the service (tsx's own CLI SIGKILLs a child that is slow to answer).
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: repoRoot,
    env: childEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so the fallback kill reaches anything the service started.
    detached: true,
  });
  const proc = new Proc(label, child, port);
  live.add(proc);
  return proc;
}

/** Starts the service (`node --import tsx src/server.ts`) on a free port. `env` values of `undefined` remove the variable. */
async function startServer(label: string, env: Env, args: string[] = []): Promise<Proc> {
  const port = await freePort();
  return spawnService(label, "src/server.ts", args, { PORT: String(port), ...env }, port);
}

/** Runs the CLI (`node --import tsx src/cli.ts`) to completion. */
async function runCli(args: string[], env: Env): Promise<Proc> {
  const proc = spawnService(`cli ${args.join(" ")}`, "src/cli.ts", args, env, 0);
  await proc.waitExit(30_000);
  return proc;
}

async function getJson(port: number, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers, signal: AbortSignal.timeout(5_000) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (the HTML reference): the text it is.
  }
  return { status: response.status, headers: response.headers, body };
}

/** Polls GET /health until it answers 200; fails at once if the process exits. */
async function waitHealthy(proc: Proc, timeoutMs = HEALTH_TIMEOUT_MS): Promise<unknown> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer yet";
  while (Date.now() < deadline) {
    if (!proc.running) throw new Error(`${proc.label} exited before it became healthy\n${proc.output()}`);
    try {
      const { status, body } = await getJson(proc.port, "/health");
      if (status === 200) return body;
      last = `${status} ${JSON.stringify(body)}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(150);
  }
  throw new Error(`${proc.label} not healthy within ${timeoutMs} ms (last: ${last})\n${proc.output()}`);
}

async function waitForLog(proc: Proc, msg: string, timeoutMs = HEALTH_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.hasLog(msg)) return;
    if (!proc.running) throw new Error(`${proc.label} exited before logging "${msg}"\n${proc.output()}`);
    await sleep(100);
  }
  throw new Error(`${proc.label} did not log "${msg}" within ${timeoutMs} ms\n${proc.output()}`);
}

/** SIGTERM, then the exit: code 0 and the "stopped" line are what an orchestrator expects. */
async function stopGracefully(proc: Proc, timeoutMs = 15_000): Promise<Exit> {
  proc.signal("SIGTERM");
  const exit = await proc.waitExit(timeoutMs);
  live.delete(proc);
  return exit;
}

/** Whether a TCP connection to 127.0.0.1:port is refused. */
function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNREFUSED") resolve(true);
      else reject(error);
    });
  });
}

// ---------------------------------------------------------------------------------
// Databases: named masp_p_<runId>_<random> so the global teardown drops leftovers.

const admin = postgres(TEST_ADMIN_URL, { max: 1, onnotice: () => {} });
const createdDatabases: string[] = [];
const tempDirs: string[] = [];

async function createDatabase(options: { fromTemplate: boolean }): Promise<string> {
  const name = `masp_p_${inject("runId")}_${randomBytes(4).toString("hex")}`;
  const template = options.fromTemplate ? ` template ${inject("templateDatabase")}` : "";
  // Several files clone the template at once; PostgreSQL refuses concurrent clones.
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.unsafe(`create database ${name}${template}`);
      break;
    } catch (error) {
      if (attempt >= 10) throw error;
      await sleep(100 * attempt);
    }
  }
  createdDatabases.push(name);
  return databaseUrl(name);
}

/**
 * The service as it is deployed on PostgreSQL (README, Database roles): its own role for
 * its queries, the owner's URL (`url`, the admin's here) for migrations and grants.
 */
function roles(url: string): Env {
  return { DATABASE_URL: databaseUrl(new URL(url).pathname.slice(1), "service"), DATABASE_OWNER_URL: url };
}

/** A database cloned from the run's migrated template, shared by the cases that need "some" database. */
let sharedUrl: string;

beforeAll(async () => {
  sharedUrl = await createDatabase({ fromTemplate: true });
});

afterEach(async () => {
  // Whatever a test left running: a chance to stop cleanly, then the group is killed.
  const leftovers = [...live];
  for (const p of leftovers) p.signal("SIGTERM");
  await Promise.all(leftovers.map((p) => p.waitExit(5_000).catch(() => undefined)));
  for (const p of leftovers) {
    p.killGroup();
    live.delete(p);
  }
});

afterAll(async () => {
  for (const p of live) p.killGroup();
  live.clear();
  for (const name of createdDatabases) await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.end();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  // The BullMQ keys the started services created under this file's prefix.
  await deleteQueueKeys(QUEUE_PREFIX);
});

// ---------------------------------------------------------------------------------

// Each case starts services and waits up to HEALTH_TIMEOUT_MS for each of them.
describe("server process", { timeout: 180_000 }, () => {
  it("two processes starting together on an empty database both migrate it safely and become healthy", async () => {
    const url = await createDatabase({ fromTemplate: false });
    const dbName = new URL(url).pathname.slice(1);

    // A starting gate. Process start-up jitter (hundreds of ms) would otherwise let one
    // process finish migrating before the other begins, and the race would go untested.
    // An uncommitted `create schema drizzle` blocks the migrator's first statement
    // (CREATE SCHEMA IF NOT EXISTS "drizzle"); rolled back, it leaves the database empty.
    // Once both processes wait on a lock (one on that schema, the other on the advisory
    // lock if it is taken), the gate opens and they go at it at the same instant.
    const gate = postgres(url, { max: 1, onnotice: () => {} });
    let a: Proc | undefined;
    let b: Proc | undefined;
    try {
      await gate.unsafe("begin");
      await gate.unsafe("create schema drizzle");
      const [gateRow] = await gate<{ pid: number }[]>`select pg_backend_pid() as pid`;
      [a, b] = await Promise.all([startServer("server A", roles(url)), startServer("server B", roles(url))]);
      const deadline = Date.now() + HEALTH_TIMEOUT_MS;
      for (;;) {
        const [row] = await admin<{ n: number }[]>`
          select count(*)::int as n from pg_stat_activity
          where datname = ${dbName} and wait_event_type = 'Lock' and pid <> ${gateRow!.pid}`;
        if (row!.n >= 2) break;
        for (const p of [a, b]) if (!p.running) throw new Error(`${p.label} exited before migrating\n${p.output()}`);
        if (Date.now() > deadline) throw new Error(`the two processes never both waited to migrate\n${a.output()}\n${b.output()}`);
        await sleep(50);
      }
    } finally {
      await gate.unsafe("rollback").catch(() => undefined);
      await gate.end();
    }

    const [healthA, healthB] = await Promise.all([waitHealthy(a), waitHealthy(b)]);
    expect(healthA).toEqual({ status: "ok", db: "ok", queue: "ok" });
    expect(healthB).toEqual({ status: "ok", db: "ok", queue: "ok" });
    for (const p of [a, b]) {
      expect(p.stderr, p.output()).not.toMatch(/already exists|duplicate/i);
      expect(p.logs().find((e) => e.msg === "database ready")).toMatchObject({ driver: "postgres", role: "all" });
    }

    const db = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const [row] = await db<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`;
      expect(MIGRATION_FILES.length).toBeGreaterThan(0);
      expect(row!.n).toBe(MIGRATION_FILES.length);
    } finally {
      await db.end();
    }

    const exits = await Promise.all([stopGracefully(a), stopGracefully(b)]);
    expect(exits).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
  });

  it("on SIGTERM, finishes and exits 0 with a 'stopped' log line", async () => {
    const server = await startServer("server", roles(sharedUrl));
    await waitHealthy(server);

    // Keep-alive connections from these requests stay open: they must not hold the shutdown.
    const responses = await Promise.all([
      getJson(server.port, "/health"),
      getJson(server.port, "/health"),
      getJson(server.port, "/openapi.json"),
      getJson(server.port, "/v1/ledger/trial-balance"),
      getJson(server.port, "/no-such-route"),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 401, 404]);

    const started = Date.now();
    const exit = await stopGracefully(server, 15_000);
    expect(exit, server.output()).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(server.logs().find((e) => e.msg === "shutting down: draining requests and jobs")).toMatchObject({ signal: "SIGTERM" });
    expect(server.hasLog("stopped"), server.output()).toBe(true);
    expect(await connectionRefused(server.port)).toBe(true);
  });

  it("--role=api serves HTTP; --role=worker runs the jobs without opening a port; both stop on SIGTERM", async () => {
    const [api, worker] = await Promise.all([startServer("api", roles(sharedUrl), ["--role=api"]), startServer("worker", roles(sharedUrl), ["--role=worker"])]);

    expect(await waitHealthy(api)).toEqual({ status: "ok", db: "ok", queue: "ok" });
    expect(api.logs().find((e) => e.msg === "database ready")).toMatchObject({ role: "api" });
    expect(api.logs().find((e) => e.msg === "job runtime started")).toMatchObject({ mode: "queue", processJobs: false });

    await waitForLog(worker, "job runtime started");
    expect(worker.logs().find((e) => e.msg === "database ready")).toMatchObject({ role: "worker" });
    expect(worker.logs().find((e) => e.msg === "job runtime started")).toMatchObject({ mode: "queue", processJobs: true });
    // Give a wrongly started HTTP server the time to bind before checking it did not.
    await sleep(300);
    expect(await connectionRefused(worker.port)).toBe(true);
    expect(worker.stdout).not.toContain("listening on");

    // Both query as the service's role, and neither warned that it runs as the owner.
    const dbName = new URL(sharedUrl).pathname.slice(1);
    const sessions = await admin<{ usename: string }[]>`
      select distinct usename from pg_stat_activity where datname = ${dbName} and application_name = 'masp-ledger'`;
    expect(sessions.map((r) => r.usename)).toEqual([new URL(roles(sharedUrl).DATABASE_URL!).username]);
    for (const p of [api, worker]) expect(p.logs().some((e) => String(e.msg).startsWith("DATABASE_OWNER_URL is not set"))).toBe(false);

    const exits = await Promise.all([stopGracefully(api), stopGracefully(worker)]);
    expect(exits[0], api.output()).toEqual({ code: 0, signal: null });
    expect(exits[1], worker.output()).toEqual({ code: 0, signal: null });
    expect(api.hasLog("stopped")).toBe(true);
    expect(worker.hasLog("stopped")).toBe(true);
  });

  it("without DATABASE_URL runs on the embedded PGlite, jobs in-process when Redis is away, and serves the API reference", async () => {
    const dir = mkdtempSync(join(tmpdir(), "masp-pglite-"));
    tempDirs.push(dir);
    const server = await startServer("embedded", { DATABASE_URL: undefined, PGLITE_DIR: dir, REDIS_URL: UNREACHABLE_REDIS });

    expect(await waitHealthy(server)).toEqual({ status: "ok", db: "ok", queue: "disabled" });
    expect(server.stdout).toContain("IN-PROCESS");
    expect(server.logs().find((e) => e.msg === "database ready")).toMatchObject({ driver: "pglite" });
    expect(readdirSync(dir).length).toBeGreaterThan(0);

    const docs = await getJson(server.port, "/docs");
    expect(docs.status).toBe(200);
    expect(docs.headers.get("content-type")).toMatch(/^text\/html/);
    expect(String(docs.body)).toMatch(/^<!doctype html>/i);

    const openapi = await getJson(server.port, "/openapi.json");
    expect(openapi.status).toBe(200);
    const doc = openapi.body as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toContain("/v1/ledger/trial-balance");
    expect(Object.keys(doc.paths)).toContain("/health");

    // The embedded database serves one process: the CLI is refused while the service holds it.
    const env = { DATABASE_URL: undefined, PGLITE_DIR: dir, REDIS_URL: UNREACHABLE_REDIS };
    const busy = await runCli(["users:create", "--email", "ada@asso.example", "--role", "admin"], env);
    live.delete(busy);
    expect(busy.exit?.code, busy.output()).toBe(1);
    expect(busy.output()).toContain("open in another process");

    expect(await stopGracefully(server), server.output()).toEqual({ code: 0, signal: null });
    expect(existsSync(`${dir}.lock`)).toBe(false);

    // Stopped, the CLI creates the staff member, who then signs in to the restarted service.
    const cli = await runCli(["users:create", "--email", "ada@asso.example", "--role", "admin"], env);
    live.delete(cli);
    expect(cli.exit, cli.output()).toEqual({ code: 0, signal: null });
    const password = cli.stdout.trimEnd().split("\n").at(-1)!;
    const again = await startServer("embedded-again", env);
    await waitHealthy(again);
    const login = await fetch(`http://127.0.0.1:${again.port}/connexion`, {
      method: "POST",
      body: new URLSearchParams({ email: "ada@asso.example", password }),
      redirect: "manual",
    });
    expect(login.status).toBe(302);
    expect(login.headers.get("set-cookie")).toMatch(/^masp_session=/);
    expect(await stopGracefully(again), again.output()).toEqual({ code: 0, signal: null });
  });

  it("with DATABASE_URL alone, migrates with it as before and warns once, without the URL, that it runs as the owner", async () => {
    const server = await startServer("one role", { DATABASE_URL: sharedUrl, DATABASE_OWNER_URL: undefined });
    expect(await waitHealthy(server)).toEqual({ status: "ok", db: "ok", queue: "ok" });
    const warnings = server.logs().filter((e) => String(e.msg).startsWith("DATABASE_OWNER_URL is not set"));
    expect(warnings, server.output()).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 40 });
    expect(server.stdout).not.toContain(sharedUrl);
    expect(await stopGracefully(server), server.output()).toEqual({ code: 0, signal: null });
  });

  it("with DATABASE_URL set and Redis unreachable, refuses to start", async () => {
    const server = await startServer("no redis", { ...roles(sharedUrl), REDIS_URL: UNREACHABLE_REDIS });
    const exit = await server.waitExit(30_000);
    live.delete(server);
    expect(exit.code, server.output()).not.toBe(0);
    expect(exit.code).not.toBeNull();
    expect(server.stderr).toMatch(/Redis/);
    expect(await connectionRefused(server.port)).toBe(true);
  });

  it.each([
    ["PORT", "abc"],
    ["SCHEDULER", "maybe"],
  ])("exits 78 when %s=%s, naming the variable on stderr", async (name, value) => {
    const server = await startServer(`bad ${name}`, { ...roles(sharedUrl), [name]: value });
    const exit = await server.waitExit(20_000);
    live.delete(server);
    expect(exit, server.output()).toEqual({ code: 78, signal: null });
    expect(server.stderr).toContain(name);
    expect(server.stderr).toContain("Invalid configuration");
  });

  it("exits 78 on an unknown --role", async () => {
    const server = await startServer("bad role", roles(sharedUrl), ["--role=everything"]);
    const exit = await server.waitExit(20_000);
    live.delete(server);
    expect(exit, server.output()).toEqual({ code: 78, signal: null });
    expect(server.stderr).toContain("--role");
  });
});

describe("cli process", { timeout: 180_000 }, () => {
  it("tokens:create prints a token on its last line that authorises the API of a server on the same database", async () => {
    const cli = await runCli(["tokens:create", "--role", "finance", "--name", "ci-test"], roles(sharedUrl));
    live.delete(cli);
    expect(cli.exit, cli.output()).toEqual({ code: 0, signal: null });
    const lines = cli.stdout.trimEnd().split("\n");
    const token = lines.at(-1)!;
    expect(token, cli.output()).toMatch(TOKEN_PATTERN);
    // Logs go to stderr; stdout holds only the result.
    expect(lines.every((line) => !line.startsWith("{"))).toBe(true);

    const server = await startServer("server", roles(sharedUrl));
    await waitHealthy(server);
    const authorised = await getJson(server.port, "/v1/ledger/trial-balance", { authorization: `Bearer ${token}` });
    expect(authorised.status, JSON.stringify(authorised.body)).toBe(200);
    expect(authorised.body).toMatchObject({ balanced: true });
    const anonymous = await getJson(server.port, "/v1/ledger/trial-balance");
    expect(anonymous.status).toBe(401);
    const forged = await getJson(server.port, "/v1/ledger/trial-balance", { authorization: `Bearer masp_${"A".repeat(43)}` });
    expect(forged.status).toBe(401);
    // The token itself never reaches the server's logs.
    expect(server.stdout).not.toContain(token);

    expect(await stopGracefully(server)).toEqual({ code: 0, signal: null });
  });

  it("tokens:create with an unknown role exits non-zero and prints no token", async () => {
    const cli = await runCli(["tokens:create", "--role", "nobody", "--name", "ci-test"], roles(sharedUrl));
    live.delete(cli);
    expect(cli.exit?.code, cli.output()).not.toBe(0);
    expect(cli.exit?.code).not.toBeNull();
    expect(cli.stderr).toContain("--role");
    expect(cli.stdout).not.toMatch(/masp_[A-Za-z0-9_-]{43}/);
  });
});
