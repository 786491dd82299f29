import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/sql";
import { foldAccents } from "../../src/services/beneficiaries/list-beneficiaries";
import { runPayments } from "../../src/services/payments/run-payments";
import { apiCaller, bearer, createTestApp, type Headers, type TestApp } from "../support/app";
import { createTestDatabase, ENGINES, type TestDatabase } from "../support/db";

/**
 * The API side of the daily actions (issue 16): a search that ignores accents, on
 * PostgreSQL and on PGlite alike, and the ledger beyond its first page with each
 * credit's reference, the period a payment pays and the reversal that undid an entry.
 */
const TODAY = "2026-03-06";
const IBAN = "FR7630006000011234567890189";

describe.each(ENGINES)("accent-insensitive beneficiary search ($name)", ({ create }) => {
  let database: TestDatabase;
  let app: TestApp;
  let admin: Headers;
  const call = apiCaller(
    () => app,
    () => admin,
  );
  const names = async (q: string) => {
    const res = await call("GET", `/v1/beneficiaries?q=${encodeURIComponent(q)}`);
    expect(res.status, res.text).toBe(200);
    return (res.body.items as { firstName: string; lastName: string }[]).map((b) => `${b.firstName} ${b.lastName}`).sort();
  };

  beforeAll(async () => {
    database = await create();
    app = createTestApp(database.db, { today: () => TODAY });
    admin = await bearer(database.db, "admin");
    for (const [firstName, lastName] of [
      ["Zoé", "Moreau"],
      ["Zoe", "Martin"],
      ["Hélène", "Lefèvre"],
      ["Jean", "LEFEVRE"],
      ["Bérénice", "Œuvray"],
      ["Paul", "Dupont"],
    ]) {
      const res = await call("POST", "/v1/beneficiaries", { firstName, lastName, birthDate: "1980-05-01" });
      expect(res.status, res.text).toBe(201);
    }
  });
  afterAll(() => database?.dispose());

  it('"zoe" finds "Zoé" and "Zoe"; "lefevre" finds "Lefèvre" and "LEFEVRE"', async () => {
    expect(await names("zoe")).toEqual(["Zoe Martin", "Zoé Moreau"]);
    expect(await names("lefevre")).toEqual(["Hélène Lefèvre", "Jean LEFEVRE"]);
  });

  it("the accents typed are ignored too, in any case, and the full name matches", async () => {
    expect(await names("ZOÉ")).toEqual(["Zoe Martin", "Zoé Moreau"]);
    expect(await names("Lefèvre")).toEqual(["Hélène Lefèvre", "Jean LEFEVRE"]);
    expect(await names("helene lef")).toEqual(["Hélène Lefèvre"]);
    expect(await names("berenice")).toEqual(["Bérénice Œuvray"]);
    expect(await names("oeuvray")).toEqual(["Bérénice Œuvray"]);
  });

  it("LIKE's wildcards stay literal", async () => {
    expect(await names("z%e")).toEqual([]);
    expect(await names("_oe")).toEqual([]);
  });

  it("the JavaScript folding of the query is the SQL one", async () => {
    const sample = "Zoé ÉLODIE Lefèvre Œuvray garçon Ñuñez àâäáãåçéèêëíìîïñóòôöõúùûüýÿ";
    const [row] = await queryRows<{ folded: string }>(
      database.db,
      sql`select lower(replace(replace(translate(${sample}, 'àâäáãåçéèêëíìîïñóòôöõúùûüýÿÀÂÄÁÃÅÇÉÈÊËÍÌÎÏÑÓÒÔÖÕÚÙÛÜÝŸ', 'aaaaaaceeeeiiiinooooouuuuyyAAAAAACEEEEIIIINOOOOOUUUUYY'), 'œ', 'oe'), 'Œ', 'OE')) as folded`,
    );
    expect(foldAccents(sample)).toBe(row!.folded);
    expect(foldAccents(sample)).toBe("zoe elodie lefevre oeuvray garcon nunez aaaaaaceeeeiiiinooooouuuuyy");
  });
});

