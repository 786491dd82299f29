import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/sql";
import { BENEFICIARY_IBAN, chargeBody, EDF, type JobsHarness, LANDLORD, startHarness } from "./fixtures/harness";
import { expectNarrowReadsPlanAlike } from "./fixtures/narrow-reads";

/**
 * The payment jobs through `POST /v1/jobs/{name}/runs` (admin), run by the real job
 * runtime on PostgreSQL and Redis: rent to the landlord from the rent envelope (oldest
 * unpaid period first, up to what is due), charges on their due day, reversements of
 * what is available per the beneficiary's plan. Each is idempotent for its `asOf`.
 *
 * Tests run in order on one database and each builds its own beneficiaries; a job run
 * walks every beneficiary of the database, so assertions are per beneficiary, and
 * summary totals are checked against the orders of that business date.
 */

describe("payment jobs", () => {
  let h: JobsHarness;

  beforeAll(async () => {
    h = await startHarness("pay");
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Every order written for a business date (all beneficiaries), by kind. */
  async function ordersOn(businessDate: string, kind: string): Promise<any[]> {
    const res = await h.call("GET", `/v1/payment-orders?businessDate=${businessDate}&kind=${kind}`);
    expect(res.status, res.text).toBe(200);
    return res.body.items;
  }

  const amounts = (orders: any[]) => orders.map((o) => [o.period, o.amount]);

  describe("rent-payments", () => {
    it("pays the rent envelope to the landlord on the due date: one pending rent order, the period then paid; the next period waits for its own due date", async () => {
      const b = await h.household({ charges: [chargeBody()] });
      expect(await h.credit(b.id, 60775, "2026-01-03")).toEqual([
        { envelope: "rent", amount: 50000 },
        { envelope: "charge", chargeId: b.charges[0], amount: 6000 },
        { envelope: "available", amount: 4775 },
      ]);

      // The day before the due date: January is upcoming, nothing leaves.
      const before = await h.ran("rent-payments", "2026-01-04");
      expect(before).toMatchObject({ asOf: "2026-01-04", ordersCreated: 0, amount: 0 });
      expect(await h.orders(b.id)).toEqual([]);
      expect((await h.rentPeriods(b.id, "2026-01-04"))[0]).toMatchObject({ period: "2026-01", status: "upcoming", paid: 0 });

      const summary = await h.ran("rent-payments", "2026-01-05");
      const orders = await h.orders(b.id);
      expect(orders).toEqual([
        expect.objectContaining({
          beneficiaryId: b.id,
          kind: "rent",
          amount: 50000,
          creditorName: LANDLORD.name,
          creditorIban: LANDLORD.iban,
          period: "2026-01",
          chargeId: null,
          businessDate: "2026-01-05",
          status: "pending",
        }),
      ]);
      const all = await ordersOn("2026-01-05", "rent");
      expect(summary).toMatchObject({ asOf: "2026-01-05", ordersCreated: all.length, ordersAlreadyDone: 0, amount: all.reduce((s, o) => s + o.amount, 0) });
      expect(summary.beneficiaries).toBeGreaterThanOrEqual(1);

      expect((await h.rentPeriods(b.id, "2026-01-05"))[0]).toMatchObject({ period: "2026-01", dueDate: "2026-01-05", due: 50000, paid: 50000, status: "paid" });
      // Only the rent envelope moved.
      expect(await h.balances(b.id)).toMatchObject({ rent: 0, charges: 6000, available: 4775 });

      // Money put aside for February (the next period) is not paid before February's due date.
      expect(await h.credit(b.id, 50000, "2026-01-20")).toEqual([{ envelope: "rent", amount: 50000 }]);
      await h.ran("rent-payments", "2026-01-31");
      await h.ran("rent-payments", "2026-02-04");
      expect((await h.orders(b.id)).map((o) => o.period)).toEqual(["2026-01"]);
      expect((await h.balances(b.id)).rent).toBe(50000);
      expect((await h.rentPeriods(b.id, "2026-02-04")).map((p) => [p.period, p.status])).toEqual([
        ["2026-01", "paid"],
        ["2026-02", "upcoming"],
        ["2026-03", "upcoming"],
      ]);
      await h.ran("rent-payments", "2026-02-05");
      expect(amounts(await h.orders(b.id, "rent"))).toEqual([
        ["2026-02", 50000],
        ["2026-01", 50000],
      ]);
      expect((await h.balances(b.id)).rent).toBe(0);
      await h.expectLedgerSound();
    });

    it("a second run for the same date creates nothing, and its summary says so; later dates pay nothing twice", async () => {
      const b = await h.household();
      await h.credit(b.id, 50000, "2026-03-02");
      const first = await h.ran("rent-payments", "2026-03-05");
      expect(first.ordersCreated).toBeGreaterThanOrEqual(1);
      const afterFirst = await h.orders(b.id);
      // Rule 4: the current period (March) first, then the arrears.
      expect(amounts(afterFirst)).toEqual([["2026-03", 50000]]);

      const second = await h.ran("rent-payments", "2026-03-05");
      expect(second).toMatchObject({ asOf: "2026-03-05", ordersCreated: 0, amount: 0 });
      expect(await h.orders(b.id)).toEqual(afterFirst);
      // A later day finds the period paid and the envelope empty.
      await h.ran("rent-payments", "2026-03-06");
      expect(await h.orders(b.id)).toEqual(afterFirst);

      // Two job_runs rows for the date, both succeeded, the second with nothing created.
      const runs = await queryRows<{ status: string; created: number }>(
        h.db,
        sql`select status, (summary->>'ordersCreated')::int as created from job_runs where job = 'rent-payments' and as_of = '2026-03-05' order by started_at`,
      );
      expect(runs).toEqual([
        { status: "succeeded", created: first.ordersCreated },
        { status: "succeeded", created: 0 },
      ]);
      await h.expectLedgerSound();
    });

    it("arrears of two months with money for one and a half: the current period (February) in full, then January in part (rule 4); the rest of January later", async () => {
      const b = await h.household();
      // On 10 February, January and February are past due and March is next: all of it goes to rent.
      expect(await h.credit(b.id, 75000, "2026-02-10")).toEqual([{ envelope: "rent", amount: 75000 }]);
      await h.ran("rent-payments", "2026-02-10");
      const orders = await h.orders(b.id);
      expect(orders).toHaveLength(2);
      expect(orders.every((o) => o.kind === "rent" && o.status === "pending" && o.creditorIban === LANDLORD.iban)).toBe(true);
      expect(orders.map((o) => [o.period, o.amount]).sort()).toEqual([
        ["2026-01", 25000],
        ["2026-02", 50000],
      ]);
      expect((await h.rentPeriods(b.id, "2026-02-10")).map((p) => [p.period, p.paid, p.status])).toEqual([
        ["2026-01", 25000, "partial"],
        ["2026-02", 50000, "paid"],
        ["2026-03", 0, "upcoming"],
      ]);
      expect((await h.balances(b.id)).rent).toBe(0);

      // The rest of January arrives (with March's money): January is completed, March waits.
      expect(await h.credit(b.id, 75000, "2026-02-20")).toEqual([{ envelope: "rent", amount: 75000 }]);
      await h.ran("rent-payments", "2026-02-20");
      const later = (await h.orders(b.id)).filter((o) => o.businessDate === "2026-02-20");
      expect(amounts(later)).toEqual([["2026-01", 25000]]);
      expect((await h.rentPeriods(b.id, "2026-02-20")).map((p) => [p.period, p.paid, p.status])).toEqual([
        ["2026-01", 50000, "paid"],
        ["2026-02", 50000, "paid"],
        ["2026-03", 0, "upcoming"],
      ]);
      expect((await h.balances(b.id)).rent).toBe(50000);
      await h.expectLedgerSound();
    });

    it("a measure ended before asOf: nothing is paid, the envelope keeps its money", async () => {
      const b = await h.household();
      await h.credit(b.id, 50000, "2026-01-03");
      const end = await h.call("POST", `/v1/measures/${b.measureId}/end`, { endDate: "2026-01-04", reason: "no_longer_adheres" });
      expect(end.status, end.text).toBe(200);
      await h.ran("rent-payments", "2026-01-05");
      await h.ran("rent-payments", "2026-01-06");
      expect(await h.orders(b.id)).toEqual([]);
      expect((await h.balances(b.id)).rent).toBe(50000);
    });
  });

  describe("charge-payments", () => {
    it("pays a charge on or after its due day within the month, up to its envelope, once", async () => {
      const full = await h.household({ charges: [chargeBody()] });
      const part = await h.household({ charges: [chargeBody()] });
      await h.credit(full.id, 60000, "2026-01-03"); // rent 50000, EDF 6000, available 4000
      expect(await h.credit(part.id, 53000, "2026-01-03")).toEqual([
        { envelope: "rent", amount: 50000 },
        { envelope: "charge", chargeId: part.charges[0], amount: 3000 },
      ]);

      const early = await h.ran("charge-payments", "2026-01-14");
      expect(early).toMatchObject({ ordersCreated: 0 });
      expect(await h.orders(full.id, "charge")).toEqual([]);

      const summary = await h.ran("charge-payments", "2026-01-15");
      const [edf] = await h.orders(full.id, "charge");
      expect(await h.orders(full.id, "charge")).toHaveLength(1);
      expect(edf).toMatchObject({
        beneficiaryId: full.id,
        kind: "charge",
        amount: 6000,
        creditorName: EDF.name,
        creditorIban: EDF.iban,
        period: "2026-01",
        chargeId: full.charges[0],
        businessDate: "2026-01-15",
        status: "pending",
      });
      // Up to what its envelope holds.
      expect(amounts(await h.orders(part.id, "charge"))).toEqual([["2026-01", 3000]]);
      const all = await ordersOn("2026-01-15", "charge");
      expect(summary).toMatchObject({ ordersCreated: all.length, amount: all.reduce((s, o) => s + o.amount, 0) });

      // Once: the same day again, and the days after.
      expect(await h.ran("charge-payments", "2026-01-15")).toMatchObject({ ordersCreated: 0, amount: 0 });
      await h.ran("charge-payments", "2026-01-16");
      await h.ran("charge-payments", "2026-01-31");
      expect(await h.orders(full.id, "charge")).toHaveLength(1);
      expect(await h.orders(part.id, "charge")).toHaveLength(1);
      expect(await h.balances(full.id)).toMatchObject({ charges: 0, available: 4000 });
      // No rent order was written by the charge job.
      expect(await h.orders(full.id, "rent")).toEqual([]);
      await h.expectLedgerSound();
    });
  });

  describe("reversements", () => {
    const plan = (id: string, body: unknown, headers?: Record<string, string>) => h.call("PUT", `/v1/beneficiaries/${id}/reversement-plan`, body, headers);

    it("the default plan pays all that is available on the 10th of the month (not the 9th) to the beneficiary's IBAN, once", async () => {
      const b = await h.household({ charges: [chargeBody()] });
      await h.credit(b.id, 60775, "2026-01-03");
      const current = await h.call("GET", `/v1/beneficiaries/${b.id}/reversement-plan`);
      expect(current.status).toBe(200);
      expect(current.body).toMatchObject({ frequency: "monthly", day: 10, mode: "all_available", buffer: 0, isDefault: true });

      await h.ran("reversements", "2026-01-09");
      expect(await h.orders(b.id, "reversement")).toEqual([]);

      const summary = await h.ran("reversements", "2026-01-10");
      expect(await h.orders(b.id, "reversement")).toEqual([
        expect.objectContaining({
          beneficiaryId: b.id,
          kind: "reversement",
          amount: 4775,
          creditorName: `Marie ${b.lastName}`,
          creditorIban: BENEFICIARY_IBAN,
          period: null,
          businessDate: "2026-01-10",
          status: "pending",
        }),
      ]);
      expect(summary).toMatchObject({ asOf: "2026-01-10", skippedNoIban: 0 });
      // Only `available` is paid out: rent and charges stay put.
      expect(await h.balances(b.id)).toMatchObject({ rent: 50000, charges: 6000, available: 0 });

      expect(await h.ran("reversements", "2026-01-10")).toMatchObject({ ordersCreated: 0, amount: 0 });
      await h.ran("reversements", "2026-01-11");
      expect(await h.orders(b.id, "reversement")).toHaveLength(1);
      await h.expectLedgerSound();
    });

    it("weekly on a weekday: pays on that weekday only, and no longer on the 10th", async () => {
      const b = await h.household({ lease: null });
      const set = await plan(b.id, { frequency: "weekly", weekday: 3 }, h.finance);
      expect(set.status, set.text).toBe(200);
      expect(set.body).toMatchObject({
        beneficiaryId: b.id,
        frequency: "weekly",
        weekday: 3,
        day: null,
        mode: "all_available",
        amount: null,
        buffer: 0,
        isDefault: false,
      });
      expect((await h.call("GET", `/v1/beneficiaries/${b.id}/reversement-plan`)).body).toMatchObject({ frequency: "weekly", weekday: 3, isDefault: false });

      await h.credit(b.id, 20000, "2026-03-02"); // no lease, no charge: all available
      await h.ran("reversements", "2026-03-03"); // Tuesday
      expect(await h.orders(b.id, "reversement")).toEqual([]);
      await h.ran("reversements", "2026-03-04"); // Wednesday
      expect(amounts(await h.orders(b.id, "reversement"))).toEqual([[null, 20000]]);

      await h.credit(b.id, 5000, "2026-03-05");
      await h.ran("reversements", "2026-03-10"); // the default day, a Tuesday
      await h.ran("reversements", "2026-03-09"); // Monday
      expect(await h.orders(b.id, "reversement")).toHaveLength(1);
      await h.ran("reversements", "2026-03-11"); // Wednesday
      const orders = await h.orders(b.id, "reversement");
      expect(orders.map((o) => [o.businessDate, o.amount])).toEqual([
        ["2026-03-11", 5000],
        ["2026-03-04", 20000],
      ]);
      expect((await h.balances(b.id)).available).toBe(0);
    });

    it("monthly on day 31: pays on the 30th in a 30-day month, on the 31st in a 31-day month", async () => {
      const b = await h.household({ lease: null });
      const set = await plan(b.id, { frequency: "monthly", day: 31 });
      expect(set.status, set.text).toBe(200);
      expect(set.body).toMatchObject({ frequency: "monthly", day: 31, weekday: null });

      await h.credit(b.id, 30000, "2026-04-02");
      for (const day of ["2026-04-10", "2026-04-29"]) await h.ran("reversements", day);
      expect(await h.orders(b.id, "reversement")).toEqual([]);
      await h.ran("reversements", "2026-04-30");
      expect((await h.orders(b.id, "reversement")).map((o) => [o.businessDate, o.amount])).toEqual([["2026-04-30", 30000]]);

      await h.credit(b.id, 10000, "2026-05-02");
      await h.ran("reversements", "2026-05-30");
      expect(await h.orders(b.id, "reversement")).toHaveLength(1);
      await h.ran("reversements", "2026-05-31");
      expect((await h.orders(b.id, "reversement")).map((o) => [o.businessDate, o.amount])).toEqual([
        ["2026-05-31", 10000],
        ["2026-04-30", 30000],
      ]);
    });

    it("a fixed amount: that much each time, never more than is available", async () => {
      const b = await h.household({ lease: null });
      const set = await plan(b.id, { frequency: "monthly", day: 10, mode: "fixed", amount: 5000 });
      expect(set.status, set.text).toBe(200);
      expect(set.body).toMatchObject({ mode: "fixed", amount: 5000 });
      await h.credit(b.id, 14000, "2026-06-01");
      await h.ran("reversements", "2026-06-10");
      expect((await h.balances(b.id)).available).toBe(9000);
      await h.ran("reversements", "2026-07-10");
      await h.ran("reversements", "2026-08-10");
      expect((await h.orders(b.id, "reversement")).map((o) => [o.businessDate, o.amount])).toEqual([
        ["2026-08-10", 4000],
        ["2026-07-10", 5000],
        ["2026-06-10", 5000],
      ]);
      expect((await h.balances(b.id)).available).toBe(0);
      await h.ran("reversements", "2026-09-10");
      expect(await h.orders(b.id, "reversement")).toHaveLength(3);
    });

    it("a buffer is kept back", async () => {
      const b = await h.household({ lease: null });
      const set = await plan(b.id, { frequency: "monthly", day: 10, buffer: 3000 });
      expect(set.status, set.text).toBe(200);
      expect(set.body).toMatchObject({ mode: "all_available", buffer: 3000 });
      await h.credit(b.id, 14000, "2026-06-01");
      await h.ran("reversements", "2026-06-10");
      expect(amounts(await h.orders(b.id, "reversement"))).toEqual([[null, 11000]]);
      expect((await h.balances(b.id)).available).toBe(3000);
      // Nothing above the buffer: nothing paid.
      await h.ran("reversements", "2026-07-10");
      expect(await h.orders(b.id, "reversement")).toHaveLength(1);
      await h.credit(b.id, 1000, "2026-07-20");
      await h.ran("reversements", "2026-08-10");
      expect((await h.orders(b.id, "reversement")).map((o) => o.amount)).toEqual([1000, 11000]);
      expect((await h.balances(b.id)).available).toBe(3000);
    });

    it("an invalid plan is refused with 422 and changes nothing; unknown beneficiary 404; admin only runs jobs but finance may set a plan", async () => {
      const b = await h.household({ lease: null });
      const bad: [unknown, string][] = [
        [{ frequency: "weekly" }, "weekday"],
        [{ frequency: "weekly", weekday: 3, day: 10 }, "day"],
        [{ frequency: "monthly", weekday: 3 }, "weekday"],
        [{ frequency: "weekly", weekday: 0 }, "weekday"],
        [{ frequency: "weekly", weekday: 8 }, "weekday"],
        [{ frequency: "monthly", day: 0 }, "day"],
        [{ frequency: "monthly", day: 32 }, "day"],
        [{ frequency: "monthly", day: 10, mode: "fixed" }, "amount"],
        [{ frequency: "monthly", day: 10, mode: "fixed", amount: 0 }, "amount"],
        [{ frequency: "monthly", day: 10, mode: "fixed", amount: 12.5 }, "amount"],
        [{ frequency: "monthly", day: 10, amount: 5000 }, "amount"],
        [{ frequency: "monthly", day: 10, buffer: -1 }, "buffer"],
        [{ frequency: "monthly", day: 10, buffer: "100" }, "buffer"],
        [{ frequency: "daily" }, "frequency"],
        [{ frequency: "monthly", day: 10, color: "red" }, "(body)"],
        [{}, "frequency"],
      ];
      for (const [body, field] of bad) {
        const res = await plan(b.id, body);
        expect(res.status, `${JSON.stringify(body)} → ${res.text}`).toBe(422);
        expect(res.body.error.code).toBe("validation_failed");
        const fields = (res.body.error.details as { field: string }[]).map((d) => d.field);
        if (field !== "(body)") expect(fields, JSON.stringify(body)).toContain(field);
      }
      expect((await plan(b.id, "{not json")).status).toBe(400);
      expect((await h.call("GET", `/v1/beneficiaries/${b.id}/reversement-plan`)).body).toMatchObject({ isDefault: true, day: 10 });
      expect((await plan("0190a3f4-0000-7000-8000-000000000000", { frequency: "monthly", day: 10 })).status).toBe(404);
    });

    it("a beneficiary without an IBAN is skipped and counted (skippedNoIban), keeps the money, and is counted again on a re-run", async () => {
      const b = await h.household({ lease: null, iban: null });
      await h.credit(b.id, 10000, "2026-09-01");
      const first = await h.ran("reversements", "2026-09-10");
      // The only beneficiary of this database without an IBAN.
      expect(first).toMatchObject({ skippedNoIban: 1 });
      expect(await h.orders(b.id)).toEqual([]);
      expect((await h.balances(b.id)).available).toBe(10000);
      expect(await h.ran("reversements", "2026-09-10")).toMatchObject({ skippedNoIban: 1, ordersCreated: 0 });
      // Not due today: not counted as skipped.
      expect(await h.ran("reversements", "2026-09-11")).toMatchObject({ skippedNoIban: 0 });
    });

    it("after all these runs the ledger balances, no cached balance drifted and no envelope is negative", async () => {
      await h.expectLedgerSound();
      const [row] = await queryRows<{ negative: number; orders: number; txns: number }>(
        h.db,
        sql`select (select count(*) from ledger_accounts where beneficiary_id is not null and balance < 0)::int as negative,
                   (select count(*) from payment_orders)::int as orders,
                   (select count(*) from ledger_transactions where kind like 'payment.%')::int as txns`,
      );
      expect(row).toMatchObject({ negative: 0 });
      // One ledger transaction per order, and the reverse.
      expect(row!.txns).toBe(row!.orders);
    });
  });

  describe("the route", () => {
    it("unknown job 404, a role other than admin 403, no token 401, a bad asOf 422", async () => {
      expect((await h.runJob("pay-everyone", "2026-02-05")).status).toBe(404);
      const finance = await h.runJob("rent-payments", "2026-02-05", h.finance);
      expect(finance.status).toBe(403);
      expect(finance.body.error.code).toBe("forbidden");
      expect((await h.runJob("reversements", "2026-02-05", await h.tokenFor("caseworker"))).status).toBe(403);
      expect((await h.call("POST", "/v1/jobs/rent-payments/runs", { asOf: "2026-02-05" }, {})).status).toBe(401);
      for (const asOf of ["2026-02-30", "20260205", "2026-2-5", "05/02/2026", "", 20260205, null, undefined]) {
        const res = await h.runJob("rent-payments", asOf);
        expect(res.status, `${JSON.stringify(asOf)} → ${res.text}`).toBe(422);
        expect(res.body.error.code).toBe("validation_failed");
      }
      expect((await h.call("POST", "/v1/jobs/rent-payments/runs", "{oops")).status).toBe(400);
      // Nothing of that reached the queue.
      const [row] = await queryRows<{ n: number }>(h.db, sql`select count(*)::int as n from job_runs where as_of = '2026-02-05' and job in ('reversements')`);
      expect(row!.n).toBe(0);
    });
  });

  it("the rent and reversement jobs' own reads (only what their planners use) plan what the full job read plans, for every beneficiary above", async () => {
    await expectNarrowReadsPlanAlike(h.db, ["2026-01-05", "2026-01-10", "2026-02-05", "2026-02-10", "2026-03-10"]);
  });
});
