import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiCaller, bearer, createTestApp, type Headers, type TestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";

/** Payers (issue 13): seeded from the catalogue, completed by an admin with a name, an IBAN and an address, audited. */
describe("payers API", () => {
  let database: TestDatabase;
  let app: TestApp;
  let admin: Headers;
  let finance: Headers;

  const call = apiCaller(
    () => app,
    () => admin,
  );

  beforeAll(async () => {
    database = await createTestDatabase();
    app = createTestApp(database.db, { today: () => "2026-02-02" });
    admin = await bearer(database.db, "admin");
    finance = await bearer(database.db, "finance");
  });
  afterAll(async () => database?.dispose());

  it("lists every payer the catalogue names, to every role", async () => {
    const res = await call("GET", "/v1/payers", undefined, await bearer(database.db, "caseworker"));
    expect(res.status).toBe(200);
    const codes = res.body.items.map((p: { code: string }) => p.code);
    expect(codes).toEqual([...codes].sort());
    expect(res.body.items).toContainEqual(expect.objectContaining({ code: "CAF/MSA", name: "CAF/MSA", iban: null, address: null }));
  });

  it("an admin completes a payer (name, IBAN, address), with an audit row; the whole record is replaced", async () => {
    const body = {
      name: "CAF de la Mayenne",
      iban: "fr76 3000 4000 0312 3456 7890 143",
      address: { street: "2 rue de la Paix", postalCode: "53000", town: "Laval", country: "fr" },
    };
    const res = await call("PUT", `/v1/payers/${encodeURIComponent("CAF/MSA")}`, body);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      code: "CAF/MSA",
      name: "CAF de la Mayenne",
      iban: "FR7630004000031234567890143",
      address: { street: "2 rue de la Paix", postalCode: "53000", town: "Laval", country: "FR" },
    });
    const listed = await call("GET", "/v1/payers");
    expect(listed.body.items).toContainEqual(expect.objectContaining({ code: "CAF/MSA", name: "CAF de la Mayenne" }));

    const audit = await call("GET", "/v1/audit?action=payer.update", undefined, await bearer(database.db, "manager"));
    expect(audit.status, audit.text).toBe(200);
    expect(JSON.stringify(audit.body)).toContain("CAF de la Mayenne");

    const cleared = await call("PUT", `/v1/payers/${encodeURIComponent("CAF/MSA")}`, { name: "CAF de la Mayenne" });
    expect(cleared.body).toMatchObject({ iban: null, address: null });
  });

  it("refuses an unknown payer (404), a bad IBAN or address (422), finance staff (403)", async () => {
    expect((await call("PUT", "/v1/payers/NOPE", { name: "Nope" })).status).toBe(404);
    expect((await call("PUT", "/v1/payers/msa", { name: "x" })).status).toBe(404);
    const accented = await call("PUT", `/v1/payers/${encodeURIComponent("Département")}`, { name: "Conseil départemental de la Mayenne" });
    expect(accented.status, accented.text).toBe(200);
    expect((await call("PUT", "/v1/payers/MSA", { name: "MSA", iban: "FR7630004000031234567890144" })).status).toBe(422);
    expect((await call("PUT", "/v1/payers/MSA", { name: "MSA", address: { town: "Laval" } })).status).toBe(422);
    expect((await call("PUT", "/v1/payers/MSA", { name: "" })).status).toBe(422);
    expect((await call("PUT", "/v1/payers/MSA", { name: "MSA" }, finance)).status).toBe(403);
  });
});