describe("the ledger beyond the last 20 entries", () => {
  let database: TestDatabase;
  let app: TestApp;
  let admin: Headers;
  let finance: Headers;
  let beneficiaryId = "";
  const call = apiCaller(
    () => app,
    () => admin,
  );

  beforeAll(async () => {
    database = await createTestDatabase();
    app = createTestApp(database.db, { today: () => TODAY });
    [admin, finance] = await Promise.all([bearer(database.db, "admin"), bearer(database.db, "finance")]);
    const b = await call("POST", "/v1/beneficiaries", { firstName: "Zoé", lastName: "Moreau", birthDate: "1984-02-11", iban: IBAN });
    beneficiaryId = b.body.id;
    expect(
      (
        await call("POST", `/v1/beneficiaries/${beneficiaryId}/measures`, {
          level: "MASP2",
          startDate: "2026-01-01",
          endDate: "2026-12-31",
          managedPrestations: ["RSA"],
        })
      ).status,
    ).toBe(201);
    const lease = {
      landlord: { name: "OPH Laval", iban: "FR1420041010050500013M02606" },
      rent: 40000,
      charges: 0,
      housingBenefitToLandlord: 0,
      dueDay: 5,
      startDate: "2026-01-01",
    };
    expect((await call("PUT", `/v1/beneficiaries/${beneficiaryId}/lease`, lease)).status).toBe(200);
    const credit = async (amount: number, valueDate: string, reference: string) => {
      const res = await call(
        "POST",
        "/v1/credits",
        { beneficiaryId, payer: "CAF", prestation: "RSA", amount, valueDate, reference },
        { ...finance, "Idempotency-Key": randomUUID() },
      );
      expect(res.status, res.text).toBe(201);
      return res.body.transactionId as string;
    };
    await credit(61234, "2026-01-03", "CAF RSA 12/2025 1234567");
    await runPayments({ db: database.db, kind: "rent", asOf: "2026-01-05", actor: "test" });
    for (let i = 1; i <= 22; i++) await credit(100 * i, "2026-02-02", `CAF-${i}`);
  });
  afterAll(() => database?.dispose());

  it("pages by cursor from the newest to the oldest, each entry once", async () => {
    const first = await call("GET", `/v1/beneficiaries/${beneficiaryId}/transactions?limit=20`);
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(20);
    expect(first.body.items[0].reference).toBe("CAF-22");
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await call("GET", `/v1/beneficiaries/${beneficiaryId}/transactions?limit=20&cursor=${first.body.nextCursor}`);
    expect(second.status).toBe(200);
    expect(second.body.nextCursor).toBeNull();
    const all = [...first.body.items, ...second.body.items];
    expect(new Set(all.map((t: { id: string }) => t.id)).size).toBe(all.length);
    // 23 credits and the January rent paid.
    expect(all).toHaveLength(24);
    const rent = all.find((t: { kind: string }) => t.kind === "payment.rent");
    expect(rent).toMatchObject({ period: "2026-01", reference: null, description: "Loyer 2026-01" });
    expect(all.at(-1)).toMatchObject({ kind: "credit", reference: "CAF RSA 12/2025 1234567", period: null, reversedById: null });
  });

  it("an entry names the reversal that undid it, and the reversal what it reverses", async () => {
    const page = await call("GET", `/v1/beneficiaries/${beneficiaryId}/transactions?limit=1`);
    const latest = page.body.items[0];
    const proposed = await call("POST", `/v1/transactions/${latest.id}/reversal`, { reason: "saisi deux fois" }, finance);
    expect(proposed.status).toBe(202);
    const approved = await call("POST", `/v1/proposals/${proposed.body.proposalId}/approval`, { comment: "vu" });
    expect(approved.status, approved.text).toBe(201);
    const after = await call("GET", `/v1/beneficiaries/${beneficiaryId}/transactions?limit=2`);
    expect(after.body.items[0]).toMatchObject({ id: approved.body.reversalId, reversesId: latest.id, reversedById: null });
    expect(after.body.items[1]).toMatchObject({ id: latest.id, reversedById: approved.body.reversalId, reference: "CAF-22" });
  });

  it("a cursor that is not one is a 422, never a 500", async () => {
    const res = await call("GET", `/v1/beneficiaries/${beneficiaryId}/transactions?cursor=pas-un-curseur`);
    expect(res.status).toBe(422);
  });
});
