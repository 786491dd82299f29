import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiCaller, bearer, createTestApp, responseChecker, type TestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";

/** The test helper checks every API answer against `/openapi.json`: here, that it catches a wrong one. */
describe("API answers checked against /openapi.json", () => {
  let database: TestDatabase;
  let app: TestApp;
  let finance: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase();
    app = createTestApp(database.db);
    finance = await bearer(database.db, "finance");
  });
  afterAll(async () => {
    await database?.dispose();
  });

  /** The real app, except that one path answers what the test says. */
  const tampered = (path: string, status: number, body: unknown) =>
    ({
      request: (input: string, init?: RequestInit) =>
        input === path ? new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } }) : app.request(input, init),
    }) as unknown as TestApp;

  it("accepts the real answers, errors included", async () => {
    const call = apiCaller(
      () => app,
      () => finance,
    );
    expect((await call("GET", "/v1/beneficiaries")).status).toBe(200);
    expect((await call("GET", "/v1/beneficiaries/00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await call("POST", "/v1/beneficiaries", { firstName: "" })).status).toBe(422);
    expect((await call("POST", "/v1/beneficiaries", "{not json")).status).toBe(400);
    expect((await call("GET", "/v1/no-such-route")).status).toBe(404);
  });

  it("refuses a body that breaks the response schema", async () => {
    const path = "/v1/beneficiaries/00000000-0000-4000-8000-000000000001";
    const call = apiCaller(
      () => tampered(path, 200, { id: "not-a-uuid", firstName: 7 }),
      () => finance,
    );
    await expect(call("GET", path)).rejects.toThrow(/does not keep to \/openapi.json[\s\S]*\/firstName must be string/);
  });

  it("refuses an error that is not the contract's envelope, and a status the operation does not document", async () => {
    const path = "/v1/beneficiaries";
    await expect(
      apiCaller(
        () => tampered(path, 422, { message: "bad" }),
        () => finance,
      )("POST", path, {}),
    ).rejects.toThrow(/must have required property 'error'/);
    await expect(
      apiCaller(
        () => tampered(path, 418, { error: { code: "x", message: "y" } }),
        () => finance,
      )("GET", path),
    ).rejects.toThrow(/status 418 is not documented/);
  });

  it("finds the operation by method and path template", async () => {
    const checker = await responseChecker(app);
    const beneficiary = {
      id: "00000000-0000-4000-8000-000000000001",
      firstName: "A",
      lastName: "B",
      birthDate: "1980-01-01",
      cafNumber: null,
      msaNumber: null,
      iban: null,
      caseworkerId: null,
      mjagbf: false,
      address: null,
      bankAccountId: null,
      createdAt: "2026-01-01T00:00:00.000Z",
      updatedAt: "2026-01-01T00:00:00.000Z",
    };
    expect(checker.check("PATCH", `/v1/beneficiaries/${beneficiary.id}`, 200, "application/json", beneficiary)).toEqual([]);
    expect(checker.check("PATCH", `/v1/beneficiaries/${beneficiary.id}`, 200, "application/json", { ...beneficiary, mjagbf: "no" })).toEqual([
      expect.stringContaining("/mjagbf must be boolean"),
    ]);
  });
});
