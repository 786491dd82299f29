import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiCaller, bearer, createTestApp, type Headers, type TestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { BENEFICIARY_IBAN, chargeBody, expectLedgerSound, householdMaker, LANDLORD } from "../support/household";

const TODAY = "2026-02-02";
const NEW_IBAN = "DE89370400440532013000";

/**
 * One-off payments (issue 13): `POST /v1/beneficiaries/{id}/payments` writes one
 * `one_off` order and its posting (envelope → payments in transit) in one transaction,
 * never more than the envelope holds, idempotent under its key, and under four eyes above
 * the threshold or to an IBAN not yet approved for the beneficiary.
 */
describe("one-off payments", () => {
  let database: TestDatabase;
  let app: TestApp;
  let admin: Headers;
  let finance: Headers;
  let finance2: Headers;

  const call = apiCaller(
    () => app,
    () => admin,
  );
  const household = householdMaker(call, { managed: ["RSA"], iban: BENEFICIARY_IBAN });

  beforeAll(async () => {
    database = await createTestDatabase();
    app = createTestApp(database.db, { today: () => TODAY });
    admin = await bearer(database.db, "admin");
    finance = await bearer(database.db, "finance");
    finance2 = await bearer(database.db, "finance");
  });
  afterAll(async () => database?.dispose());

  async function credit(beneficiaryId: string, amount: number) {
    const res = await call(
      "POST",
      "/v1/credits",
      { beneficiaryId, payer: "CAF", prestation: "RSA", amount, valueDate: "2026-02-01", reference: null },
      { ...finance, "Idempotency-Key": randomUUID() },
    );
    expect(res.status, res.text).toBe(201);
  }

  const pay = (beneficiaryId: string, body: Record<string, unknown>, key: string = randomUUID(), headers: Headers = finance) =>
    call("POST", `/v1/beneficiaries/${beneficiaryId}/payments`, body, { ...headers, "Idempotency-Key": key });

  const invoice = (overrides: Record<string, unknown> = {}) => ({
    envelope: "available",
    amount: 12000,
    method: "transfer",
    reason: "Facture lunettes 2026-118",
    executionDate: "2026-02-04",
    ...overrides,
  });

  const balances = async (id: string) => (await call("GET", `/v1/beneficiaries/${id}/balances`)).body;
  const orders = async (id: string) => (await call("GET", `/v1/payment-orders?beneficiaryId=${id}&kind=one_off`, undefined, finance)).body.items;

  /** Everything the credit gave is available: no lease, no charge. */
  async function withAvailable(amount: number, setup: Parameters<typeof household>[0] = {}) {
    const b = await household({ lease: null, ...setup });
    await credit(b.id, amount);
    return b;
  }

  it("pays the beneficiary from an envelope: one pending one_off order to their IBAN, the envelope debited, the answer replayed under the same key", async () => {
    const b = await withAvailable(30000);
    const key = randomUUID();
    const res = await pay(b.id, invoice(), key);
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      beneficiaryId: b.id,
      kind: "one_off",
      method: "transfer",
      amount: 12000,
      creditorName: `Marie ${b.lastName}`,
      creditorIban: BENEFICIARY_IBAN,
      businessDate: "2026-02-04",
      status: "pending",
      reason: "Facture lunettes 2026-118",
    });
    expect((await balances(b.id)).available).toBe(18000);

    const again = await pay(b.id, invoice(), key);
    expect(again.status).toBe(201);
    expect(again.text).toBe(res.text);
    expect(again.replayed).toBe("true");
    const other = await pay(b.id, invoice({ amount: 100 }), key);
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe("idempotency_conflict");
    expect(await orders(b.id)).toHaveLength(1);
    expect((await balances(b.id)).available).toBe(18000);

    const tx = await call("GET", `/v1/beneficiaries/${b.id}/transactions`);
    expect(tx.body.items[0]).toMatchObject({
      kind: "payment.one_off",
      postings: expect.arrayContaining([
        { account: `beneficiary:${b.id}:available`, direction: "debit", amount: 12000 },
        { account: "payments:in-transit", direction: "credit", amount: 12000 },
      ]),
    });
    await expectLedgerSound(call, finance);
  });

  it("never pays more than the envelope holds: 409 naming what it holds, nothing written", async () => {
    const b = await withAvailable(10000);
    const res = await pay(b.id, invoice({ amount: 10001 }));
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: "insufficient_funds", details: { envelope: "available", held: 10000, amount: 10001 } });
    const care = await pay(b.id, invoice({ envelope: "care", amount: 1 }));
    expect(care.status).toBe(409);
    expect(care.body.error.details).toMatchObject({ envelope: "care", held: 0 });
    expect(await orders(b.id)).toHaveLength(0);
    expect((await balances(b.id)).available).toBe(10000);
  });

  it("pays a charge's creditor from the charge envelope (its chargeId required, and the beneficiary's own)", async () => {
    // From February: no January arrears for the credit to fill (rule 8 of issue 15).
    const b = await household({ lease: null, charges: [chargeBody({ amount: 6000, dueDay: 28, startDate: "2026-02-01" })] });
    await credit(b.id, 20000);
    const chargeId = b.charges[0]!;
    expect((await pay(b.id, invoice({ envelope: "charge", amount: 1000 }))).status).toBe(422);
    expect((await pay(b.id, invoice({ envelope: "available", chargeId, amount: 1000 }))).status).toBe(422);
    expect((await pay(b.id, invoice({ envelope: "charge", chargeId: randomUUID(), amount: 1000 }))).status).toBe(404);
    const res = await pay(b.id, invoice({ envelope: "charge", chargeId, amount: 6000, creditor: { name: "EDF", iban: chargeBody().creditor.iban } }));
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ chargeId, creditorName: "EDF", amount: 6000 });
    expect((await balances(b.id)).byCharge).toEqual([{ chargeId, balance: 0 }]);
  });

  it("cash and cheque need no IBAN; a transfer does (422 without one)", async () => {
    const b = await withAvailable(30000, { iban: null });
    const transfer = await pay(b.id, invoice());
    expect(transfer.status).toBe(422);
    expect(transfer.body.error.details).toEqual([expect.objectContaining({ field: "creditor", code: "no_iban" })]);
    expect((await pay(b.id, invoice({ creditor: { name: "Optique Martin" } }))).status).toBe(422);
    expect((await pay(b.id, invoice({ method: "cash", creditor: { name: "Optique", iban: NEW_IBAN } }))).status).toBe(422);
    const cash = await pay(b.id, invoice({ method: "cash" }));
    expect(cash.status, cash.text).toBe(201);
    expect(cash.body).toMatchObject({ method: "cash", creditorIban: null, status: "pending" });
    const cheque = await pay(b.id, invoice({ method: "cheque", creditor: { name: "Optique Martin", address: { town: "Laval", country: "fr" } } }));
    expect(cheque.status, cheque.text).toBe(201);
    expect(cheque.body).toMatchObject({ method: "cheque", creditorName: "Optique Martin", creditorIban: null });
  });

  it("refuses a past execution date, an unknown beneficiary, a bad IBAN, a caseworker or a manager", async () => {
    const b = await withAvailable(20000);
    expect((await pay(b.id, invoice({ executionDate: "2026-02-01" }))).status).toBe(422);
    expect((await pay(randomUUID(), invoice())).status).toBe(404);
    expect((await pay(b.id, invoice({ creditor: { name: "X", iban: "FR7630006000011234567890188" } }))).status).toBe(422);
    expect((await pay(b.id, { ...invoice(), extra: 1 })).status).toBe(422);
    const noKey = await call("POST", `/v1/beneficiaries/${b.id}/payments`, invoice(), finance);
    expect(noKey.status).toBe(422);
    expect((await pay(b.id, invoice(), randomUUID(), await bearer(database.db, "caseworker"))).status).toBe(403);
    expect((await pay(b.id, invoice(), randomUUID(), await bearer(database.db, "manager"))).status).toBe(403);
    expect((await balances(b.id)).available).toBe(20000);
  });

  describe("four eyes", () => {
    it("above the threshold: 202, nothing paid until someone else approves; the approval answers the order", async () => {
      const b = await withAvailable(80000);
      const res = await pay(b.id, invoice({ amount: 50001 }));
      expect(res.status, res.text).toBe(202);
      expect(res.body).toEqual({ proposalId: expect.any(String), status: "pending_approval" });
      expect(await orders(b.id)).toHaveLength(0);
      expect((await balances(b.id)).available).toBe(80000);

      const listed = await call("GET", `/v1/proposals/${res.body.proposalId}`, undefined, finance2);
      expect(listed.body).toMatchObject({ kind: "payment.one_off", summary: { amount: 50001, needs: ["above_threshold"] } });
      expect((await call("POST", `/v1/proposals/${res.body.proposalId}/approval`, { comment: "ok" }, finance)).status).toBe(403);
      const approved = await call("POST", `/v1/proposals/${res.body.proposalId}/approval`, { comment: "facture vue" }, finance2);
      expect(approved.status, approved.text).toBe(201);
      expect(approved.body).toMatchObject({ kind: "one_off", amount: 50001, status: "pending" });
      expect((await balances(b.id)).available).toBe(80000 - 50001);
      expect((await pay(b.id, invoice({ amount: 29999 }))).status).toBe(201);
    });

    it("at the threshold applies at once; a proposal is checked as if applied (409 over the envelope, nothing proposed)", async () => {
      const b = await withAvailable(40000);
      expect((await pay(b.id, invoice({ amount: 60000 }))).status).toBe(409);
      const pending = await call("GET", `/v1/proposals?status=pending&beneficiaryId=${b.id}`, undefined, finance);
      expect(pending.body.items).toHaveLength(0);
    });

    it("to an IBAN not yet approved for the beneficiary: 202; the landlord's IBAN, or one approved once, applies at once", async () => {
      const b = await household({ lease: { landlord: LANDLORD, rent: 10000, charges: 0, housingBenefitToLandlord: 0, dueDay: 28, startDate: "2026-01-01" } });
      await credit(b.id, 80000);
      const toLandlord = await pay(b.id, invoice({ amount: 1000, creditor: { name: LANDLORD.name, iban: LANDLORD.iban } }));
      expect(toLandlord.status, toLandlord.text).toBe(201);

      const optician = { name: "Optique Martin", iban: NEW_IBAN, address: { street: "3 rue du Pont", postalCode: "53000", town: "Laval", country: "FR" } };
      const res = await pay(b.id, invoice({ amount: 1000, creditor: optician }));
      expect(res.status, res.text).toBe(202);
      const proposal = await call("GET", `/v1/proposals/${res.body.proposalId}`, undefined, finance2);
      expect(proposal.body.summary).toMatchObject({ needs: ["new_iban"], creditor: "Optique Martin" });
      expect(JSON.stringify(proposal.body)).not.toContain(NEW_IBAN);
      const approved = await call("POST", `/v1/proposals/${res.body.proposalId}/approval`, {}, finance2);
      expect(approved.status, approved.text).toBe(201);
      expect(approved.body).toMatchObject({ creditorIban: NEW_IBAN, creditorName: "Optique Martin" });

      const next = await pay(b.id, invoice({ amount: 2000, creditor: optician }));
      expect(next.status, next.text).toBe(201);
    });
  });

  describe("races", () => {
    it("two requests with the same key at once: one order, both answered with it", async () => {
      const b = await withAvailable(30000);
      const key = randomUUID();
      const [one, two] = await Promise.all([pay(b.id, invoice(), key), pay(b.id, invoice(), key)]);
      expect([one.status, two.status]).toEqual([201, 201]);
      expect(one.body.id).toBe(two.body.id);
      expect(await orders(b.id)).toHaveLength(1);
      expect((await balances(b.id)).available).toBe(18000);
    });

    it("two keys racing on an envelope that holds one payment: one 201, one 409", async () => {
      const b = await withAvailable(15000);
      const results = await Promise.all([pay(b.id, invoice()), pay(b.id, invoice())]);
      expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
      expect(await orders(b.id)).toHaveLength(1);
      expect((await balances(b.id)).available).toBe(3000);
      await expectLedgerSound(call, finance);
    });
  });

  it("a transfer one-off goes into the next remise with its reason; cash and cheques never do", async () => {
    const account = await call("POST", "/v1/bank-accounts", {
      name: "Compte séquestre",
      iban: "FR7630004000031234567890143",
      kind: "pooled",
      painVersion: "pain.001.001.09",
      batchBooking: true,
    });
    expect(account.status, account.text).toBe(201);
    const b = await withAvailable(30000);
    const transfer = await pay(b.id, invoice({ amount: 1000, executionDate: TODAY }));
    const cash = await pay(b.id, invoice({ amount: 1000, method: "cash", executionDate: TODAY }));
    expect([transfer.status, cash.status]).toEqual([201, 201]);
    const batch = await call("POST", "/v1/payment-batches", { executionDate: "2026-02-03" }, finance);
    expect(batch.status, batch.text).toBe(201);
    const byId = async (id: string) => (await orders(b.id)).find((o: { id: string }) => o.id === id);
    expect((await byId(transfer.body.id)).status).toBe("batched");
    expect((await byId(cash.body.id)).status).toBe("pending");
    const file = await app.request(`/v1/payment-batches/${batch.body.id}/pain001`, { headers: finance });
    const xml = await file.text();
    expect(xml).toContain("PAIEMENT");
    expect(xml).toContain("Facture lunettes 2026-118");
  });
});
