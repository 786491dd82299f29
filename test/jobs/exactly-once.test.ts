import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { Queue } from "bullmq";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedBeneficiaries } from "../../bench/support/seed";
import type { Db } from "../../src/db/client";
import { queryRows } from "../../src/db/sql";
import { verifyLedger } from "../../src/ledger/verify";
import { systemContext } from "../../src/services/context";
import { RecordCreditInput, recordCredit } from "../../src/services/credits/record-credit";
import { runPayments } from "../../src/services/payments/run-payments";
import { type JobRuntime, startJobRuntime } from "../../workers/runtime";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { TEST_REDIS_URL } from "../support/env";
import { deleteQueueKeys, startTestRuntime } from "../support/queues";
import { testLogger } from "../support/service-log";

/**
 * Exactly-once payments on real PostgreSQL and Redis: two workers racing for the same
 * business date, a worker killed (SIGKILL) in the middle of a chunk, and the cron
 * schedules registered once however many workers start.
 */

const N = 300;
const logger = testLogger();

/** Credits through the service verb, as the CAF file import would post them. */
async function creditAll(db: Db, ids: readonly string[], amount: (i: number) => number, valueDate: string) {
  const ctx = systemContext(db);
  const outcomes = await Promise.all(
    ids.map((beneficiaryId, i) =>
      recordCredit({
        ctx,
        idempotencyKey: `seed-${valueDate}-${beneficiaryId}`,
        data: RecordCreditInput.parse({ beneficiaryId, payer: "CAF", prestation: "RSA", amount: amount(i), valueDate, reference: `RSA ${i}` }),
      }),
    ),
  );
  expect(outcomes.filter((o) => o.status !== 201)).toEqual([]);
}

const count = async (db: Db, query: ReturnType<typeof sql>) => Number((await queryRows<{ n: string | number }>(db, query))[0]!.n);

/** Each beneficiary's rent orders: how many, how much, and how often one (beneficiary, period) appears more than once. */
async function rentOrdersByBeneficiary(db: Db) {
  return queryRows<{ id: string; orders: number; paid: string; credited: string }>(
    db,
    sql`select b.id::text as id,
               (select count(*) from payment_orders o where o.beneficiary_id = b.id and o.kind = 'rent')::int as orders,
               (select coalesce(sum(o.amount), 0) from payment_orders o where o.beneficiary_id = b.id and o.kind = 'rent')::text as paid,
               (select coalesce(sum(c.amount), 0) from credits c where c.beneficiary_id = b.id)::text as credited
          from beneficiaries b order by b.id::text`,
  );
}

async function expectNoDuplicates(db: Db) {
  const duplicates = await queryRows(
    db,
    sql`select beneficiary_id, kind, period, charge_id, count(*) as n from payment_orders
         where kind <> 'reversement' group by 1, 2, 3, 4 having count(*) > 1
        union all
        select beneficiary_id, kind, business_date::text, null, count(*) from payment_orders
         where kind = 'reversement' group by 1, 2, 3 having count(*) > 1`,
  );
  expect(duplicates).toEqual([]);
  expect(await count(db, sql`select count(*) - count(distinct natural_key) as n from payment_orders`)).toBe(0);
  // Each order has its own ledger transaction, and nothing else was paid out.
  expect(await count(db, sql`select count(*) as n from ledger_transactions where kind like 'payment.%'`)).toBe(
    await count(db, sql`select count(*) as n from payment_orders`),
  );
}

async function expectLedgerSound(db: Db) {
  const report = await verifyLedger(db);
  expect({ ok: report.ok, drift: report.drift, negative: report.negative, unbalanced: report.unbalancedTransactions }).toEqual({
    ok: true,
    drift: [],
    negative: [],
    unbalanced: [],
  });
}

