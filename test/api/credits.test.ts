import { randomBytes, randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/sql";
import { post } from "../../src/ledger/post";
import { type ApiResponse, apiCaller, bearer, createTestApp, type Headers, type TestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { chargeBody, EDF, expectLedgerSound, householdMaker, LANDLORD, leaseBody } from "../support/household";

/**
 * POST /v1/credits and the reads of the accounts (balances, transactions, rent periods):
 * rent-first allocation (L.271-2 al. 2 CASF), earmarked prestations (R.271-4), the closed list
 * of D.271-2, the measure in force, validation and idempotency (also under races).
 */

const TODAY = "2026-11-23";
/** The business date the app sees: TODAY, but for a step taken on another day (a renewal by its end date). */
let today = TODAY;
async function on<T>(date: string, step: () => Promise<T>): Promise<T> {
  today = date;
  try {
    return await step();
  } finally {
    today = TODAY;
  }
}
const MANAGED = ["RSA", "AAH", "ALS", "APL", "APA", "PCH"];

describe("credits API", () => {
  let database: TestDatabase;
  let app: TestApp;
  let admin: Headers;
  let finance: Headers;
  let caseworker: Headers;

  const call = apiCaller(
    () => app,
    () => admin,
  );

  const postCredit = (body: unknown, key: string | null = randomUUID(), headers: Headers = finance) =>
    call("POST", "/v1/credits", body, { ...headers, ...(key === null ? {} : { "Idempotency-Key": key }) });

  const credit = (beneficiaryId: string, amount: unknown, valueDate: string, overrides: Record<string, unknown> = {}) => ({
    beneficiaryId,
    payer: "CAF",
    prestation: "RSA",
    amount,
    valueDate,
    reference: `CAF ${valueDate} ${randomBytes(3).toString("hex")}`,
    ...overrides,
  });

  /** Posts a credit that must be taken (201) and returns its body. */
  async function credited(beneficiaryId: string, amount: number, valueDate: string, overrides: Record<string, unknown> = {}) {
    const res = await postCredit(credit(beneficiaryId, amount, valueDate, overrides));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(sum(res.body.allocations)).toBe(amount);
    return res.body;
  }

  const sum = (allocations: { amount: number }[]) => allocations.reduce((s, a) => s + a.amount, 0);

  /** A beneficiary set up through the API (no IBAN): a MASP2 measure, a lease, charges. */
  const household = householdMaker(call, { managed: MANAGED });

  const balances = async (beneficiaryId: string) => {
    const res = await call("GET", `/v1/beneficiaries/${beneficiaryId}/balances`);
    expect(res.status).toBe(200);
    return res.body;
  };

  async function countCredits(beneficiaryId: string): Promise<{ ledger: number; credits: number }> {
    const [row] = await queryRows<{ ledger: number; credits: number }>(
      database.db,
      sql`select (select count(*) from ledger_transactions where beneficiary_id = ${beneficiaryId}::uuid and kind = 'credit')::int as ledger,
                 (select count(*) from credits where beneficiary_id = ${beneficiaryId}::uuid)::int as credits`,
    );
    return { ledger: Number(row!.ledger), credits: Number(row!.credits) };
  }

  const rent = (amount: number) => ({ envelope: "rent", amount });
  const charge = (chargeId: string, amount: number) => ({ envelope: "charge", chargeId, amount });
  const available = (amount: number) => ({ envelope: "available", amount });
  const care = (amount: number) => ({ envelope: "care", amount });

  beforeAll(async () => {
    database = await createTestDatabase({ poolMax: 25 });
    app = createTestApp(database.db, { today: () => today });
    [admin, finance, caseworker] = await Promise.all([bearer(database.db, "admin"), bearer(database.db, "finance"), bearer(database.db, "caseworker")]);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  describe("allocation, rent first", () => {
    it("the contract example: rent 50000, EDF 6000, available 4775; balances, transactions, trial balance", async () => {
      const h = await household({ charges: [chargeBody()] });
      const [edf] = h.charges as [string];
      const body = { beneficiaryId: h.id, payer: "CAF", prestation: "RSA", amount: 60775, valueDate: "2026-01-03", reference: "CAF RSA 12/2025 1234567" };
      const res = await postCredit(body);
      expect(res.status, res.text).toBe(201);
      expect(res.replayed).toBeNull();
      expect(res.body).toEqual({
        transactionId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
        beneficiaryId: h.id,
        measureId: h.measureId,
        payer: "CAF",
        prestation: "RSA",
        amount: 60775,
        valueDate: "2026-01-03",
        reference: "CAF RSA 12/2025 1234567",
        allocations: [rent(50000), charge(edf, 6000), available(4775)],
      });

      expect(await balances(h.id)).toEqual({
        beneficiaryId: h.id,
        rent: 50000,
        charges: 6000,
        available: 4775,
        care: 0,
        living: 0,
        total: 60775,
        byCharge: [{ chargeId: edf, balance: 6000 }],
      });

      const txns = await call("GET", `/v1/beneficiaries/${h.id}/transactions`);
      expect(txns.status).toBe(200);
      expect(txns.body.nextCursor).toBeNull();
      expect(txns.body.items).toHaveLength(1);
      const [t] = txns.body.items;
      expect(t).toMatchObject({ id: res.body.transactionId, kind: "credit", valueDate: "2026-01-03", reversesId: null });
      expect(t.postings).toHaveLength(4);
      expect(t.postings).toEqual(
        expect.arrayContaining([
          { account: "bank:main", direction: "debit", amount: 60775 },
          { account: `beneficiary:${h.id}:rent`, direction: "credit", amount: 50000 },
          { account: `beneficiary:${h.id}:charge:${edf}`, direction: "credit", amount: 6000 },
          { account: `beneficiary:${h.id}:available`, direction: "credit", amount: 4775 },
        ]),
      );
      expect(await countCredits(h.id)).toEqual({ ledger: 1, credits: 1 });
      await expectLedgerSound(call, finance);
    });

    it("the allocations always sum to the credit, at every boundary of the needs", async () => {
      const cases: [number, (edf: string) => unknown[]][] = [
        [1, () => [rent(1)]],
        [49_999, () => [rent(49_999)]],
        [50_000, () => [rent(50_000)]],
        [50_001, (edf) => [rent(50_000), charge(edf, 1)]],
        [56_000, (edf) => [rent(50_000), charge(edf, 6_000)]],
        [56_001, (edf) => [rent(50_000), charge(edf, 6_000), available(1)]],
        [100_000_000, (edf) => [rent(50_000), charge(edf, 6_000), available(100_000_000 - 56_000)]],
      ];
      for (const [amount, expected] of cases) {
        const h = await household({ charges: [chargeBody()] });
        const body = await credited(h.id, amount, "2026-01-03");
        expect(body.allocations, String(amount)).toEqual(expected(h.charges[0]!));
        expect((await balances(h.id)).total).toBe(amount);
      }
    });

    it("the amount due is rent + charges − the housing benefit paid to the landlord", async () => {
      const h = await household({ lease: leaseBody({ housingBenefitToLandlord: 20000 }), charges: [chargeBody()] });
      expect((await credited(h.id, 60775, "2026-01-03")).allocations).toEqual([rent(30000), charge(h.charges[0]!, 6000), available(24775)]);
      // Everything paid by the tiers payant: nothing to put aside for the rent.
      const all = await household({ lease: leaseBody({ housingBenefitToLandlord: 50000 }) });
      expect((await credited(all.id, 10000, "2026-03-10")).allocations).toEqual([available(10000)]);
      // No lease at all: no rent need.
      const none = await household({ lease: null, charges: [chargeBody()] });
      expect((await credited(none.id, 10000, "2026-01-03")).allocations).toEqual([charge(none.charges[0]!, 6000), available(4000)]);
    });

    it("rent arrears: a late credit fills every unpaid past period and the next one before any charge", async () => {
      // Lease from January, due on the 5th; nothing has been paid to the landlord yet.
      const cases: [string, number, number, number][] = [
        // valueDate, credit, expected to the rent, to EDF (due on the 15th)
        ["2026-01-03", 300_000, 50_000, 6000], // January is the next period
        ["2026-01-05", 300_000, 100_000, 6000], // on its due date January is due: January + February
        ["2026-03-04", 300_000, 150_000, 6000], // January, February + March (due tomorrow)
        ["2026-03-05", 300_000, 200_000, 6000], // January..March + April
        ["2026-03-10", 300_000, 200_000, 6000],
        ["2026-12-31", 800_000, 650_000, 12000], // twelve periods + January 2027; EDF: December unpaid + January
      ];
      for (const [valueDate, amount, toRent, toEdf] of cases) {
        // The charge starts in the credit's month: no charge arrears here (rule 8 has its own tests).
        const h = await household({ charges: [chargeBody({ startDate: `${valueDate.slice(0, 7)}-01` })] });
        const body = await credited(h.id, amount, valueDate);
        expect(body.allocations, valueDate).toEqual([rent(toRent), charge(h.charges[0]!, toEdf), available(amount - toRent - toEdf)]);
      }
      // Arrears larger than the credit: all of it to the rent, nothing to the charges.
      const short = await household({ charges: [chargeBody()] });
      expect((await credited(short.id, 120_000, "2026-03-10")).allocations).toEqual([rent(120_000)]);
      // Due day 28: on 31 January, January is past and February is next.
      const late = await household({ lease: leaseBody({ dueDay: 28 }) });
      expect((await credited(late.id, 150_000, "2026-01-31")).allocations).toEqual([rent(100_000), available(50_000)]);
    });

    it("arrears from before the MASP are not counted; a renewal keeps counting since the first period", async () => {
      // The lease began long before the measure.
      const before = await household({ lease: leaseBody({ startDate: "2025-06-01" }) });
      expect((await credited(before.id, 60_000, "2026-01-03")).allocations).toEqual([rent(50_000), available(10_000)]);

      const h = await household({ measure: { level: "MASP2", startDate: "2026-01-01", endDate: "2026-06-30", managedPrestations: ["RSA"] } });
      const renewed = await on("2026-06-10", () =>
        call("POST", `/v1/measures/${h.measureId}/renewals`, {
          review: { date: "2026-06-10", author: "CESF Laval", outcome: "renew", comment: "bilan" },
          endDate: "2026-12-31",
        }),
      );
      expect(renewed.status, JSON.stringify(renewed.body)).toBe(201);
      // 10 July: January..July unpaid + August.
      const body = await credited(h.id, 500_000, "2026-07-10");
      expect(body.measureId).toBe(renewed.body.id);
      expect(body.allocations).toEqual([rent(400_000), available(100_000)]);
    });

    it("what the rent envelope already holds reduces the rent need", async () => {
      const h = await household({ charges: [chargeBody()] });
      const [edf] = h.charges as [string];
      expect((await credited(h.id, 60775, "2026-01-03")).allocations).toEqual([rent(50000), charge(edf, 6000), available(4775)]);
      // Same month, before the due date: January is covered, EDF too.
      expect((await credited(h.id, 10000, "2026-01-04")).allocations).toEqual([available(10000)]);
      // 20 January: January (past, unpaid: its money is still in the envelope) + February = 100000, 50000 held.
      // EDF likewise (rule 8): January's 6000 held, not yet paid, + February's.
      expect((await credited(h.id, 60000, "2026-01-20")).allocations).toEqual([rent(50000), charge(edf, 6000), available(4000)]);
      // 5 February: January + February past + March = 150000, 100000 held; a credit below the need.
      expect((await credited(h.id, 30000, "2026-02-05")).allocations).toEqual([rent(30000)]);
      expect((await credited(h.id, 30000, "2026-02-05")).allocations).toEqual([rent(20000), available(10000)]);
      expect(await balances(h.id)).toMatchObject({ rent: 150000, charges: 12000, available: 28775, total: 190775 });
    });

    it("charges are served by priority (lower first), not in the order they were added", async () => {
      const h = await household({
        charges: [
          chargeBody({ label: "MAIF", category: "insurance", amount: 3000, priority: 2, creditor: { name: "MAIF", iban: EDF.iban } }),
          chargeBody({ label: "Plan d'apurement", category: "debt_plan", amount: 4000, priority: 7, creditor: { name: "Trésor public", iban: EDF.iban } }),
          chargeBody(), // EDF, priority 1
        ],
      });
      const [maif, debt, edf] = h.charges as [string, string, string];
      // Covers the rent, EDF and part of the insurance only.
      expect((await credited(h.id, 58000, "2026-01-03")).allocations).toEqual([rent(50000), charge(edf, 6000), charge(maif, 2000)]);
      // The next credit completes what is missing, in the same order.
      expect((await credited(h.id, 3000, "2026-01-04")).allocations).toEqual([charge(maif, 1000), charge(debt, 2000)]);
      expect((await credited(h.id, 5000, "2026-01-04")).allocations).toEqual([charge(debt, 2000), available(3000)]);
      const bal = await balances(h.id);
      expect(bal).toMatchObject({ rent: 50000, charges: 13000, available: 3000, total: 66000 });
      expect(new Map(bal.byCharge.map((c: any) => [c.chargeId, c.balance]))).toEqual(
        new Map([
          [edf, 6000],
          [maif, 3000],
          [debt, 4000],
        ]),
      );
    });

    it("a charge that has ended takes nothing", async () => {
      const h = await household({
        charges: [chargeBody({ label: "Box", category: "telecom", amount: 2000, priority: 2, startDate: "2025-01-01", endDate: "2025-12-31" })],
      });
      expect((await credited(h.id, 60000, "2026-01-03")).allocations).toEqual([rent(50000), available(10000)]);
    });

    it("housing aid (APL, ALS) goes wholly to the rent, even beyond the need", async () => {
      const h = await household({ charges: [chargeBody()] });
      expect((await credited(h.id, 80000, "2026-01-03", { prestation: "ALS" })).allocations).toEqual([rent(80000)]);
      // The rent envelope already holds more than the need: still all of it to the rent.
      expect((await credited(h.id, 30000, "2026-01-04", { prestation: "APL" })).allocations).toEqual([rent(30000)]);
      // A non-earmarked credit now finds the rent covered.
      expect((await credited(h.id, 10000, "2026-01-04")).allocations).toEqual([charge(h.charges[0]!, 6000), available(4000)]);
      expect(await balances(h.id)).toMatchObject({ rent: 110000, charges: 6000, available: 4000, care: 0, total: 120000 });
      // ALF (item 21, by extension of the contract) is housing aid but R.271-4 does not earmark it:
      // the rent it needs, the rest available, like any prestation (rule 5 of issue 15).
      const ext = await household({
        measure: {
          level: "MASP2",
          startDate: "2026-01-01",
          endDate: "2026-12-31",
          managedPrestations: ["RSA", "ALF"],
          extension: true,
          extensionReason: "deux enfants",
        },
      });
      expect((await credited(ext.id, 70000, "2026-01-03", { prestation: "ALF" })).allocations).toEqual([rent(50000), available(20000)]);
      // Without a lease the housing aid still goes to the rent envelope.
      const none = await household({ lease: null });
      expect((await credited(none.id, 25000, "2026-01-03", { prestation: "ALS" })).allocations).toEqual([rent(25000)]);
    });

    it("care prestations (APA, PCH) pay the care charges, the rest stays in the care envelope; never the rent", async () => {
      const h = await household({
        charges: [
          chargeBody(),
          chargeBody({ label: "Aide à domicile", category: "care", amount: 20000, priority: 3, creditor: { name: "ADMR", iban: EDF.iban } }),
        ],
      });
      const [edf, help] = h.charges as [string, string];
      expect((await credited(h.id, 30000, "2026-01-03", { payer: "CD53", prestation: "APA" })).allocations).toEqual([charge(help, 20000), care(10000)]);
      expect((await credited(h.id, 5000, "2026-01-03", { payer: "CD53", prestation: "PCH" })).allocations).toEqual([care(5000)]);
      // The RSA finds the care charge covered.
      expect((await credited(h.id, 70000, "2026-01-04")).allocations).toEqual([rent(50000), charge(edf, 6000), available(14000)]);
      expect(await balances(h.id)).toMatchObject({ rent: 50000, charges: 26000, care: 15000, available: 14000, total: 105000 });

      // No care charge planned: the care envelope, even with the rent unpaid.
      const none = await household({ charges: [chargeBody()] });
      expect((await credited(none.id, 25000, "2026-03-10", { payer: "CD53", prestation: "APA" })).allocations).toEqual([care(25000)]);
      expect(await balances(none.id)).toMatchObject({ rent: 0, charges: 0, care: 25000, available: 0, total: 25000 });
    });

    it("prestation codes are case-insensitive and answered upper-case", async () => {
      const h = await household();
      const body = await credited(h.id, 1000, "2026-01-03", { prestation: "rsa", payer: "caf" });
      expect(body).toMatchObject({ prestation: "RSA", payer: "CAF" });
    });
  });

  describe("what may be credited", () => {
    it("a prestation the measure does not manage: 422, nothing posted", async () => {
      const h = await household({ measure: { level: "MASP2", startDate: "2026-01-01", endDate: "2026-12-31", managedPrestations: ["RSA"] } });
      for (const prestation of ["AAH", "ALS", "APA", "AF"]) {
        const res = await postCredit(credit(h.id, 10000, "2026-01-03", { prestation }));
        expect(res.status, prestation).toBe(422);
        expect(res.body.error.code).toBe("prestation_not_managed");
        expect(res.body.error.details).toEqual([expect.objectContaining({ field: "prestation" })]);
      }
      expect(await countCredits(h.id)).toEqual({ ledger: 0, credits: 0 });
      expect((await balances(h.id)).total).toBe(0);
    });

    it("a resource that is not a social prestation (salary, ARE, prime d'activité): 422", async () => {
      const h = await household();
      for (const prestation of ["SALAIRE", "ARE", "ASS", "PRIME_ACTIVITE", "PENSION"]) {
        const res = await postCredit(credit(h.id, 10000, "2026-01-03", { payer: "EMPLOYEUR", prestation }));
        expect(res.status, prestation).toBe(422);
        expect(res.body.error.code).toBe("prestation_not_managed");
        expect(res.body.error.details).toEqual([expect.objectContaining({ field: "prestation" })]);
      }
      expect(await countCredits(h.id)).toEqual({ ledger: 0, credits: 0 });
    });

    it("no MASP2 in force on the value date: 409, checked before the prestation", async () => {
      const expectNoMeasure = async (beneficiaryId: string, valueDate: string, prestation = "RSA") => {
        const res = await postCredit(credit(beneficiaryId, 10000, valueDate, { prestation }));
        expect(res.status, `${valueDate} ${prestation}: ${res.text}`).toBe(409);
        expect(res.body.error.code).toBe("no_active_measure");
      };
      const h = await household({ measure: { level: "MASP2", startDate: "2026-02-01", endDate: "2026-07-31", managedPrestations: ["RSA"] } });
      await expectNoMeasure(h.id, "2026-01-31");
      await expectNoMeasure(h.id, "2026-08-01");
      // No measure AND a salary: the measure is checked first.
      await expectNoMeasure(h.id, "2026-08-01", "SALAIRE");
      // Not managed, but outside the measure: still 409.
      await expectNoMeasure(h.id, "2026-01-31", "AAH");
      // The first and last days are covered.
      await credited(h.id, 10000, "2026-02-01");
      await credited(h.id, 10000, "2026-07-31");

      // Ended early: covered through the end date, not after.
      const e = await household();
      const ended = await call("POST", `/v1/measures/${e.measureId}/end`, { endDate: "2026-06-30", reason: "no_longer_adheres" });
      expect(ended.status, JSON.stringify(ended.body)).toBe(200);
      await credited(e.id, 10000, "2026-06-30");
      // (issue 16: after an end, the 409 says so and names the end date)
      for (const valueDate of ["2026-07-01", "2026-12-31"]) {
        const res = await postCredit(credit(e.id, 10000, valueDate));
        expect(res.status).toBe(409);
        expect(res.body.error).toMatchObject({ code: "measure_ended", details: { endDate: "2026-06-30" } });
      }

      // A MASP1 manages no funds.
      const m1 = await household({ measure: { level: "MASP1", startDate: "2026-01-01", endDate: "2026-12-31" } });
      await expectNoMeasure(m1.id, "2026-03-01");
      // No measure at all, with a salary.
      const nothing = await household({ measure: null });
      await expectNoMeasure(nothing.id, "2026-03-01", "SALAIRE");
      await expectNoMeasure(nothing.id, "2026-03-01");
      expect(await countCredits(h.id)).toEqual({ ledger: 2, credits: 2 });
      expect(await countCredits(e.id)).toEqual({ ledger: 1, credits: 1 });
      expect(await countCredits(m1.id)).toEqual({ ledger: 0, credits: 0 });
    });

    it("an amendment adding a prestation from a date: refused before, taken from that date", async () => {
      const h = await household({ measure: { level: "MASP2", startDate: "2026-01-01", endDate: "2026-12-31", managedPrestations: ["RSA"] } });
      const amended = await call("POST", `/v1/measures/${h.measureId}/amendments`, {
        effectiveDate: "2026-06-01",
        reason: "avenant n°1",
        managedPrestations: ["RSA", "AAH"],
      });
      expect(amended.status, JSON.stringify(amended.body)).toBe(201);
      const before = await postCredit(credit(h.id, 10000, "2026-05-31", { prestation: "AAH" }));
      expect(before.status).toBe(422);
      expect(before.body.error.code).toBe("prestation_not_managed");
      await credited(h.id, 10000, "2026-06-01", { prestation: "AAH" });
      await credited(h.id, 10000, "2026-05-31");
      // An amendment that drops a prestation: refused from its date.
      expect(
        (await call("POST", `/v1/measures/${h.measureId}/amendments`, { effectiveDate: "2026-09-01", reason: "avenant n°2", managedPrestations: ["AAH"] }))
          .status,
      ).toBe(201);
      await credited(h.id, 10000, "2026-08-31");
      expect((await postCredit(credit(h.id, 10000, "2026-09-01"))).status).toBe(422);
      await credited(h.id, 10000, "2026-09-01", { prestation: "AAH" });
    });
  });

  describe("validation", () => {
    it("refuses amounts that are zero, negative, fractional, strings, absurd or missing (422, amount)", async () => {
      const h = await household();
      for (const amount of [0, -1, 1.5, "100", 100_000_001, null, 1e21]) {
        const res = await postCredit(credit(h.id, amount, "2026-01-03"));
        expect(res.status, String(amount)).toBe(422);
        expect(res.body.error.code).toBe("validation_failed");
        expect([...new Set(res.body.error.details.map((d: any) => d.field))], String(amount)).toEqual(["amount"]);
      }
      const { amount: _a, ...noAmount } = credit(h.id, 1, "2026-01-03");
      expect((await postCredit(noAmount)).status).toBe(422);
      expect(await countCredits(h.id)).toEqual({ ledger: 0, credits: 0 });
    });

    it("refuses other bad fields (422) and malformed JSON (400)", async () => {
      const h = await household();
      const bad: [Record<string, unknown>, string][] = [
        [{ valueDate: "2026-02-30" }, "valueDate"],
        [{ valueDate: "03/01/2026" }, "valueDate"],
        [{ beneficiaryId: "not-a-uuid" }, "beneficiaryId"],
        [{ prestation: "" }, "prestation"],
        [{ payer: "" }, "payer"],
        [{ reference: "x".repeat(201) }, "reference"],
      ];
      for (const [overrides, field] of bad) {
        const res = await postCredit(credit(h.id, 1000, "2026-01-03", overrides));
        expect(res.status, JSON.stringify(overrides)).toBe(422);
        expect(
          res.body.error.details.map((d: any) => d.field),
          JSON.stringify(overrides),
        ).toContain(field);
      }
      const malformed = await postCredit('{"beneficiaryId": ');
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.code).toBe("malformed_request");
      expect(await countCredits(h.id)).toEqual({ ledger: 0, credits: 0 });
    });

    it("requires an Idempotency-Key of 1 to 200 printable characters (422)", async () => {
      const h = await household();
      const missing = await postCredit(credit(h.id, 1000, "2026-01-03"), null);
      expect(missing.status).toBe(422);
      expect(missing.body.error.code).toBe("validation_failed");
      expect(missing.body.error.details.map((d: any) => d.field)).toEqual(["idempotency-key"]);
      expect((await postCredit(credit(h.id, 1000, "2026-01-03"), "k".repeat(201))).status).toBe(422);
      expect((await postCredit(credit(h.id, 1000, "2026-01-03"), "é-clé")).status).toBe(422);
      expect(await countCredits(h.id)).toEqual({ ledger: 0, credits: 0 });
      expect((await postCredit(credit(h.id, 1000, "2026-01-03"), `${randomUUID()}${"k".repeat(164)}`)).status).toBe(201);
      expect((await postCredit(credit(h.id, 1000, "2026-01-03"), "z")).status).toBe(201);
    });

    it("unknown beneficiary: 404; caseworker: 403; no token: 401", async () => {
      const unknown = await postCredit(credit(randomUUID(), 1000, "2026-01-03"));
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe("not_found");
      const h = await household();
      expect((await postCredit(credit(h.id, 1000, "2026-01-03"), randomUUID(), caseworker)).status).toBe(403);
      expect((await postCredit(credit(h.id, 1000, "2026-01-03"), randomUUID(), {})).status).toBe(401);
      expect(await countCredits(h.id)).toEqual({ ledger: 0, credits: 0 });
      // Admin may.
      expect((await postCredit(credit(h.id, 1000, "2026-01-03"), randomUUID(), admin)).status).toBe(201);
      for (const path of ["balances", "transactions", "rent-periods"]) {
        expect((await call("GET", `/v1/beneficiaries/${randomUUID()}/${path}`)).status, path).toBe(404);
      }
    });
  });

  describe("idempotency", () => {
    it("same key and body: the same status and the very same bytes, replayed, posted once", async () => {
      const h = await household({ charges: [chargeBody()] });
      const key = `caf-2026-01-${randomUUID()}`;
      const body = credit(h.id, 60775, "2026-01-03");
      const first = await postCredit(body, key);
      expect(first.status).toBe(201);
      expect(first.replayed).toBeNull();
      const again = await postCredit(body, key);
      expect(again.status).toBe(201);
      expect(again.text).toBe(first.text);
      expect(again.replayed).toBe("true");
      // The same JSON object with its keys in another order: the same request.
      const reordered = {
        reference: body.reference,
        valueDate: body.valueDate,
        amount: body.amount,
        prestation: body.prestation,
        payer: body.payer,
        beneficiaryId: body.beneficiaryId,
      };
      const third = await postCredit(reordered, key);
      expect(third.status).toBe(201);
      expect(third.text).toBe(first.text);
      expect(await countCredits(h.id)).toEqual({ ledger: 1, credits: 1 });
      expect((await balances(h.id)).total).toBe(60775);
    });

    it("same key, another body: 409 idempotency_conflict, nothing posted", async () => {
      const h = await household();
      const other = await household();
      const key = randomUUID();
      const body = credit(h.id, 1000, "2026-01-03");
      expect((await postCredit(body, key)).status).toBe(201);
      for (const changed of [
        { ...body, amount: 1001 },
        { ...body, valueDate: "2026-01-04" },
        { ...body, prestation: "AAH" },
        { ...body, reference: "another" },
        { ...body, beneficiaryId: other.id },
      ]) {
        const res = await postCredit(changed, key);
        expect(res.status, JSON.stringify(changed)).toBe(409);
        expect(res.body.error.code).toBe("idempotency_conflict");
      }
      expect(await countCredits(h.id)).toEqual({ ledger: 1, credits: 1 });
      expect(await countCredits(other.id)).toEqual({ ledger: 0, credits: 0 });
    });

    it("a refused request does not burn its key: the same key succeeds once the request is right", async () => {
      const h = await household({ measure: null });
      const key = randomUUID();
      const body = credit(h.id, 1000, "2026-03-01");
      expect((await postCredit(body, key)).status).toBe(409);
      const m = await call("POST", `/v1/beneficiaries/${h.id}/measures`, {
        level: "MASP2",
        startDate: "2026-01-01",
        endDate: "2026-12-31",
        managedPrestations: ["RSA"],
      });
      expect(m.status).toBe(201);
      const res = await postCredit(body, key);
      expect(res.status).toBe(201);
      expect(res.replayed).toBeNull();
    });

    it("20 parallel requests with one key and one body: all 201 with the same transaction, posted once", async () => {
      const h = await household({ charges: [chargeBody()] });
      const key = randomUUID();
      const body = credit(h.id, 60775, "2026-01-03");
      const results = await Promise.all(Array.from({ length: 20 }, () => postCredit(body, key)));
      expect(results.map((r) => r.status)).toEqual(results.map(() => 201));
      const ids = new Set(results.map((r) => r.body.transactionId));
      expect(ids.size).toBe(1);
      expect(new Set(results.map((r) => r.text)).size).toBe(1);
      expect(results.filter((r) => r.replayed !== "true")).toHaveLength(1);
      expect(await countCredits(h.id)).toEqual({ ledger: 1, credits: 1 });
      const [row] = await queryRows<{ id: string }>(
        database.db,
        sql`select id from ledger_transactions where beneficiary_id = ${h.id}::uuid and kind = 'credit'`,
      );
      expect([...ids]).toEqual([row!.id]);
      expect(await balances(h.id)).toMatchObject({ rent: 50000, charges: 6000, available: 4775, total: 60775 });
    });

    it("10 parallel requests with one key and two bodies: one posted, the same body replays, the other 409", async () => {
      const h = await household();
      const key = randomUUID();
      const bodies = [credit(h.id, 1000, "2026-01-03"), credit(h.id, 2000, "2026-01-03")];
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => postCredit(bodies[i % 2]!, key)));
      expect(await countCredits(h.id)).toEqual({ ledger: 1, credits: 1 });
      const [row] = await queryRows<{ id: string; amount: string }>(
        database.db,
        sql`select id, amount::text from credits where beneficiary_id = ${h.id}::uuid`,
      );
      const winner = Number(row!.amount);
      results.forEach((r, i) => {
        if (bodies[i % 2]!.amount === winner) {
          expect(r.status, `caller ${i}`).toBe(201);
          expect(r.body.transactionId).toBe(row!.id);
        } else {
          expect(r.status, `caller ${i}`).toBe(409);
          expect(r.body.error.code).toBe("idempotency_conflict");
        }
      });
      expect(results.filter((r) => r.status === 201 && r.replayed !== "true")).toHaveLength(1);
      expect((await balances(h.id)).total).toBe(winner);
    });

    it("30 parallel credits with different keys for one beneficiary: all taken, nothing lost", async () => {
      const h = await household({ charges: [chargeBody(), chargeBody({ label: "MAIF", category: "insurance", amount: 3000, priority: 2 })] });
      const amounts = Array.from({ length: 30 }, (_, i) => 1_000 + i * 997);
      const total = amounts.reduce((s, a) => s + a, 0);
      const results = await Promise.all(amounts.map((a) => postCredit(credit(h.id, a, "2026-01-03"))));
      expect(results.map((r) => r.status)).toEqual(results.map(() => 201));
      expect(new Set(results.map((r) => r.body.transactionId)).size).toBe(30);
      for (const r of results) expect(sum(r.body.allocations)).toBe(r.body.amount);
      expect(await countCredits(h.id)).toEqual({ ledger: 30, credits: 30 });

      // The sum over the credits is the sum of the envelopes, and each envelope holds what was allocated to it.
      const bal = await balances(h.id);
      expect(bal.total).toBe(total);
      expect(bal.rent + bal.charges + bal.available + bal.care).toBe(total);
      const byEnvelope = new Map<string, number>();
      for (const r of results) {
        for (const a of r.body.allocations) {
          const k = a.envelope === "charge" ? a.chargeId : a.envelope;
          byEnvelope.set(k, (byEnvelope.get(k) ?? 0) + a.amount);
        }
      }
      expect(byEnvelope.get("rent") ?? 0).toBe(bal.rent);
      expect(byEnvelope.get("available") ?? 0).toBe(bal.available);
      for (const c of bal.byCharge) expect(byEnvelope.get(c.chargeId) ?? 0).toBe(c.balance);
      await expectLedgerSound(call, finance);
    });

    /** Two credits of 50000 made to wait together on the beneficiary's lock, then let go. */
    async function raceTwoCredits() {
      const h = await household({ charges: [chargeBody()] });
      const bodies = [credit(h.id, 50_000, "2026-01-03"), credit(h.id, 50_000, "2026-01-03")];
      let pending: Promise<ApiResponse>[] = [];
      let waiting = 0;
      await database.db.transaction(async (tx) => {
        await tx.execute(sql`select id from beneficiaries where id = ${h.id}::uuid for update`);
        pending = bodies.map((b) => postCredit(b));
        for (let i = 0; i < 500 && waiting < 2; i++) {
          await new Promise((r) => setTimeout(r, 10));
          const [row] = await queryRows<{ n: number }>(
            database.db,
            sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
          );
          waiting = Number(row!.n);
        }
      });
      const results = await Promise.all(pending);
      return { h, edf: h.charges[0]!, waiting, results };
    }

    it("two credits racing on one beneficiary: both taken, nothing lost (the race is real)", async () => {
      const { h, waiting, results } = await raceTwoCredits();
      expect(waiting).toBe(2);
      expect(results.map((r) => r.status)).toEqual([201, 201]);
      expect((await balances(h.id)).total).toBe(100_000);
      await expectLedgerSound(call, finance);
    });

    /**
     * A locking read keeps the snapshot it took before waiting: the credit service locks the
     * beneficiary in one statement and reads the state in the next, so a credit that waited
     * for a concurrent one of the same person sees what the first allocated.
     */
    it("two concurrent credits for one beneficiary are allocated as if in sequence (the second sees the first)", async () => {
      const { h, edf, results } = await raceTwoCredits();
      // In sequence: one takes the rent need (50000), the other finds it covered.
      const allocations = results.map((r) => r.body.allocations).sort((a: any[], b: any[]) => a.length - b.length);
      expect(allocations).toEqual([[rent(50_000)], [charge(edf, 6_000), available(44_000)]]);
      expect(await balances(h.id)).toMatchObject({ rent: 50_000, charges: 6_000, available: 44_000, total: 100_000 });
    });
  });

  describe("GET /v1/beneficiaries/{id}/transactions", () => {
    it("pages newest first with a cursor: no duplicates, no gaps", async () => {
      const h = await household();
      const ids: string[] = [];
      for (let i = 1; i <= 5; i++) ids.push((await credited(h.id, i * 100, `2026-01-0${i}`)).transactionId);
      const seen: any[] = [];
      let cursor: string | null = null;
      const sizes: number[] = [];
      for (let page = 0; page < 10; page++) {
        const res: ApiResponse = await call("GET", `/v1/beneficiaries/${h.id}/transactions?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
        expect(res.status).toBe(200);
        sizes.push(res.body.items.length);
        seen.push(...res.body.items);
        cursor = res.body.nextCursor;
        if (!cursor) break;
      }
      expect(sizes).toEqual([2, 2, 1]);
      expect(seen.map((t) => t.id)).toEqual([...ids].reverse());
      for (const t of seen) {
        expect(t.kind).toBe("credit");
        expect(t.postings.every((p: any) => ["debit", "credit"].includes(p.direction) && Number.isInteger(p.amount) && typeof p.account === "string")).toBe(
          true,
        );
        const debits = t.postings.filter((p: any) => p.direction === "debit").reduce((s: number, p: any) => s + p.amount, 0);
        const creditsSum = t.postings.filter((p: any) => p.direction === "credit").reduce((s: number, p: any) => s + p.amount, 0);
        expect(debits).toBe(creditsSum);
      }
      expect(seen.map((t) => t.valueDate)).toEqual(["2026-01-05", "2026-01-04", "2026-01-03", "2026-01-02", "2026-01-01"]);
      // Exactly a page's worth: no empty last page.
      const exact = await call("GET", `/v1/beneficiaries/${h.id}/transactions?limit=5`);
      expect(exact.body.items).toHaveLength(5);
      expect(exact.body.nextCursor).toBeNull();
      expect((await call("GET", `/v1/beneficiaries/${h.id}/transactions?cursor=nope`)).status).toBe(422);
      expect((await call("GET", `/v1/beneficiaries/${h.id}/transactions?limit=0`)).status).toBe(422);
      // Another beneficiary's list does not see these.
      const other = await household();
      expect((await call("GET", `/v1/beneficiaries/${other.id}/transactions`)).body).toEqual({ items: [], nextCursor: null });
    });
  });

  describe("GET /v1/beneficiaries/{id}/rent-periods", () => {
    const period = (p: string, due: number, status: string, dueDay = 5) => ({
      period: p,
      dueDate: `${p}-${String(dueDay).padStart(2, "0")}`,
      due,
      paid: 0,
      status,
      // Rule 2: each period names the lease it is owed on.
      leaseId: expect.any(String),
      landlordName: LANDLORD.name,
    });

    it("statuses as of a date: upcoming before the due date, unpaid from it (credits held in the envelope pay nothing yet)", async () => {
      const h = await household();
      await credited(h.id, 200_000, "2026-01-03");
      const at = async (asOf?: string) => {
        const res = await call("GET", `/v1/beneficiaries/${h.id}/rent-periods${asOf ? `?asOf=${asOf}` : ""}`);
        expect(res.status).toBe(200);
        return res.body;
      };
      expect((await at("2026-01-04")).items).toEqual([period("2026-01", 50000, "upcoming"), period("2026-02", 50000, "upcoming")]);
      expect((await at("2026-03-04")).items).toEqual([
        period("2026-01", 50000, "unpaid"),
        period("2026-02", 50000, "unpaid"),
        period("2026-03", 50000, "upcoming"),
        period("2026-04", 50000, "upcoming"),
      ]);
      const fifth = await at("2026-03-05");
      expect(fifth.asOf).toBe("2026-03-05");
      expect(fifth.items.map((p: any) => p.status)).toEqual(["unpaid", "unpaid", "unpaid", "upcoming"]);
      // Default: today (2026-11-23), January..December.
      const today = await at();
      expect(today.asOf).toBe(TODAY);
      expect(today.items.map((p: any) => p.period)).toEqual(Array.from({ length: 12 }, (_, i) => `2026-${String(i + 1).padStart(2, "0")}`));
      expect(today.items.at(-1).status).toBe("upcoming");
      expect(today.items.at(-2).status).toBe("unpaid");
      expect((await call("GET", `/v1/beneficiaries/${h.id}/rent-periods?asOf=2026-13-01`)).status).toBe(422);
      // No lease: no periods.
      const none = await household({ lease: null });
      expect((await call("GET", `/v1/beneficiaries/${none.id}/rent-periods?asOf=2026-03-04`)).body.items).toEqual([]);
    });

    /** What the rent-payments job will do (not written yet): pay the landlord out of the rent envelope, with its order. */
    async function payRent(beneficiaryId: string, measureId: string, period: string, amount: number, date: string) {
      await database.db.transaction(async (tx) => {
        const { transactionId } = await post(tx, {
          kind: "payment",
          valueDate: date,
          description: `Loyer ${period}`,
          idempotencyKey: `test-rent:${randomUUID()}`,
          actor: "test",
          beneficiaryId,
          postings: [
            { account: `beneficiary:${beneficiaryId}:rent`, direction: "debit", amount: BigInt(amount) },
            { account: "payments:in-transit", direction: "credit", amount: BigInt(amount) },
          ],
        });
        await tx.execute(sql`insert into payment_orders (id, natural_key, beneficiary_id, measure_id, kind, period, business_date, amount, creditor_name, creditor_iban, status, ledger_transaction_id)
          values (${randomUUID()}::uuid, ${`test:${transactionId}`}, ${beneficiaryId}::uuid, ${measureId}::uuid, 'rent', ${period}, ${date}::date, ${amount}, 'OPH Laval Habitat', ${LANDLORD.iban}, 'sent', ${transactionId}::uuid)`);
      });
    }

    it("rent paid to the landlord: periods paid or partial, and the need counts only what is still unpaid", async () => {
      const h = await household({ charges: [chargeBody()] });
      const periods = async (asOf: string) => (await call("GET", `/v1/beneficiaries/${h.id}/rent-periods?asOf=${asOf}`)).body.items;
      expect((await credited(h.id, 60775, "2026-01-03")).allocations).toEqual([rent(50000), charge(h.charges[0]!, 6000), available(4775)]);
      await payRent(h.id, h.measureId, "2026-01", 50000, "2026-01-05");
      expect(await periods("2026-01-06")).toEqual([{ ...period("2026-01", 50000, "paid"), paid: 50000 }, period("2026-02", 50000, "upcoming")]);
      // January is paid and the envelope is empty: February only. EDF: January held, not paid (rule 8), + February.
      expect((await credited(h.id, 60000, "2026-01-20")).allocations).toEqual([rent(50000), charge(h.charges[0]!, 6000), available(4000)]);
      await payRent(h.id, h.measureId, "2026-02", 20000, "2026-02-05");
      expect(await periods("2026-02-06")).toEqual([
        { ...period("2026-01", 50000, "paid"), paid: 50000 },
        { ...period("2026-02", 50000, "partial"), paid: 20000 },
        period("2026-03", 50000, "upcoming"),
      ]);
      // February's 30000 still unpaid + March, less the 30000 held.
      expect((await credited(h.id, 100000, "2026-02-06")).allocations).toEqual([rent(50000), available(50000)]);
      expect(await balances(h.id)).toMatchObject({ rent: 80000, charges: 12000, available: 58775 });
      await expectLedgerSound(call, finance);
    });

    it("the amount due follows a rent change from a future month, and so does the rent need", async () => {
      const h = await household({
        measure: { level: "MASP2", startDate: "2026-11-01", endDate: "2027-10-31", managedPrestations: ["RSA"] },
        lease: leaseBody({ startDate: "2026-11-01" }),
      });
      const change = await call("PUT", `/v1/beneficiaries/${h.id}/lease`, leaseBody({ startDate: "2026-11-01", rent: 47000, effectiveFrom: "2027-02" }));
      expect(change.status, JSON.stringify(change.body)).toBe(200);
      const res = await call("GET", `/v1/beneficiaries/${h.id}/rent-periods?asOf=2027-02-10`);
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual([
        period("2026-11", 50000, "unpaid"),
        period("2026-12", 50000, "unpaid"),
        period("2027-01", 50000, "unpaid"),
        period("2027-02", 52000, "unpaid"),
        period("2027-03", 52000, "upcoming"),
      ]);
      // 10 January: November..January + February at the new amount.
      expect((await credited(h.id, 202_000, "2027-01-10")).allocations).toEqual([rent(202_000)]);
      // 10 February: + February (past) and March, minus what is held.
      expect((await credited(h.id, 100_000, "2027-02-10")).allocations).toEqual([rent(52_000), available(48_000)]);
    });
  });
});
