import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureAccounts, envelopeAccount, post } from "../../src/ledger";
import { bearer, createTestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";

describe("HTTP foundation", () => {
  let database: TestDatabase;
  let app: ReturnType<typeof createTestApp>;
  let admin: Record<string, string>;
  let finance: Record<string, string>;
  let caseworker: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase();
    app = createTestApp(database.db);
    [admin, finance, caseworker] = await Promise.all([bearer(database.db, "admin"), bearer(database.db, "finance"), bearer(database.db, "caseworker")]);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("answers /health without a token", async () => {
    const res = await app.request("/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", db: "ok", queue: "disabled" });
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });

  it("reports a queue that does not answer as degraded (503)", async () => {
    const degraded = createTestApp(database.db, { queueState: async () => "error" });
    const res = await degraded.request("/health");
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: "degraded", queue: "error" });
  });

  it("refuses /v1 without a token, with a malformed or an unknown one (401, contract envelope)", async () => {
    for (const headers of [{}, { Authorization: "Basic abc" }, { Authorization: "Bearer masp_unknown_token_value" }] as Record<string, string>[]) {
      const res = await app.request("/v1/ledger/trial-balance", { headers });
      expect(res.status).toBe(401);
      const body = (await res.json()) as any;
      expect(body).toMatchObject({ error: { code: "unauthorized", message: expect.any(String) } });
    }
  });

  it("enforces roles (403 for a caseworker on the trial balance and on verify)", async () => {
    expect((await app.request("/v1/ledger/trial-balance", { headers: caseworker })).status).toBe(403);
    expect((await app.request("/v1/ledger/verify", { headers: finance })).status).toBe(403);
    const res = await app.request("/v1/ledger/verify", { headers: admin });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, drift: [], negative: [], unbalancedTransactions: [] });
  });

  it("serves the trial balance in cents", async () => {
    const b = randomUUID();
    const rent = envelopeAccount(b, "rent");
    await ensureAccounts(database.db, [rent]);
    await post(database.db, {
      kind: "credit",
      valueDate: "2026-01-05",
      description: "test",
      idempotencyKey: randomUUID(),
      actor: "test",
      postings: [
        { account: "bank:main", direction: "debit", amount: 60_775n },
        { account: rent.address, direction: "credit", amount: 60_775n },
      ],
    });
    const res = await app.request("/v1/ledger/trial-balance", { headers: finance });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body).toMatchObject({ totalDebits: 60_775, totalCredits: 60_775, balanced: true });
    expect(body.lines).toEqual([
      { pcgAccount: "4671", debits: 0, credits: 60_775 },
      { pcgAccount: "512", debits: 60_775, credits: 0 },
    ]);
    const before = await app.request("/v1/ledger/trial-balance?asOf=2026-01-04", { headers: finance });
    expect(await before.json()).toMatchObject({ totalDebits: 0, balanced: true });
  });

  it("validates query parameters with field-level details (422)", async () => {
    const res = await app.request("/v1/ledger/trial-balance?asOf=2026-02-30", { headers: finance });
    expect(res.status).toBe(422);
    const body = (await res.json()) as any;
    expect(body.error.code).toBe("validation_failed");
    expect(body.error.details).toEqual([expect.objectContaining({ field: "asOf" })]);
  });

  it("answers unknown routes with the contract's 404 envelope", async () => {
    const res = await app.request("/v1/nothing-here", { headers: admin });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: "not_found" } });
  });

  it("publishes an OpenAPI 3.1 document and a readable reference", async () => {
    const doc = (await (await app.request("/openapi.json")).json()) as any;
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/health", "/v1/ledger/trial-balance"]));
    expect(doc.components.securitySchemes.Bearer).toMatchObject({ type: "http", scheme: "bearer" });
    const html = await (await app.request("/docs")).text();
    expect(html).toContain("/v1/ledger/trial-balance");
    expect(html).toContain("<!doctype html>");
  });
});
