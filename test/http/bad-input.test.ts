import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiCaller, bearer, createTestApp, type Headers, type TestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { chargeBody, type Household, householdMaker } from "../support/household";
import { staffUser, uiSession } from "../support/ui";

const TODAY = "2026-03-06";
const NUL = "a\u0000b";
const LONE = "x\ud800y";

/**
 * Bad input is a 400 or a 422 in the contract's shape, never a 500: NUL characters and
 * lone surrogates in any text (a value, a key no schema names, a search, a cursor),
 * dates PostgreSQL cannot hold, a PATCH without a body. The UI forms say it in French.
 */
describe("bad input at the edge", () => {
  let db: TestDatabase;
  let app: TestApp;
  let admin: Headers;
  let call: ReturnType<typeof apiCaller>;
  let h: Household;
  let transactionId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = createTestApp(db.db, { today: () => TODAY });
    admin = await bearer(db.db, "admin");
    call = apiCaller(
      () => app,
      () => admin,
    );
    h = await householdMaker(call, { managed: ["RSA", "ALS"], iban: "FR7630006000011234567890189" })({ charges: [chargeBody()] });
    const credit = await call(
      "POST",
      "/v1/credits",
      { beneficiaryId: h.id, payer: "CAF", prestation: "RSA", amount: 60775, valueDate: "2026-02-03" },
      {
        ...admin,
        "Idempotency-Key": `bad-input-${randomBytes(4).toString("hex")}`,
      },
    );
    expect(credit.status, credit.text).toBe(201);
    transactionId = credit.body.transactionId;
  }, 60_000);

  afterAll(async () => {
    await db?.dispose();
  });

  const expectRefused = (res: { status: number; body: any; text: string }, field?: string) => {
    expect([400, 422], res.text).toContain(res.status);
    expect(res.body.error.code).toMatch(/^(validation_failed|malformed_request)$/);
    if (field) expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  };

  describe("a NUL or a lone surrogate in a text", () => {
    for (const [label, bad] of [
      ["NUL", NUL],
      ["lone surrogate", LONE],
    ] as const) {
      it(`refuses a ${label} in names, labels, references, reasons and comments`, async () => {
        expectRefused(await call("POST", "/v1/beneficiaries", { firstName: bad, lastName: "Durand", birthDate: "1979-04-02" }), "firstName");
        expectRefused(await call("PATCH", `/v1/beneficiaries/${h.id}`, { lastName: bad }), "lastName");
        expectRefused(await call("POST", `/v1/beneficiaries/${h.id}/charges`, chargeBody({ label: bad })), "label");
        expectRefused(await call("PATCH", `/v1/beneficiaries/${h.id}/charges/${h.charges[0]}`, { label: bad }), "label");
        expectRefused(
          await call(
            "POST",
            "/v1/credits",
            { beneficiaryId: h.id, payer: "CAF", prestation: "RSA", amount: 100, valueDate: "2026-02-04", reference: bad },
            {
              ...admin,
              "Idempotency-Key": `k-${randomBytes(4).toString("hex")}`,
            },
          ),
          "reference",
        );
        expectRefused(await call("POST", `/v1/transactions/${transactionId}/reversal`, { reason: `why ${bad}` }), "reason");
        expectRefused(
          await call("POST", `/v1/measures/${h.measureId}/reviews`, { date: "2026-03-01", author: "Camille", outcome: "continue", comment: bad }),
          "comment",
        );
        expectRefused(await call("POST", `/v1/measures/${h.measureId}/amendments`, { effectiveDate: "2026-03-01", reason: bad, budgetPlanNote: "ok" }));
        expectRefused(await call("POST", `/v1/measures/${h.measureId}/end`, { endDate: "2026-06-30", reason: "objectives_reached", comment: bad }), "comment");
      });

      it(`refuses a ${label} in a key no schema names, anywhere in the body`, async () => {
        expectRefused(await call("POST", "/v1/beneficiaries", { firstName: "Marie", lastName: "Durand", birthDate: "1979-04-02", [bad]: 1 }));
        expectRefused(await call("PUT", `/v1/beneficiaries/${h.id}/lease`, { landlord: { name: "OPH", iban: "FR1420041010050500013M02606", [bad]: "x" } }));
      });
    }

    it("refuses a NUL in a search and in a cursor (forged or not)", async () => {
      expectRefused(await call("GET", `/v1/beneficiaries?q=${encodeURIComponent(NUL)}`), "q");
      expectRefused(await call("GET", `/v1/beneficiaries?cursor=${encodeURIComponent(NUL)}`), "cursor");
      const forged = Buffer.from(JSON.stringify(["a\u0000", "b", "00000000-0000-4000-8000-000000000000"])).toString("base64url");
      expectRefused(await call("GET", `/v1/beneficiaries?cursor=${forged}`), "cursor");
      expectRefused(await call("GET", `/v1/beneficiaries/${h.id}/transactions?cursor=%00`), "cursor");
    });

    it("keeps line breaks in a comment, refuses other control characters", async () => {
      const review = await call("POST", `/v1/measures/${h.measureId}/reviews`, {
        date: "2026-03-02",
        author: "Camille",
        outcome: "continue",
        comment: "ligne 1\nligne 2",
      });
      expect(review.status, review.text).toBe(201);
      expectRefused(await call("POST", `/v1/measures/${h.measureId}/reviews`, { date: "2026-03-02", author: "Camille\tM", outcome: "continue" }), "author");
      expectRefused(
        await call("POST", `/v1/measures/${h.measureId}/reviews`, { date: "2026-03-02", author: "Camille", outcome: "continue", comment: "bip\u0007" }),
        "comment",
      );
    });
  });

  describe("dates PostgreSQL would refuse, or no person needs", () => {
    it.each(["0000-01-01", "9999-12-31", "1899-12-31", "2101-01-01"])("refuses %s everywhere a date is taken", async (date) => {
      expectRefused(await call("GET", `/v1/beneficiaries/${h.id}/rent-periods?asOf=${date}`), "asOf");
      expectRefused(await call("GET", `/v1/ledger/trial-balance?asOf=${date}`), "asOf");
      expectRefused(await call("GET", `/v1/prestations?asOf=${date}`), "asOf");
      expectRefused(await call("GET", `/v1/payment-orders?businessDate=${date}`), "businessDate");
      expectRefused(await call("POST", "/v1/beneficiaries", { firstName: "Marie", lastName: "Durand", birthDate: date }), "birthDate");
      expectRefused(await call("POST", `/v1/measures/${h.measureId}/reviews`, { date, author: "Camille", outcome: "continue" }), "date");
      expectRefused(
        await call(
          "POST",
          "/v1/credits",
          { beneficiaryId: h.id, payer: "CAF", prestation: "RSA", amount: 100, valueDate: date },
          {
            ...admin,
            "Idempotency-Key": `k-${randomBytes(4).toString("hex")}`,
          },
        ),
        "valueDate",
      );
      expectRefused(await call("POST", "/v1/jobs/rent-payments/runs", { asOf: date }), "asOf");
    });

    it("takes the first and last days of the range", async () => {
      expect((await call("GET", `/v1/beneficiaries/${h.id}/rent-periods?asOf=2100-12-31`)).status).toBe(200);
      expect((await call("GET", "/v1/ledger/trial-balance?asOf=1900-01-01")).status).toBe(200);
      // Before the first catalogue: a 404, documented, not a 5xx.
      expect((await call("GET", "/v1/prestations?asOf=1900-01-01")).status).toBe(404);
    });
  });

  it("answers a PATCH with no body and no content type with a 422", async () => {
    for (const path of [`/v1/beneficiaries/${h.id}`, `/v1/beneficiaries/${h.id}/charges/${h.charges[0]}`]) {
      const res = await app.request(path, { method: "PATCH", headers: admin });
      expect(res.status, path).toBe(422);
      expect(((await res.json()) as any).error.code).toBe("validation_failed");
    }
  });

  it("answers malformed JSON with a 400 and the wrong content type with a 415, both in the contract's shape", async () => {
    const malformed = await app.request("/v1/beneficiaries", {
      method: "POST",
      headers: { ...admin, "Content-Type": "application/json" },
      body: '{"firstName":',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as any).error.code).toBe("malformed_request");
    const text = await app.request("/v1/beneficiaries", { method: "POST", headers: { ...admin, "Content-Type": "text/plain" }, body: "{}" });
    expect(text.status).toBe(415);
    expect(((await text.json()) as any).error).toHaveProperty("code");
  });

  describe("the UI forms, in French", () => {
    let session: Awaited<ReturnType<typeof uiSession>>;
    beforeAll(async () => {
      await staffUser(db.db, "edge.admin@asso.example", "admin", "Alex Admin");
      session = await uiSession(app, "edge.admin@asso.example");
    });

    it("refuses control characters and malformed text in a name, a label and a reference", async () => {
      const person = await session.post("/beneficiaires/nouveau", { firstName: NUL, lastName: "Durand", birthDate: "02/04/1979" });
      expect(person.status).toBe(422);
      expect(person.html).toContain("caractères de contrôle interdits");
      const charge = await session.post(`/beneficiaires/${h.id}/charges/nouvelle`, {
        label: "EDF\u0000",
        category: "energy",
        amount: "60,00",
        dueDay: "15",
        priority: "1",
        "creditor.name": "EDF",
        "creditor.iban": "FR7630006000011234567890189",
      });
      expect(charge.status).toBe(422);
      expect(charge.html).toContain("caractères de contrôle interdits");
      const credit = await session.post("/versements/apercu", {
        beneficiaryId: h.id,
        payer: "CAF",
        prestation: "RSA",
        amount: "10,00",
        valueDate: "03/02/2026",
        reference: "réf\u0000",
      });
      expect(credit.status).toBe(422);
      expect(credit.html).toContain("caractères de contrôle interdits");
    });

    it("refuses a birth date or a value date out of 1900–2100", async () => {
      const person = await session.post("/beneficiaires/nouveau", { firstName: "Marie", lastName: "Durand", birthDate: "01/01/0000" });
      expect(person.status).toBe(422);
      expect(person.html).toContain("date hors limites : entre 1900 et 2100");
      const credit = await session.post("/versements/apercu", {
        beneficiaryId: h.id,
        payer: "CAF",
        prestation: "RSA",
        amount: "10,00",
        valueDate: "31/12/9999",
      });
      expect(credit.status).toBe(422);
      expect(credit.html).toContain("date hors limites : entre 1900 et 2100");
      const job = await session.post("/traitements", { job: "rent-payments", asOf: "01/01/0000" });
      expect(job.status).not.toBe(500);
    });

    it("answers a login with a NUL in the address as a wrong one", async () => {
      const res = await app.request("/connexion", { method: "POST", body: new URLSearchParams({ email: "edge.admin@asso.example\u0000", password: "x" }) });
      expect(res.status).toBe(401);
      expect(await res.text()).toContain("E-mail ou mot de passe incorrect.");
    });

    it("answers a search with a NUL in French, not with an error page", async () => {
      const list = await session.get(`/beneficiaires?q=${encodeURIComponent(NUL)}`);
      expect(list.status).toBe(200);
      expect(list.html).toContain("Recherche refusée : caractères de contrôle interdits");
      const forged = await session.get("/beneficiaires?cursor=%00");
      expect(forged.status).toBe(200);
      expect(forged.html).toContain("Recherche refusée");
      const credits = await session.get(`/versements/nouveau?q=${encodeURIComponent(NUL)}`);
      expect(credits.status).toBe(200);
      expect(credits.html).toContain("Recherche refusée");
    });
  });
});
