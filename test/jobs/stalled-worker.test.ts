import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { Queue } from "bullmq";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedBeneficiaries } from "../../bench/support/seed";
import { queryRows } from "../../src/db/sql";
import { verifyLedger } from "../../src/ledger/verify";
import { systemContext } from "../../src/services/context";
import { RecordCreditInput, recordCredit } from "../../src/services/credits/record-credit";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { TEST_REDIS_URL } from "../support/env";
import { deleteQueueKeys } from "../support/queues";

/**
 * A worker process SIGKILLed in the middle of a rent run, on real PostgreSQL and Redis:
 * its run ends `abandoned`, another worker process resumes the job once the lock
 * expired (short lock times here; the production ones are sized for under a minute),
 * says so in its log, and the resumed run pays the rest: nothing twice.
 */

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
// 600 beneficiaries: the first chunk of 500 commits, the second waits on a held envelope.
const N = 600;
const ASOF = "2026-01-05";

/** `node --import tsx src/server.ts --role=worker`, its JSON log lines collected. */
class WorkerProcess {
  stdout = "";
  stderr = "";
  readonly child: ChildProcess;
  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, ["--import", "tsx", "src/server.ts", "--role=worker"], {
      cwd: repoRoot,
      env: { ...process.env, LOG_LEVEL: "info", SCHEDULER: "off", ...env },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group: the kill reaches the service and nothing else.
      detached: true,
    });
    this.child.stdout!.setEncoding("utf8").on("data", (d: string) => (this.stdout += d));
    this.child.stderr!.setEncoding("utf8").on("data", (d: string) => (this.stderr += d));
  }
  logs(): Array<Record<string, unknown>> {
    return this.stdout
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
  }
  async waitLog(msg: string, timeoutMs = 30_000) {
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(100)) {
      if (this.logs().some((l) => l.msg === msg)) return;
      if (this.child.exitCode !== null) break;
    }
    throw new Error(`no "${msg}" log line\n${this.stdout}\n${this.stderr}`);
  }
  kill() {
    try {
      process.kill(-this.child.pid!, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

describe("a worker process killed in the middle of a queued run", () => {
  let database: TestDatabase;
  let blocker: postgres.Sql | undefined;
  let queue: Queue | undefined;
  const workers: WorkerProcess[] = [];
  const prefix = `test-jobs-stall-${randomBytes(4).toString("hex")}`;

  beforeAll(async () => {
    database = await createTestDatabase({ poolMax: 20 });
    const ids = await seedBeneficiaries(database.ownerUrl!, N);
    const ctx = systemContext(database.db);
    // 60 000 on 2 January: 50 000 for January's rent.
    const outcomes = await Promise.all(
      ids.map((beneficiaryId, i) =>
        recordCredit({
          ctx,
          idempotencyKey: `seed-${beneficiaryId}`,
          data: RecordCreditInput.parse({ beneficiaryId, payer: "CAF", prestation: "RSA", amount: 60000, valueDate: "2026-01-02", reference: `RSA ${i}` }),
        }),
      ),
    );
    expect(outcomes.filter((o) => o.status !== 201)).toEqual([]);
  });
  afterAll(async () => {
    for (const w of workers) w.kill();
    await queue?.close();
    await blocker?.end({ timeout: 1 });
    await deleteQueueKeys(prefix);
    await database?.dispose();
  });

  // Two service processes to start and up to a minute for the resume: more than the default test time.
  it("ends its run `abandoned`, and another worker resumes the job within the lock time and pays the rest once", async () => {
    const env = {
      DATABASE_URL: database.url!,
      DATABASE_OWNER_URL: database.ownerUrl!,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      JOB_LOCK_MS: "3000",
      JOB_STALLED_INTERVAL_MS: "1000",
    };
    const count = async (query: ReturnType<typeof sql>) => Number((await queryRows<{ n: string | number }>(database.db, query))[0]!.n);

    // One envelope of the second chunk held: the worker commits the first chunk, then waits.
    const order = (
      await queryRows<{ id: string }>(database.db, sql`select distinct beneficiary_id::text as id from measures where level = 'MASP2' order by 1`)
    ).map((r) => r.id);
    blocker = postgres(database.url!, { max: 1, onnotice: () => {} });
    const held = await blocker.reserve();
    await held`begin`;
    await held`select id from ledger_accounts where address = ${`beneficiary:${order[550]}:rent`} for update`;

    const first = new WorkerProcess(env);
    workers.push(first);
    await first.waitLog("job runtime started");
    queue = new Queue("rent-payments", { connection: { url: TEST_REDIS_URL }, prefix });
    const job = await queue.add("rent-payments", { asOf: ASOF, trigger: "manual" }, { attempts: 1 });

    const stuck = () =>
      count(
        sql`select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like '%create_payment_orders%'`,
      );
    for (let waited = 0; waited < 30_000 && ((await stuck()) === 0 || (await count(sql`select count(*) as n from payment_orders`)) < 500); waited += 100)
      await sleep(100);
    expect(await count(sql`select count(*) as n from payment_orders`), first.stdout + first.stderr).toBe(500);
    expect(await queryRows(database.db, sql`select status from job_runs`)).toEqual([{ status: "running" }]);

    const second = new WorkerProcess(env);
    workers.push(second);
    await second.waitLog("job runtime started");
    first.kill();
    const killedAt = Date.now();
    // The killed worker's backend rolls its chunk back once the envelope is free again.
    await held`rollback`;
    held.release();

    let runs: { status: string; error: string | null; summary: Record<string, unknown> | null }[] = [];
    while (Date.now() - killedAt < 60_000) {
      runs = await queryRows(database.db, sql`select status, error, summary from job_runs order by started_at`);
      if (runs.some((r) => r.status === "succeeded")) break;
      await sleep(200);
    }
    expect(Date.now() - killedAt, second.stdout).toBeLessThan(60_000);
    expect(runs.map((r) => r.status)).toEqual(["abandoned", "succeeded"]);
    expect(runs[0]!.error).toMatch(/^abandoned: /);
    expect(runs[1]!.summary).toMatchObject({ beneficiaries: N, ordersCreated: N - 500 });
    let state = "";
    for (let waited = 0; waited < 10_000 && state !== "completed"; waited += 100, await sleep(100)) state = await queue.getJobState(job.id!);
    expect(state).toBe("completed");

    // The resumed attempt says what it resumes.
    const resumed = second.logs().find((l) => l.msg === "job started, resuming a stalled attempt (its worker stopped)");
    expect(resumed, second.stdout).toMatchObject({ job: "rent-payments", jobId: job.id, attempt: 2, stalledCounter: 1 });

    // Nothing paid twice: one order per beneficiary, each with its own transaction; the ledger verifies.
    expect(await count(sql`select count(*) as n from payment_orders where kind = 'rent' and period = '2026-01' and amount = 50000`)).toBe(N);
    expect(await count(sql`select count(*) - count(distinct (beneficiary_id, period)) as n from payment_orders`)).toBe(0);
    expect(await count(sql`select count(*) as n from ledger_transactions where kind like 'payment.%'`)).toBe(N);
    const report = await verifyLedger(database.db);
    expect({ ok: report.ok, drift: report.drift, unbalanced: report.unbalancedTransactions }).toEqual({ ok: true, drift: [], unbalanced: [] });
  }, 180_000);
});
