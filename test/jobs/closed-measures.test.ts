import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runText } from "../../src/db/sql";
import { runPayments } from "../../src/services/payments/run-payments";
import { apiCaller, bearer, createTestApp, type Headers, type TestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { BENEFICIARY_IBAN, chargeBody, expectLedgerSound, householdMaker } from "../support/household";

/**
 * A job re-run for a date before a measure's end, once its accounts are closed, pays
 * nothing: neither what the closing held (a deceased person's estate, `hold`) nor
 * anything for the measure's old periods. Closing and a job racing for one person: the
 * beneficiary's lock orders them, and either the job's orders are cancelled by the
 * closing or the job finds the measure closed.
 */
describe("payment jobs and closed measures", () => {
  let database: TestDatabase;
  let app: TestApp;
  let admin: Headers;
  let finance: Headers;
  const today = "2026-03-02";

  const call = apiCaller(
    () => app,
    () => admin,
  );
  const household = householdMaker(call, { managed: ["RSA"], iban: BENEFICIARY_IBAN });
  const credit = (beneficiaryId: string, amount: number, valueDate: string) =>
    call("POST", "/v1/credits", { beneficiaryId, payer: "CAF", prestation: "RSA", amount, valueDate }, { ...finance, "Idempotency-Key": randomUUID() });
  const close = (measureId: string, finalPayment: string) =>
    call("POST", `/v1/measures/${measureId}/closing`, { date: today, pendingOrders: "cancel", finalPayment }, finance);
  const unpaidOrders = async (beneficiaryId: string) =>
    (
      await runText<{ n: number }>(
        database.db,
        "select count(*)::int as n from payment_orders where beneficiary_id = $1::uuid and status in ('pending', 'batched') and kind <> 'final'",
        [beneficiaryId],
      )
    )[0]!.n;
  const total = async (id: string): Promise<number> => (await call("GET", `/v1/beneficiaries/${id}/balances`)).body.total;
  const runAll = (asOf: string) =>
    Promise.all((["rent", "charge", "reversement"] as const).map((kind) => runPayments({ db: database.db, kind, asOf, actor: "test" })));

  beforeAll(async () => {
    database = await createTestDatabase();
    app = createTestApp(database.db, { today: () => today });
    admin = await bearer(database.db, "admin");
    finance = await bearer(database.db, "finance");
  });
  afterAll(async () => database?.dispose());

  it("re-runs for a date before the end pay nothing from the funds a closing held", async () => {
    const h = await household({ charges: [chargeBody()] });
    expect((await credit(h.id, 90000, "2026-02-02")).status).toBe(201);
    expect((await call("POST", `/v1/measures/${h.measureId}/end`, { endDate: "2026-02-28", reason: "deceased" })).status).toBe(200);
    const closed = await close(h.measureId, "hold");
    expect(closed.status, closed.text).toBe(200);
    const held = await total(h.id);
    expect(held).toBeGreaterThan(0);
    expect(closed.body.held).toBe(held);

    // Rent due on the 5th, the charge on the 15th, the reversement on the 10th: all before the end date.
    for (const asOf of ["2026-02-05", "2026-02-10", "2026-02-15", "2026-02-28"]) {
      for (const summary of await runAll(asOf)) expect(summary, asOf).toMatchObject({ ordersCreated: 0, amount: 0 });
    }
    expect(await unpaidOrders(h.id)).toBe(0);
    expect(await total(h.id)).toBe(held);
    await expectLedgerSound(call, finance);
  });

  it("a measure ended but not yet closed is still paid for its own dates", async () => {
    const h = await household();
    expect((await credit(h.id, 50000, "2026-02-02")).status).toBe(201);
    expect((await call("POST", `/v1/measures/${h.measureId}/end`, { endDate: "2026-02-28", reason: "objectives_reached" })).status).toBe(200);
    const [rent] = await runAll("2026-02-05");
    expect(rent).toMatchObject({ ordersCreated: 1, amount: 50000 });
  });

  it("a closing and a re-run racing: never an order left to pay from the closed envelopes", async () => {
    for (let round = 0; round < 4; round++) {
      const h = await household();
      expect((await credit(h.id, 80000, "2026-02-02")).status).toBe(201);
      expect((await call("POST", `/v1/measures/${h.measureId}/end`, { endDate: "2026-02-28", reason: "deceased" })).status).toBe(200);
      const [closed] = await Promise.all([close(h.measureId, "hold"), runAll("2026-02-05")]);
      expect(closed.status, closed.text).toBe(200);
      // Whichever went first, the rent order (if the job made one) was cancelled by the closing: everything is held.
      expect(await unpaidOrders(h.id)).toBe(0);
      expect(await total(h.id)).toBe(80000);
      expect(closed.body.held).toBe(80000);
      for (const summary of await runAll("2026-02-05")) expect(summary).toMatchObject({ ordersCreated: 0 });
    }
    await expectLedgerSound(call, finance);
  });
});
