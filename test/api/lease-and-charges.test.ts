import { randomBytes, randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgError } from "../../src/db/errors";
import { queryRows } from "../../src/db/sql";
import { apiCaller, bearer, createTestApp, type TestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { approvedBy } from "../support/four-eyes";
import { chargeBody, EDF, LANDLORD, leaseBody } from "../support/household";

const TODAY = "2026-11-23";

type Headers = Record<string, string>;
type App = TestApp;

describe("lease and charges API (the budget plan)", () => {
  let database: TestDatabase;
  let app: App;
  let admin: Headers;
  let manager: Headers;

  const appOn = (today: string): App => createTestApp(database.db, { today: () => today });

  const call = (method: string, path: string, body?: unknown, on: App = app) =>
    apiCaller(
      () => on,
      () => admin,
    )(method, path, body);

  const fields = (body: any): string[] => (body?.error?.details ?? []).map((d: { field: string }) => d.field);

  async function beneficiary(): Promise<string> {
    const res = await call("POST", "/v1/beneficiaries", { firstName: "Marie", lastName: `Durand${randomBytes(3).toString("hex")}`, birthDate: "1979-04-02" });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  // The landlord's IBAN as people type it: the service stores the electronic format.
  const lease = (overrides: Record<string, unknown> = {}) => leaseBody({ landlord: { ...LANDLORD, iban: "fr14 2004 1010 0505 0001 3m02 606" }, ...overrides });
  /** A landlord IBAN that changes is proposed (202) and applied when a manager approves it (four eyes). */
  const putLease = (b: string, body: unknown, on: App = app) =>
    approvedBy(
      apiCaller(
        () => on,
        () => admin,
      ),
      () => manager,
    )("PUT", `/v1/beneficiaries/${b}/lease`, body);
  const getLease = (b: string, on: App = app) => call("GET", `/v1/beneficiaries/${b}/lease`, undefined, on);
  const terms = (body: any) => body.terms.map((t: any) => [t.effectiveFrom, t.rent, t.charges, t.housingBenefitToLandlord, t.monthlyDue]);

  // No start date: a charge starts "today".
  const charge = (overrides: Record<string, unknown> = {}) => chargeBody({ startDate: undefined, ...overrides });
  const addCharge = (b: string, body: unknown) => call("POST", `/v1/beneficiaries/${b}/charges`, body);

  beforeAll(async () => {
    database = await createTestDatabase();
    app = appOn(TODAY);
    admin = await bearer(database.db, "admin");
    manager = await bearer(database.db, "manager");
  });
  afterAll(async () => {
    await database?.dispose();
  });

  describe("PUT /v1/beneficiaries/{id}/lease", () => {
    it("records the lease (200): monthly due = rent + charges − housing benefit paid to the landlord", async () => {
      const b = await beneficiary();
      expect((await getLease(b)).status).toBe(404);
      const res = await putLease(b, lease({ housingBenefitToLandlord: 20000 }));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        beneficiaryId: b,
        landlord: { name: "OPH Laval Habitat", iban: LANDLORD.iban, address: null },
        rent: 45000,
        charges: 5000,
        housingBenefitToLandlord: 20000,
        personShare: 0,
        monthlyDue: 30000,
        dueDay: 5,
        startDate: "2026-01-01",
        endDate: null,
        firstPeriod: null,
        prorata: false,
        arrearsPlanMonthly: null,
        terms: [{ effectiveFrom: "2026-01", rent: 45000, charges: 5000, housingBenefitToLandlord: 20000, personShare: 0, monthlyDue: 30000 }],
      });
      const got = await getLease(b);
      expect(got.status).toBe(200);
      expect(got.body).toEqual({ ...res.body, previous: [] });
    });

    it("defaults charges and housing benefit to 0; a benefit equal to rent + charges leaves 0 due", async () => {
      const b = await beneficiary();
      const res = await putLease(b, { landlord: { name: "SCI", iban: LANDLORD.iban }, rent: 45000, dueDay: 1, startDate: "2026-03-01" });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ charges: 0, housingBenefitToLandlord: 0, monthlyDue: 45000 });
      const b2 = await beneficiary();
      const all = await putLease(b2, lease({ housingBenefitToLandlord: 50000, dueDay: 28 }));
      expect(all.status).toBe(200);
      expect(all.body.monthlyDue).toBe(0);
    });

    it("refuses a housing benefit above rent + charges (422, housingBenefitToLandlord)", async () => {
      const b = await beneficiary();
      const res = await putLease(b, lease({ housingBenefitToLandlord: 50001 }));
      expect(res.status).toBe(422);
      expect(res.body.error.details).toEqual([expect.objectContaining({ field: "housingBenefitToLandlord", code: "too_large" })]);
      expect((await getLease(b)).status).toBe(404);
    });

    it("refuses a due day outside 1..28 (422, dueDay)", async () => {
      const b = await beneficiary();
      for (const dueDay of [0, 29, 31, -1, 5.5, "5", null]) {
        const res = await putLease(b, lease({ dueDay }));
        expect(res.status, String(dueDay)).toBe(422);
        expect(fields(res.body), String(dueDay)).toEqual(["dueDay"]);
      }
    });

    it("refuses non-integer, negative, non-number and absurd amounts (422); 100 000 000 cents is accepted", async () => {
      const b = await beneficiary();
      for (const [field, value] of [
        ["rent", 450.5],
        ["rent", -1],
        ["rent", 100_000_001],
        ["rent", "45000"],
        ["rent", null],
        ["rent", 1e21],
        ["charges", -5],
        ["charges", 0.1],
        ["housingBenefitToLandlord", 1.5],
        ["housingBenefitToLandlord", -100],
      ] as const) {
        const res = await putLease(b, lease({ [field]: value }));
        expect(res.status, `${field}=${value}`).toBe(422);
        // (1e21 breaks two rules of the same field: not a safe integer, and too large)
        expect([...new Set(fields(res.body))], `${field}=${value}`).toEqual([field]);
      }
      const { rent: _rent, ...noRent } = lease();
      expect(fields((await putLease(b, noRent)).body)).toEqual(["rent"]);
      expect(fields((await putLease(b, lease({ landlord: { name: "X", iban: "FR7630006000011234567890188" } }))).body)).toEqual(["landlord.iban"]);
      expect(fields((await putLease(b, lease({ startDate: "2026-02-30" }))).body)).toEqual(["startDate"]);
      expect(fields((await putLease(b, lease({ endDate: "2025-12-31" }))).body)).toEqual(["endDate"]);
      expect((await putLease(b, "{bad json")).status).toBe(400);
      expect((await getLease(b)).status).toBe(404);
      const max = await putLease(b, lease({ rent: 100_000_000 }));
      expect(max.status).toBe(200);
      expect(max.body.rent).toBe(100_000_000);
      expect((await putLease(randomUUID(), lease())).status).toBe(404);
    });

    it("a rent change from a future month adds terms and leaves earlier months untouched", async () => {
      const b = await beneficiary();
      const first = await putLease(b, lease());
      const [before] = await queryRows<{ id: string; rent: string; created_at: string }>(
        database.db,
        sql`select id::text, rent::text, created_at::text from lease_terms where lease_id = ${first.body.id}`,
      );
      const res = await putLease(b, lease({ rent: 47000, effectiveFrom: "2026-12" }));
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(first.body.id);
      // Today (November) the old amounts are in force.
      expect(res.body).toMatchObject({ rent: 45000, monthlyDue: 50000 });
      const got = await getLease(b);
      expect(terms(got.body)).toEqual([
        ["2026-01", 45000, 5000, 0, 50000],
        ["2026-12", 47000, 5000, 0, 52000],
      ]);
      const rows = await queryRows<{ id: string; rent: string; created_at: string; effective_month: string }>(
        database.db,
        sql`select id::text, rent::text, created_at::text, effective_month::text from lease_terms where lease_id = ${first.body.id} order by effective_month`,
      );
      expect(rows.map((r) => r.effective_month)).toEqual(["2026-01-01", "2026-12-01"]);
      expect(rows[0]).toMatchObject(before!);

      // A correction of a planned change (same future month) replaces it; a change from an earlier
      // future month supersedes the later plan. (Far-future months: the database guard uses the
      // real clock, and terms of a month that has really begun may not be rewritten.)
      expect((await putLease(b, lease({ rent: 50000, effectiveFrom: "2099-03" }))).status).toBe(200);
      expect(terms((await putLease(b, lease({ rent: 51000, effectiveFrom: "2099-03" }))).body)).toEqual([
        ["2026-01", 45000, 5000, 0, 50000],
        ["2026-12", 47000, 5000, 0, 52000],
        ["2099-03", 51000, 5000, 0, 56000],
      ]);
      expect(terms((await putLease(b, lease({ rent: 49000, effectiveFrom: "2099-01" }))).body)).toEqual([
        ["2026-01", 45000, 5000, 0, 50000],
        ["2026-12", 47000, 5000, 0, 52000],
        ["2099-01", 49000, 5000, 0, 54000],
      ]);
    });

    it("refuses a change from a past month without its own terms (422, effectiveFrom), or before the lease", async () => {
      const b = await beneficiary();
      await putLease(b, lease());
      const past = await putLease(b, lease({ rent: 47000, effectiveFrom: "2026-06" }));
      expect(past.status).toBe(422);
      expect(past.body.error.details).toEqual([expect.objectContaining({ field: "effectiveFrom", code: "in_the_past" })]);
      const beforeLease = await putLease(b, lease({ rent: 47000, effectiveFrom: "2025-12" }));
      expect(beforeLease.status).toBe(422);
      expect(fields(beforeLease.body)).toEqual(["effectiveFrom"]);
      expect(fields((await putLease(b, lease({ rent: 47000, effectiveFrom: "2026-13" }))).body)).toEqual(["effectiveFrom"]);
      expect(terms((await getLease(b)).body)).toEqual([["2026-01", 45000, 5000, 0, 50000]]);
    });

    // A change from a past month is a validation error on effectiveFrom (422), even when that
    // month is the one the current terms start in (not a 409 conflict without details).
    it("refuses a change from the lease's first (past) month with 422 like any past month", async () => {
      const b = await beneficiary();
      await putLease(b, lease());
      const res = await putLease(b, lease({ rent: 47000, effectiveFrom: "2026-01" }));
      expect(res.status).toBe(422);
      expect(fields(res.body)).toEqual(["effectiveFrom"]);
    });

    it("with today fixed: months that have begun keep their terms while later changes are added", async () => {
      const march = appOn("2026-03-15");
      const july = appOn("2026-07-10");
      const b = await beneficiary();
      expect((await putLease(b, lease({ rent: 40000, charges: 0 }), march)).status).toBe(200);
      const planned = await putLease(b, lease({ rent: 42000, charges: 0, effectiveFrom: "2026-05" }), march);
      expect(planned.status).toBe(200);
      expect(planned.body.rent).toBe(40000);

      // July: a change without effectiveFrom takes effect this month.
      const now = await putLease(b, lease({ rent: 44000, charges: 0 }), july);
      expect(now.status).toBe(200);
      expect(now.body).toMatchObject({ rent: 44000, monthlyDue: 44000 });
      const history = [
        ["2026-01", 40000, 0, 0, 40000],
        ["2026-05", 42000, 0, 0, 42000],
        ["2026-07", 44000, 0, 0, 44000],
      ];
      expect(terms(now.body)).toEqual(history);

      // June and May are history in July.
      const june = await putLease(b, lease({ rent: 46000, charges: 0, effectiveFrom: "2026-06" }), july);
      expect(june.status).toBe(422);
      expect(fields(june.body)).toEqual(["effectiveFrom"]);
      const may = await putLease(b, lease({ rent: 46000, charges: 0, effectiveFrom: "2026-05" }), july);
      expect([409, 422]).toContain(may.status);

      // Same amounts as in force, another landlord name: the lease changes, the terms do not.
      const renamed = await putLease(b, lease({ rent: 44000, charges: 0, landlord: { name: "OPH Mayenne", iban: LANDLORD.iban } }), july);
      expect(renamed.status).toBe(200);
      expect(renamed.body.landlord.name).toBe("OPH Mayenne");
      expect(terms(renamed.body)).toEqual(history);

      // Each date sees the terms in force then.
      expect((await getLease(b, march)).body).toMatchObject({ rent: 40000, monthlyDue: 40000 });
      expect((await getLease(b, appOn("2026-06-30"))).body).toMatchObject({ rent: 42000 });
      expect((await getLease(b, july)).body).toMatchObject({ rent: 44000 });
      expect(terms((await getLease(b)).body)).toEqual(history);
    });

    it("the database refuses to edit or delete terms of a month that has begun (SQLSTATE MLAPP)", async () => {
      const b = await beneficiary();
      const l = await putLease(b, lease());
      await putLease(b, lease({ rent: 47000, effectiveFrom: "2099-01" }));
      const failure = (promise: Promise<unknown>) =>
        promise.then(
          () => null,
          (error: unknown) => error,
        );

      const update = await failure(database.db.execute(sql`update lease_terms set rent = 1 where lease_id = ${l.body.id} and effective_month = '2026-01-01'`));
      expect(pgError(update)?.code).toBe("MLAPP");
      const del = await failure(database.db.execute(sql`delete from lease_terms where lease_id = ${l.body.id} and effective_month = '2026-01-01'`));
      expect(pgError(del)?.code).toBe("MLAPP");
      // Moving future terms into the past is refused too.
      const moved = await failure(
        database.db.execute(sql`update lease_terms set effective_month = '2026-02-01' where lease_id = ${l.body.id} and effective_month = '2099-01-01'`),
      );
      expect(pgError(moved)?.code).toBe("MLAPP");
      // Terms of a future month may still be corrected.
      await database.db.execute(sql`update lease_terms set rent = 47500 where lease_id = ${l.body.id} and effective_month = '2099-01-01'`);
      expect(terms((await getLease(b)).body)).toEqual([
        ["2026-01", 45000, 5000, 0, 50000],
        ["2099-01", 47500, 5000, 0, 52500],
      ]);
    });

    it("a later start date is a new lease and closes the previous one the day before", async () => {
      const b = await beneficiary();
      const old = await putLease(b, lease());
      const moved = await putLease(b, lease({ landlord: { name: "Foncia", iban: EDF.iban }, rent: 52000, charges: 3000, dueDay: 10, startDate: "2026-09-01" }));
      expect(moved.status).toBe(200);
      expect(moved.body.id).not.toBe(old.body.id);
      expect(moved.body).toMatchObject({ startDate: "2026-09-01", endDate: null, rent: 52000, monthlyDue: 55000, dueDay: 10, landlord: { name: "Foncia" } });
      expect(terms(moved.body)).toEqual([["2026-09", 52000, 3000, 0, 55000]]);
      const got = await getLease(b);
      expect(got.body.id).toBe(moved.body.id);
      expect(got.body.previous).toEqual([
        expect.objectContaining({
          id: old.body.id,
          startDate: "2026-01-01",
          endDate: "2026-08-31",
          rent: 45000,
          terms: [expect.objectContaining({ effectiveFrom: "2026-01", rent: 45000 })],
        }),
      ]);
      // A lease cannot start before the latest one.
      const earlier = await putLease(b, lease({ startDate: "2026-05-01" }));
      expect(earlier.status).toBe(409);
      expect(earlier.body.error.code).toBe("conflict");
    });
  });

  describe("charges", () => {
    const ledgerAccount = async (address: string) =>
      queryRows<{ address: string; beneficiary_id: string | null }>(
        database.db,
        sql`select address, beneficiary_id::text from ledger_accounts where address = ${address}`,
      );

    it("POST adds a charge (201) with its own ledger envelope", async () => {
      const b = await beneficiary();
      const res = await addCharge(b, charge({ creditor: { name: "EDF", iban: "fr76 3000 6000 0112 3456 7890 189" } }));
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        beneficiaryId: b,
        label: "EDF",
        category: "energy",
        amount: 6000,
        dueDay: 15,
        priority: 1,
        creditor: { name: "EDF", iban: EDF.iban, address: null },
        frequency: "monthly",
        months: [],
        startDate: TODAY,
        endDate: null,
        envelope: `beneficiary:${b}:charge:${res.body.id}`,
      });
      expect(await ledgerAccount(`beneficiary:${b}:charge:${res.body.id}`)).toEqual([{ address: `beneficiary:${b}:charge:${res.body.id}`, beneficiary_id: b }]);
    });

    it("accepts the seven categories and refuses any other (422, category)", async () => {
      const b = await beneficiary();
      for (const [i, category] of ["energy", "water", "insurance", "debt_plan", "telecom", "care", "other"].entries()) {
        expect((await addCharge(b, charge({ category, priority: i + 1 }))).status, category).toBe(201);
      }
      for (const category of ["food", "rent", "ENERGY", ""]) {
        const res = await addCharge(b, charge({ category }));
        expect(res.status, category).toBe(422);
        expect(fields(res.body)).toEqual(["category"]);
      }
    });

    it("validates amount, due day, priority and creditor IBAN (422)", async () => {
      const b = await beneficiary();
      for (const [field, value] of [
        ["amount", 0],
        ["amount", -1],
        ["amount", 60.5],
        ["amount", 100_000_001],
        ["amount", "6000"],
        ["dueDay", 0],
        ["dueDay", 29],
        ["priority", 0],
        ["priority", 1.5],
      ] as const) {
        const res = await addCharge(b, charge({ [field]: value }));
        expect(res.status, `${field}=${value}`).toBe(422);
        expect(fields(res.body), `${field}=${value}`).toEqual([field]);
      }
      expect(fields((await addCharge(b, charge({ creditor: { name: "EDF", iban: "FR7630006000011234567890188" } }))).body)).toEqual(["creditor.iban"]);
      expect(fields((await addCharge(b, charge({ startDate: "2026-06-01", endDate: "2026-05-31" }))).body)).toEqual(["endDate"]);
      expect((await addCharge(b, "{")).status).toBe(400);
      expect((await addCharge(randomUUID(), charge())).status).toBe(404);
      expect((await call("GET", `/v1/beneficiaries/${b}/charges`)).body.items).toEqual([]);
    });

    it("quarterly charges default to four months three apart from the start month; yearly to one", async () => {
      const b = await beneficiary();
      const q1 = await addCharge(b, charge({ frequency: "quarterly", startDate: "2026-02-10" }));
      expect(q1.status).toBe(201);
      expect(q1.body).toMatchObject({ frequency: "quarterly", months: [2, 5, 8, 11], startDate: "2026-02-10" });
      const q2 = await addCharge(b, charge({ frequency: "quarterly", startDate: "2026-11-15" }));
      expect(q2.body.months).toEqual([2, 5, 8, 11]);
      const q3 = await addCharge(b, charge({ frequency: "quarterly", startDate: "2026-12-01" }));
      expect(q3.body.months).toEqual([3, 6, 9, 12]);
      const explicit = await addCharge(b, charge({ frequency: "quarterly", months: [10, 1, 7, 4], startDate: "2026-02-10" }));
      expect(explicit.status).toBe(201);
      expect(explicit.body.months).toEqual([1, 4, 7, 10]);
      for (const months of [
        [1, 4, 7],
        [1, 5, 9, 12],
        [1, 4, 7, 10, 12],
      ]) {
        const res = await addCharge(b, charge({ frequency: "quarterly", months }));
        expect(res.status, JSON.stringify(months)).toBe(422);
        expect(fields(res.body)).toEqual(["months"]);
      }

      const y = await addCharge(b, charge({ category: "insurance", frequency: "yearly", startDate: "2026-09-20" }));
      expect(y.body).toMatchObject({ frequency: "yearly", months: [9] });
      expect((await addCharge(b, charge({ frequency: "yearly", months: [3] }))).body.months).toEqual([3]);
      const twice = await addCharge(b, charge({ frequency: "yearly", months: [1, 7] }));
      expect(twice.status).toBe(422);
      expect(fields(twice.body)).toEqual(["months"]);
      expect(fields((await addCharge(b, charge({ frequency: "yearly", months: [13] }))).body)).toEqual(["months.0"]);

      const monthly = await addCharge(b, charge({ frequency: "monthly", months: [1] }));
      expect(monthly.status).toBe(422);
      expect(fields(monthly.body)).toEqual(["months"]);
      expect(fields((await addCharge(b, charge({ frequency: "weekly" }))).body)).toEqual(["frequency"]);
    });

    it("PATCH changes the amount and ends a charge; the trail keeps old and new amounts", async () => {
      const b = await beneficiary();
      const c = (await addCharge(b, charge({ startDate: "2026-01-01" }))).body;
      const res = await call("PATCH", `/v1/beneficiaries/${b}/charges/${c.id}`, { amount: 6500, endDate: "2027-06-30" });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ...c, amount: 6500, endDate: "2027-06-30" });
      expect((await call("GET", `/v1/beneficiaries/${b}/charges`)).body.items).toEqual([res.body]);

      const [audit] = await queryRows<{ changes: any }>(database.db, sql`select changes from audit_log where entity_id = ${c.id} and action = 'charge.update'`);
      const changes = typeof audit!.changes === "string" ? JSON.parse(audit!.changes) : audit!.changes;
      expect(changes).toMatchObject({ fields: ["amount", "endDate"], amount: { from: "6000", to: "6500" }, endDate: { from: null, to: "2027-06-30" } });

      const patch = (body: unknown) => call("PATCH", `/v1/beneficiaries/${b}/charges/${c.id}`, body);
      expect(fields((await patch({ endDate: "2025-12-31" })).body)).toEqual(["endDate"]);
      expect(fields((await patch({ amount: 0 })).body)).toEqual(["amount"]);
      expect((await patch({ category: "water" })).status).toBe(422);
      expect((await patch({})).status).toBe(422);
      expect(fields((await patch({ months: [2] })).body)).toEqual(["months"]);
      const quarterly = await patch({ frequency: "quarterly" });
      expect(quarterly.status).toBe(200);
      expect(quarterly.body.months).toEqual([1, 4, 7, 10]);
      const reopened = await patch({ endDate: null });
      expect(reopened.status).toBe(200);
      expect(reopened.body.endDate).toBeNull();
    });

    it("lists charges by priority", async () => {
      const b = await beneficiary();
      const third = (await addCharge(b, charge({ label: "Assurance", category: "insurance", priority: 3 }))).body;
      const first = (await addCharge(b, charge({ label: "EDF", priority: 1 }))).body;
      const second = (await addCharge(b, charge({ label: "Eau", category: "water", priority: 2 }))).body;
      const alsoSecond = (await addCharge(b, charge({ label: "Plan", category: "debt_plan", priority: 2 }))).body;
      const list = await call("GET", `/v1/beneficiaries/${b}/charges`);
      expect(list.status).toBe(200);
      expect(list.body.items.map((c: any) => c.id)).toEqual([first.id, second.id, alsoSecond.id, third.id]);
      // Re-prioritised, the order follows.
      expect((await call("PATCH", `/v1/beneficiaries/${b}/charges/${third.id}`, { priority: 1 })).status).toBe(200);
      const after = await call("GET", `/v1/beneficiaries/${b}/charges`);
      expect(after.body.items.map((c: any) => c.priority)).toEqual([1, 1, 2, 2]);
      expect(
        after.body.items
          .slice(0, 2)
          .map((c: any) => c.id)
          .sort(),
      ).toEqual([first.id, third.id].sort());
      expect((await call("GET", `/v1/beneficiaries/${randomUUID()}/charges`)).status).toBe(404);
    });

    it("answers 404 for another beneficiary's charge, an unknown one or a malformed id", async () => {
      const a = await beneficiary();
      const b = await beneficiary();
      const ofA = (await addCharge(a, charge())).body;
      const res = await call("PATCH", `/v1/beneficiaries/${b}/charges/${ofA.id}`, { amount: 1 });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("not_found");
      expect((await call("PATCH", `/v1/beneficiaries/${a}/charges/${randomUUID()}`, { amount: 1 })).status).toBe(404);
      expect((await call("PATCH", `/v1/beneficiaries/${a}/charges/not-an-id`, { amount: 1 })).status).toBe(404);
      expect((await call("GET", `/v1/beneficiaries/${a}/charges`)).body.items).toEqual([ofA]);
    });
  });
});