describe("two workers asked to run the same job for the same date at the same time", () => {
  let database: TestDatabase;
  let ids: string[];
  const prefix = `test-jobs-once-${randomBytes(4).toString("hex")}`;
  const runtimes: JobRuntime[] = [];

  beforeAll(async () => {
    database = await createTestDatabase({ poolMax: 20 });
    ids = await seedBeneficiaries(database.ownerUrl!, N);
    // 60 000 on 2 January: 50 000 for January's rent, 6 000 for EDF, 4 000 available.
    await creditAll(database.db, ids, () => 60000, "2026-01-02");
    const worker = () =>
      startJobRuntime({ db: database.db, logger, redisUrl: TEST_REDIS_URL, prefix, scheduler: false, processJobs: true, allowInProcess: false });
    runtimes.push(await worker(), await worker());
  });
  afterAll(async () => {
    await Promise.all(runtimes.map((r) => r.close().catch(() => {})));
    await deleteQueueKeys(prefix);
    await database?.dispose();
  });

  it("rent-payments: every period paid exactly once, the sum of the orders is the rent due, the ledger verifies", async () => {
    const [rtA, rtB] = runtimes as [JobRuntime, JobRuntime];
    const asOf = "2026-01-05";
    // Credits keep arriving while the workers pay (they queue on the same row locks).
    const late = creditAll(database.db, ids.slice(0, 100), () => 10000, "2026-01-04");
    const [a, b] = await Promise.all([rtA.run("rent-payments", { asOf }), rtB.run("rent-payments", { asOf })]);
    await late;

    expect(Number(a.ordersCreated) + Number(b.ordersCreated)).toBe(N);
    expect(Number(a.amount) + Number(b.amount)).toBe(N * 50000);
    expect(await count(database.db, sql`select count(*) as n from payment_orders`)).toBe(N);
    expect(await count(database.db, sql`select count(*) as n from payment_orders where kind = 'rent' and period = '2026-01' and amount = 50000`)).toBe(N);
    const rentDue = await count(database.db, sql`select coalesce(sum(rent + charges - housing_benefit_to_landlord), 0) as n from lease_terms`);
    expect(await count(database.db, sql`select coalesce(sum(amount), 0) as n from payment_orders where kind = 'rent'`)).toBe(rentDue);
    await expectNoDuplicates(database.db);
    await expectLedgerSound(database.db);

    // Both jobs ran (one per worker) and succeeded.
    // (Whether the two runs overlapped in time depends on which worker BullMQ hands each
    // job to; the guarantees above hold either way, so the timing is not asserted.)
    const runs = await queryRows<{ status: string }>(database.db, sql`select status from job_runs where job = 'rent-payments' and as_of = ${asOf}`);
    expect(runs.map((r) => r.status)).toEqual(["succeeded", "succeeded"]);

    // And again, both at once: nothing more.
    const again = await Promise.all([rtA.run("rent-payments", { asOf }), rtB.run("rent-payments", { asOf })]);
    expect(again.map((s) => s.ordersCreated)).toEqual([0, 0]);
    expect(await count(database.db, sql`select count(*) as n from payment_orders`)).toBe(N);
  });

  it("charge-payments and reversements too, each raced by both workers", async () => {
    const [rtA, rtB] = runtimes as [JobRuntime, JobRuntime];
    const before = await count(database.db, sql`select count(*) as n from payment_orders`);
    const results = await Promise.all([
      rtA.run("reversements", { asOf: "2026-01-10" }),
      rtB.run("reversements", { asOf: "2026-01-10" }),
      rtA.run("charge-payments", { asOf: "2026-01-15" }),
      rtB.run("charge-payments", { asOf: "2026-01-15" }),
    ]);
    expect(results.reduce((s, r) => s + Number(r.ordersCreated), 0)).toBe(2 * N);
    expect(await count(database.db, sql`select count(*) as n from payment_orders where kind = 'charge' and amount = 6000`)).toBe(N);
    expect(await count(database.db, sql`select count(*) as n from payment_orders where kind = 'reversement'`)).toBe(N);
    expect(await count(database.db, sql`select count(*) as n from payment_orders`)).toBe(before + 2 * N);
    // Every available envelope was paid out once, in full.
    expect(await count(database.db, sql`select count(*) as n from ledger_accounts where address like '%:available' and balance <> 0`)).toBe(0);
    await expectNoDuplicates(database.db);
    await expectLedgerSound(database.db);
  });

  it("small chunks written in parallel lanes by two callers at once, credits arriving meanwhile: still each period once", async () => {
    const asOf = "2026-02-05";
    await creditAll(database.db, ids, () => 50000, "2026-02-02");
    const before = await count(database.db, sql`select count(*) as n from payment_orders`);
    const late = creditAll(database.db, ids.slice(100, 200), () => 10000, "2026-02-04");
    const [a, b] = await Promise.all([
      runPayments({ db: database.db, kind: "rent", asOf, actor: "test-a", chunkSize: 20 }),
      runPayments({ db: database.db, kind: "rent", asOf, actor: "test-b", chunkSize: 20 }),
    ]);
    await late;
    expect(a.ordersCreated + b.ordersCreated).toBe(N);
    expect(await count(database.db, sql`select count(*) as n from payment_orders where kind = 'rent' and period = '2026-02' and amount = 50000`)).toBe(N);
    expect(await count(database.db, sql`select count(*) as n from payment_orders`)).toBe(before + N);
    await expectNoDuplicates(database.db);
    await expectLedgerSound(database.db);
  });
});

