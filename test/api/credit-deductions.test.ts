import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/sql";
import { apiCaller, bearer, createTestApp, type Headers, type TestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { expectLedgerSound, householdMaker } from "../support/household";

/**
 * Rule 9 (issue 15): a deduction the CAF makes from its next payment to recover an indu
 * is recorded ON that credit — gross, deduction, net — as one inflow of the net to the
 * bank, allocated like any credit; never as a second movement out.
 */

const TODAY = "2026-11-23";

describe("POST /v1/credits with a deduction (indu retenu par la CAF)", () => {
  let database: TestDatabase;
  let app: TestApp;
  let admin: Headers;
  let finance: Headers;
  const call = apiCaller(
    () => app,
    () => admin,
  );
  const household = householdMaker(call, { managed: ["RSA", "AAH", "APL"] });

  beforeAll(async () => {
    database = await createTestDatabase();
    app = createTestApp(database.db, { today: () => TODAY });
    [admin, finance] = await Promise.all([bearer(database.db, "admin"), bearer(database.db, "finance")]);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  const body = (beneficiaryId: string, overrides: Record<string, unknown> = {}) => ({
    beneficiaryId,
    payer: "CAF",
    prestation: "RSA",
    amount: 55775,
    valueDate: "2026-01-03",
    reference: "CAF RSA 01/2026",
    deduction: { amount: 5000, prestation: "RSA", reference: "indu RSA 11/2025 n° 42" },
    ...overrides,
  });
  const post = (b: unknown, key: string = randomUUID()) => call("POST", "/v1/credits", b, { ...finance, "Idempotency-Key": key });

  it("gross, deduction and net on the credit; the net is the one inflow and is allocated rent first", async () => {
    const h = await household();
    const res = await post(body(h.id));
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      amount: 55775,
      gross: 60775,
      deduction: { amount: 5000, prestation: "RSA", reference: "indu RSA 11/2025 n° 42" },
      net: 55775,
    });
    expect(res.body.allocations.reduce((s: number, a: { amount: number }) => s + a.amount, 0)).toBe(55775);
    expect(res.body.allocations[0]).toEqual({ envelope: "rent", amount: 50000 });
    const balances = (await call("GET", `/v1/beneficiaries/${h.id}/balances`)).body;
    expect(balances).toMatchObject({ rent: 50000, available: 5775, total: 55775 });

    // One transaction: the bank debited by the net, nothing credited to the bank, no second movement.
    const txns = (await call("GET", `/v1/beneficiaries/${h.id}/transactions`)).body.items;
    expect(txns).toHaveLength(1);
    const [t] = txns;
    expect(t.kind).toBe("credit");
    expect(t.postings.filter((p: any) => p.account === "bank:main")).toEqual([{ account: "bank:main", direction: "debit", amount: 55775 }]);
    expect(t.metadata).toMatchObject({
      gross: "60775",
      net: "55775",
      deduction: { amount: "5000", prestation: "RSA", reference: "indu RSA 11/2025 n° 42" },
    });
    const [credit] = await queryRows<{ amount: string }>(database.db, sql`select amount::text from credits where beneficiary_id = ${h.id}::uuid`);
    expect(credit!.amount).toBe("55775");
    await expectLedgerSound(call, finance);
  });

  it("the deduction may be of another prestation, even one the measure does not manage (prime d'activité); a housing aid deduction too", async () => {
    const h = await household();
    const res = await post(body(h.id, { deduction: { amount: 1234, prestation: "PRIME_ACTIVITE" } }));
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ gross: 57009, net: 55775, deduction: { amount: 1234, prestation: "PRIME_ACTIVITE", reference: null } });
    const apl = await post(body(h.id, { prestation: "APL", amount: 20000, deduction: { amount: 3000, prestation: "APL" } }));
    expect(apl.status, apl.text).toBe(201);
    expect(apl.body.allocations).toEqual([{ envelope: "rent", amount: 20000 }]);
  });

  it("without a deduction the answer is as before (no gross, net nor deduction)", async () => {
    const h = await household();
    const res = await post(body(h.id, { deduction: undefined }));
    expect(res.status, res.text).toBe(201);
    expect(res.body).not.toHaveProperty("gross");
    expect(res.body).not.toHaveProperty("deduction");
    const nul = await post(body(h.id, { deduction: null }));
    expect(nul.status, nul.text).toBe(201);
    expect(nul.body).not.toHaveProperty("gross");
  });

  it("idempotent: the same key and body answer the same, once posted, even racing; another deduction under the key: 409", async () => {
    const h = await household();
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 5 }, () => post(body(h.id), key)));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    const other = await post(body(h.id, { deduction: { amount: 5001, prestation: "RSA", reference: "indu RSA 11/2025 n° 42" } }), key);
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe("idempotency_conflict");
    const without = await post(body(h.id, { deduction: undefined }), key);
    expect(without.status).toBe(409);
    const [n] = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from credits where beneficiary_id = ${h.id}::uuid`);
    expect(n!.n).toBe(1);
    expect((await call("GET", `/v1/beneficiaries/${h.id}/balances`)).body.total).toBe(55775);
  });

  it("bad deductions: 422 naming the field, nothing posted", async () => {
    const h = await household();
    const cases: [unknown, string][] = [
      [{ amount: 0, prestation: "RSA" }, "deduction.amount"],
      [{ amount: -5, prestation: "RSA" }, "deduction.amount"],
      [{ amount: 1.5, prestation: "RSA" }, "deduction.amount"],
      [{ amount: "50", prestation: "RSA" }, "deduction.amount"],
      [{ amount: 100_000_000, prestation: "RSA" }, "deduction.amount"],
      [{ amount: 500 }, "deduction.prestation"],
      [{ amount: 500, prestation: "R$A" }, "deduction.prestation"],
      [{ amount: 500, prestation: "RSA", extra: 1 }, "deduction"],
      ["5000", "deduction"],
    ];
    for (const [deduction, field] of cases) {
      const res = await post(body(h.id, { deduction }));
      expect(res.status, JSON.stringify(deduction)).toBe(422);
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    const [n] = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from credits where beneficiary_id = ${h.id}::uuid`);
    expect(n!.n).toBe(0);
  });
});