describe("a worker process killed in the middle of a chunk", () => {
  let database: TestDatabase;
  let ids: string[];
  let child: ChildProcess | undefined;
  let blocker: postgres.Sql | undefined;
  const asOf = "2026-02-05";
  // Two periods are past due on 2 February: 100 000 pays both, 75 000 one and a half.
  const credited = (i: number) => (i % 2 === 0 ? 100000 : 75000);

  beforeAll(async () => {
    database = await createTestDatabase({ poolMax: 20 });
    ids = await seedBeneficiaries(database.ownerUrl!, N);
    await creditAll(database.db, ids, credited, "2026-02-02");
  });
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await blocker?.end({ timeout: 1 });
    await database?.dispose();
  });

  it("leaves every beneficiary either fully paid or untouched; the next run pays the rest, each period once", async () => {
    const url = database.url!;
    // The job walks beneficiaries in this order, 20 per chunk and per transaction.
    const order = (
      await queryRows<{ id: string }>(
        database.db,
        sql`select distinct beneficiary_id::text as id from measures where level = 'MASP2' and start_date <= ${asOf}::date and end_date >= ${asOf}::date order by 1`,
      )
    ).map((r) => r.id);
    expect(order).toHaveLength(N);

    // Hold the rent envelope of one beneficiary in every chunk from the third on: the
    // worker writes such a chunk's orders and postings, then waits on that envelope's
    // balance, uncommitted (whatever number of chunks it writes at once).
    const heldIds = order.filter((_, i) => i >= 40 && i % 20 === 10);
    blocker = postgres(url, { max: 1, onnotice: () => {} });
    const held = await blocker.reserve();
    await held`begin`;
    const locked = await held`select id from ledger_accounts where address = any(${heldIds.map((id) => `beneficiary:${id}:rent`)}) order by id for update`;
    expect(locked).toHaveLength(heldIds.length);

    child = spawn(process.execPath, ["--import", "tsx", "test/jobs/fixtures/run-rent-job.ts"], {
      cwd: process.cwd(),
      env: { ...process.env, RENT_JOB_DATABASE_URL: url, RENT_JOB_AS_OF: asOf, RENT_JOB_CHUNK: "20" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += String(d)));
    const exited = once(child, "exit");
    const progress: { done?: number; total?: number; finished?: boolean }[] = [];
    createInterface({ input: child.stdout! }).on("line", (line) => progress.push(JSON.parse(line)));

    // Wait for the first chunks to be reported done and the worker to be stuck writing the next ones.
    const stuck = async () =>
      (
        await queryRows<{ pid: number }>(
          database.db,
          sql`select pid from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like '%from create_payment_orders%'`,
        )
      ).map((r) => r.pid);
    let stuckPids: number[] = [];
    for (let waited = 0; waited < 30_000 && stuckPids.length === 0; waited += 50) {
      if (child.exitCode !== null) throw new Error(`the worker exited early (${child.exitCode}): ${stderr}`);
      if (progress.some((p) => (p.done ?? 0) >= 40)) stuckPids = await stuck();
      if (stuckPids.length === 0) await sleep(50);
    }
    expect(stuckPids.length, `progress ${JSON.stringify(progress)}; stderr ${stderr}`).toBeGreaterThan(0);
    child.kill("SIGKILL");
    const [, signal] = await exited;
    expect(signal).toBe("SIGKILL");
    expect(progress.map((p) => p.done)).toEqual([20, 40]);
    expect(progress.some((p) => p.finished)).toBe(false);
    stuckPids = [...new Set([...stuckPids, ...(await stuck())])];

    // Let the orphaned backend go on: it finds its client gone and rolls back.
    await held`rollback`;
    held.release();
    const alive = () => count(database.db, sql`select count(*) as n from pg_stat_activity where pid = any(${`{${stuckPids.join(",")}}`}::int[])`);
    for (let waited = 0; waited < 20_000 && (await alive()) > 0; waited += 50) await sleep(50);
    expect(await alive()).toBe(0);

    // Whole beneficiaries only: paid in full (what was credited, all of it for rent) or not at all.
    const afterCrash = await rentOrdersByBeneficiary(database.db);
    const half = afterCrash.filter((r) => r.paid !== "0" && r.paid !== r.credited);
    expect(half).toEqual([]);
    const done = afterCrash.filter((r) => r.paid !== "0").map((r) => r.id);
    // Exactly the two committed chunks; the third one left nothing behind.
    expect(done.sort()).toEqual(order.slice(0, 40).sort());
    expect(await count(database.db, sql`select count(*) as n from payment_orders`)).toBe(80);
    await expectNoDuplicates(database.db);
    await expectLedgerSound(database.db);

    // The next run (in process) finds the first chunks' work done and pays the rest.
    const summary = await runPayments({ db: database.db, kind: "rent", asOf, actor: "test", chunkSize: 20 });
    expect(summary).toMatchObject({ beneficiaries: N, ordersCreated: 2 * N - 80, ordersAlreadyDone: 0 });
    const final = await rentOrdersByBeneficiary(database.db);
    expect(final.filter((r) => r.orders !== 2 || r.paid !== r.credited)).toEqual([]);
    const byPeriod = await queryRows<{ period: string; n: number; total: string }>(
      database.db,
      sql`select period, count(*)::int as n, sum(amount)::text as total from payment_orders group by period order by period`,
    );
    // The current period (February) is paid first (rule 4): those credited 75 000 owe January's rest.
    expect(byPeriod).toEqual([
      { period: "2026-01", n: N, total: String((N / 2) * 50000 + (N / 2) * 25000) },
      { period: "2026-02", n: N, total: String(N * 50000) },
    ]);
    await expectNoDuplicates(database.db);
    await expectLedgerSound(database.db);

    // And once more: nothing.
    expect(await runPayments({ db: database.db, kind: "rent", asOf, actor: "test", chunkSize: 20 })).toMatchObject({ ordersCreated: 0, amount: 0 });
  });
});

describe("the cron schedules", () => {
  let database: TestDatabase;
  const prefix = `test-jobs-cron-${randomBytes(4).toString("hex")}`;

  beforeAll(async () => {
    database = await createTestDatabase({ poolMax: 5 });
  });
  afterAll(async () => {
    await deleteQueueKeys(prefix);
    await database?.dispose();
  });

  it("are registered once per queue, however many workers start with the scheduler on", async () => {
    for (let i = 0; i < 3; i++) {
      const runtime = await startTestRuntime(database.db, prefix, { scheduler: true });
      await runtime.close();
    }
    const expected: [string, string][] = [
      ["rent-payments", "0 6 * * *"],
      ["charge-payments", "15 6 * * *"],
      ["reversements", "0 7 * * *"],
      ["unpaid-rent-check", "0 8 * * *"],
      ["alert-digest", "30 8 * * *"],
    ];
    for (const [name, pattern] of expected) {
      const queue = new Queue(name, { connection: { url: TEST_REDIS_URL }, prefix });
      try {
        const schedulers = await queue.getJobSchedulers();
        expect(schedulers, name).toHaveLength(1);
        expect(schedulers[0], name).toMatchObject({ key: name, pattern, tz: "Europe/Paris" });
        // One upcoming run waiting for the next fire time, not one per start.
        expect(await queue.getDelayedCount(), name).toBe(1);
      } finally {
        await queue.close();
      }
    }
  });
});
