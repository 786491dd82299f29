import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/sql";
import { apiCaller, bearer, createTestApp, type Headers, type TestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { approvedBy } from "../support/four-eyes";
import { chargeBody, EDF, expectLedgerSound, householdMaker } from "../support/household";

/**
 * Corrections: the reversal of a credit (POST /v1/transactions/{id}/reversal) and the
 * recovery of an overpayment (indu) out of the envelopes. Neither ever takes an
 * envelope below zero. Both are proposed (four eyes) and approved here by a manager:
 * `proposeAndApprove` answers with the verb's own answer (test/api/four-eyes.test.ts
 * covers the proposals themselves).
 */

const TODAY = "2026-11-23";
const PAYER_IBAN = "FR7610011000201234567890188";

describe("corrections API", () => {
  let database: TestDatabase;
  let app: TestApp;
  let admin: Headers;
  let finance: Headers;
  let caseworker: Headers;
  let manager: Headers;

  const call = apiCaller(
    () => app,
    () => admin,
  );

  const proposeAndApprove = approvedBy(call, () => manager);

  /** A MASP2 beneficiary (RSA, AAH, APA) with a lease of 45000 + 5000 (due on the 5th) and the given charges. */
  const household = householdMaker(call, { managed: ["RSA", "AAH", "APA"] });

  async function credit(beneficiaryId: string, amount: number, prestation = "RSA", valueDate = "2026-01-03") {
    const res = await call(
      "POST",
      "/v1/credits",
      { beneficiaryId, payer: prestation === "APA" ? "CD53" : "CAF", prestation, amount, valueDate, reference: null },
      { ...finance, "Idempotency-Key": randomUUID() },
    );
    expect(res.status, res.text).toBe(201);
    return res.body;
  }

  const reversal = (transactionId: string, body: unknown = { reason: "doublon du fichier CAF" }, headers: Headers = finance) =>
    proposeAndApprove("POST", `/v1/transactions/${transactionId}/reversal`, body, headers);

  const recover = (beneficiaryId: string, body: Record<string, unknown> | string, key: string | null = randomUUID(), headers: Headers = finance) =>
    proposeAndApprove("POST", `/v1/beneficiaries/${beneficiaryId}/overpayment-recoveries`, body, {
      ...headers,
      ...(key === null ? {} : { "Idempotency-Key": key }),
    });

  const indu = (amount: unknown, overrides: Record<string, unknown> = {}) => ({
    amount,
    payer: "CAF",
    prestation: "RSA",
    valueDate: "2026-02-05",
    reference: "indu RSA 01/2026",
    ...overrides,
  });

  const balances = async (beneficiaryId: string) => {
    const res = await call("GET", `/v1/beneficiaries/${beneficiaryId}/balances`);
    expect(res.status).toBe(200);
    return res.body;
  };

  async function count(beneficiaryId: string, kind: string): Promise<number> {
    const [row] = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from ledger_transactions where beneficiary_id = ${beneficiaryId}::uuid and kind = ${kind}`,
    );
    return Number(row!.n);
  }

  const address = (beneficiaryId: string, envelope: string, chargeId?: string) => `beneficiary:${beneficiaryId}:${envelope}${chargeId ? `:${chargeId}` : ""}`;

  beforeAll(async () => {
    database = await createTestDatabase({ poolMax: 20 });
    app = createTestApp(database.db, { today: () => TODAY });
    [admin, finance, caseworker, manager] = await Promise.all([
      bearer(database.db, "admin"),
      bearer(database.db, "finance"),
      bearer(database.db, "caseworker"),
      bearer(database.db, "manager"),
    ]);
    // A recovery is a transfer back to the payer: the payers need an IBAN.
    for (const [code, name] of [
      ["CAF/MSA", "CAF de la Mayenne"],
      ["Département", "Conseil départemental de la Mayenne"],
    ]) {
      const res = await call("PUT", `/v1/payers/${encodeURIComponent(code!)}`, { name, iban: PAYER_IBAN, address: { town: "Laval", country: "FR" } });
      expect(res.status, res.text).toBe(200);
    }
  });
  afterAll(async () => {
    await database?.dispose();
  });

  describe("POST /v1/transactions/{id}/reversal", () => {
    it("reverses a credit: the mirror transaction, every envelope back to zero, the ledger balanced", async () => {
      const h = await household({ charges: [chargeBody()] });
      const [edf] = h.charges as [string];
      const c = await credit(h.id, 60775);
      expect(await balances(h.id)).toMatchObject({ rent: 50000, charges: 6000, available: 4775, total: 60775 });

      const res = await reversal(c.transactionId);
      expect(res.status, res.text).toBe(201);
      expect(res.body).toEqual({ reversalId: expect.stringMatching(/^[0-9a-f-]{36}$/), reversesId: c.transactionId, replayed: false });
      expect(await balances(h.id)).toEqual({
        beneficiaryId: h.id,
        rent: 0,
        charges: 0,
        available: 0,
        care: 0,
        living: 0,
        total: 0,
        byCharge: [{ chargeId: edf, balance: 0 }],
      });

      const txns = (await call("GET", `/v1/beneficiaries/${h.id}/transactions`)).body.items;
      expect(txns.map((t: any) => t.kind)).toEqual(["reversal", "credit"]);
      const [r] = txns;
      expect(r).toMatchObject({ id: res.body.reversalId, reversesId: c.transactionId, valueDate: TODAY });
      expect(r.postings).toHaveLength(4);
      expect(r.postings).toEqual(
        expect.arrayContaining([
          { account: "bank:main", direction: "credit", amount: 60775 },
          { account: address(h.id, "rent"), direction: "debit", amount: 50000 },
          { account: address(h.id, "charge", edf), direction: "debit", amount: 6000 },
          { account: address(h.id, "available"), direction: "debit", amount: 4775 },
        ]),
      );
      await expectLedgerSound(call, finance);
    });

    it("takes the business date it is given", async () => {
      const h = await household();
      const c = await credit(h.id, 1000);
      const res = await reversal(c.transactionId, { reason: "erreur de saisie", valueDate: "2026-01-10" });
      expect(res.status).toBe(201);
      const [r] = (await call("GET", `/v1/beneficiaries/${h.id}/transactions?limit=1`)).body.items;
      expect(r).toMatchObject({ id: res.body.reversalId, valueDate: "2026-01-10" });
      expect((await reversal(c.transactionId, { reason: "x", valueDate: "2026-02-30" })).status).toBe(422);
    });

    it("asking again answers the same reversal (replayed); a reversal itself is not reversed (409)", async () => {
      const h = await household();
      const c = await credit(h.id, 60000);
      const first = await reversal(c.transactionId);
      expect(first.status).toBe(201);
      const again = await reversal(c.transactionId, { reason: "une deuxième fois" });
      expect(again.status).toBe(201);
      expect(again.body).toEqual({ reversalId: first.body.reversalId, reversesId: c.transactionId, replayed: true });
      const back = await reversal(first.body.reversalId);
      expect(back.status).toBe(409);
      expect(back.body.error.code).toBe("not_reversible");
      expect(await count(h.id, "reversal")).toBe(1);
      expect((await balances(h.id)).total).toBe(0);
    });

    it("refuses a missing or too short reason (422), malformed JSON (400), a caseworker (403), an unknown id (404)", async () => {
      const h = await household();
      const c = await credit(h.id, 1000);
      const missing = await reversal(c.transactionId, {});
      expect(missing.status).toBe(422);
      expect(missing.body.error.details.map((d: any) => d.field)).toEqual(["reason"]);
      expect((await reversal(c.transactionId, { reason: "  " })).status).toBe(422);
      expect((await reversal(c.transactionId, { reason: "ab" })).status).toBe(422);
      expect((await reversal(c.transactionId, "{reason")).status).toBe(400);
      const forbidden = await reversal(c.transactionId, undefined, caseworker);
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.error.code).toBe("forbidden");
      expect((await reversal(c.transactionId, undefined, {})).status).toBe(401);
      const unknown = await reversal(randomUUID());
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe("not_found");
      expect((await reversal("not-a-uuid")).status).toBe(404);
      expect(await count(h.id, "reversal")).toBe(0);
      expect((await balances(h.id)).total).toBe(1000);
      // Admin may.
      expect((await reversal(c.transactionId, undefined, admin)).status).toBe(201);
    });

    it("money already moved out of an envelope: 409 funds_already_paid_out naming the envelopes, nothing posted", async () => {
      const h = await household({ charges: [chargeBody()] });
      const [edf] = h.charges as [string];
      const c = await credit(h.id, 60775);
      // The indu takes the available part and 3225 of EDF's.
      const rec = await recover(h.id, indu(8000));
      expect(rec.status, rec.text).toBe(201);
      expect(await balances(h.id)).toMatchObject({ rent: 50000, charges: 2775, available: 0, total: 52775 });

      const res = await reversal(c.transactionId);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe("funds_already_paid_out");
      expect(res.body.error.details.envelopes).toHaveLength(2);
      expect(res.body.error.details.envelopes).toEqual(
        expect.arrayContaining([
          { account: address(h.id, "available"), needed: 4775, held: 0 },
          { account: address(h.id, "charge", edf), needed: 6000, held: 2775 },
        ]),
      );
      expect(await count(h.id, "reversal")).toBe(0);
      expect(await balances(h.id)).toMatchObject({ rent: 50000, charges: 2775, available: 0, total: 52775 });

      // Undo the recovery (a reversible correction too): its transfer is cancelled (the money
      // back in available), then the recovery reversed: the money is back where it was.
      const refused = await reversal(rec.body.transactionId, { reason: "indu annulé par la CAF" });
      expect(refused.status).toBe(409);
      const cancelled = await call("POST", `/v1/payment-orders/${rec.body.paymentOrderId}/cancellation`, { reason: "indu annulé par la CAF" }, finance);
      expect(cancelled.status, cancelled.text).toBe(200);
      const undo = await reversal(rec.body.transactionId, { reason: "indu annulé par la CAF" });
      expect(undo.status, undo.text).toBe(201);
      expect(await balances(h.id)).toMatchObject({ rent: 50000, charges: 6000, available: 4775, total: 60775 });
      const ok = await reversal(c.transactionId);
      expect(ok.status, ok.text).toBe(201);
      expect(await balances(h.id)).toMatchObject({ rent: 0, charges: 0, available: 0, care: 0, total: 0 });
      await expectLedgerSound(call, finance);
    });

    it("5 parallel reversals of one credit: one reversal transaction, the same answer for all", async () => {
      const h = await household({ charges: [chargeBody()] });
      const c = await credit(h.id, 60775);
      const results = await Promise.all(Array.from({ length: 5 }, (_, i) => reversal(c.transactionId, { reason: `correction ${i}` })));
      expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
      const ids = new Set(results.map((r) => r.body.reversalId));
      expect(ids.size).toBe(1);
      expect(results.filter((r) => r.body.replayed === false)).toHaveLength(1);
      const rows = await queryRows<{ id: string }>(database.db, sql`select id from ledger_transactions where reverses_id = ${c.transactionId}::uuid`);
      expect(rows.map((r) => r.id)).toEqual([...ids]);
      expect(await count(h.id, "reversal")).toBe(1);
      expect(await balances(h.id)).toMatchObject({ rent: 0, charges: 0, available: 0, total: 0 });
      await expectLedgerSound(call, finance);
    });
  });

  describe("POST /v1/beneficiaries/{id}/overpayment-recoveries", () => {
    it("rule 9: an RSA indu takes available, then the charges from the highest priority number, never care nor rent; housing aid from rent, care from care", async () => {
      const h = await household({
        charges: [
          chargeBody(), // EDF, priority 1, 6000
          chargeBody({ label: "Plan d'apurement", category: "debt_plan", amount: 4000, priority: 5, creditor: { name: "Trésor public", iban: EDF.iban } }),
          chargeBody({ label: "MAIF", category: "insurance", amount: 3000, priority: 2, creditor: { name: "MAIF", iban: EDF.iban } }),
        ],
      });
      const [edf, debt, maif] = h.charges as [string, string, string];
      await credit(h.id, 70000); // rent 50000, EDF 6000, MAIF 3000, debt 4000, available 7000
      await credit(h.id, 8000, "APA"); // care 8000 (no care charge)
      expect(await balances(h.id)).toMatchObject({ rent: 50000, charges: 13000, care: 8000, available: 7000, total: 78000 });

      const taken = async (amount: number, overrides: Record<string, unknown> = {}) => {
        const res = await recover(h.id, indu(amount, overrides));
        expect(res.status, res.text).toBe(201);
        expect(res.body).toMatchObject({ transactionId: expect.any(String), beneficiaryId: h.id, amount, paymentOrderId: expect.any(String) });
        expect(res.body.takenFrom.reduce((s: number, t: any) => s + t.amount, 0)).toBe(amount);
        return res.body.takenFrom;
      };
      expect(await taken(5000)).toEqual([{ account: address(h.id, "available"), amount: 5000 }]);
      expect(await taken(7000)).toEqual([
        { account: address(h.id, "available"), amount: 2000 },
        { account: address(h.id, "charge", debt), amount: 4000 },
        { account: address(h.id, "charge", maif), amount: 1000 },
      ]);
      // The RSA indu may use 8000 (MAIF 2000, EDF 6000): one cent more is refused, though rent and care hold 58000.
      const before = await count(h.id, "overpayment_recovery");
      const tooMuch = await recover(h.id, indu(8001));
      expect(tooMuch.status).toBe(409);
      expect(tooMuch.body.error.code).toBe("insufficient_funds");
      expect(tooMuch.body.error.details).toMatchObject({ held: 8000, amount: 8001, earmarked: null });
      expect(await count(h.id, "overpayment_recovery")).toBe(before);
      expect(await taken(8000)).toEqual([
        { account: address(h.id, "charge", maif), amount: 2000 },
        { account: address(h.id, "charge", edf), amount: 6000 },
      ]);
      expect(await balances(h.id)).toMatchObject({ rent: 50000, charges: 0, care: 8000, available: 0, total: 58000 });

      // An indu of APA (care) comes from care, never from the rent; one of housing aid from the rent.
      expect((await recover(h.id, indu(8001, { payer: "Département", prestation: "APA" }))).status).toBe(409);
      expect(await taken(8000, { payer: "Département", prestation: "APA" })).toEqual([{ account: address(h.id, "care"), amount: 8000 }]);
      expect(await taken(1000, { prestation: "ALS" })).toEqual([{ account: address(h.id, "rent"), amount: 1000 }]);
      expect(await balances(h.id)).toMatchObject({ rent: 49000, charges: 0, care: 0, available: 0, total: 49000 });

      // The ledger: the envelopes debited into available, then a return_to_payer order out of it.
      const [order, rec] = (await call("GET", `/v1/beneficiaries/${h.id}/transactions?limit=2`)).body.items;
      expect(rec.kind).toBe("overpayment_recovery");
      expect(rec.postings).toHaveLength(2);
      expect(rec.postings).toEqual(
        expect.arrayContaining([
          { account: address(h.id, "rent"), direction: "debit", amount: 1000 },
          { account: address(h.id, "available"), direction: "credit", amount: 1000 },
        ]),
      );
      expect(order.kind).toBe("payment.return_to_payer");
      expect(order.postings).toEqual(
        expect.arrayContaining([
          { account: address(h.id, "available"), direction: "debit", amount: 1000 },
          { account: "payments:in-transit", direction: "credit", amount: 1000 },
        ]),
      );
      const orders = (await call("GET", `/v1/payment-orders?beneficiaryId=${h.id}&kind=return_to_payer`)).body.items;
      expect(orders).toHaveLength(5);
      expect(orders.map((o: any) => o.amount).sort((a: number, b: number) => a - b)).toEqual([1000, 5000, 7000, 8000, 8000]);
      for (const o of orders) expect(o).toMatchObject({ kind: "return_to_payer", method: "transfer", creditorIban: PAYER_IBAN, status: "pending" });
      expect(orders.find((o: any) => o.amount === 1000)).toMatchObject({ creditorName: "CAF de la Mayenne", reason: "indu RSA 01/2026" });
      expect(orders.filter((o: any) => o.creditorName === "Conseil départemental de la Mayenne")).toHaveLength(1);

      expect(await taken(49000, { prestation: "APL" })).toEqual([{ account: address(h.id, "rent"), amount: 49000 }]);
      expect(await balances(h.id)).toMatchObject({ rent: 0, charges: 0, care: 0, available: 0, total: 0 });
      expect((await recover(h.id, indu(1, { prestation: "APL" }))).status).toBe(409);
      await expectLedgerSound(call, finance);
    });

    it("a payer without an IBAN or unknown: 422 naming `payer`, nothing posted", async () => {
      const h = await household();
      await credit(h.id, 60000);
      const noIban = await recover(h.id, indu(100, { payer: "CARSAT/MSA/SASPA", prestation: "ASPA" }));
      expect(noIban.status, noIban.text).toBe(422);
      expect(noIban.body.error.details).toEqual([expect.objectContaining({ field: "payer", code: "payer_without_iban" })]);
      const unknown = await recover(h.id, indu(100, { payer: "BANQUE" }));
      expect(unknown.status).toBe(422);
      expect(unknown.body.error.details).toEqual([expect.objectContaining({ field: "payer", code: "unknown_payer" })]);
      expect(await count(h.id, "overpayment_recovery")).toBe(0);
    });

    it("more than all the envelopes hold: 409 insufficient_funds, nothing posted, the key not used up", async () => {
      const h = await household({ charges: [chargeBody()] });
      await credit(h.id, 60775);
      const key = randomUUID();
      const res = await recover(h.id, indu(60776, { prestation: "APL" }), key);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe("insufficient_funds");
      expect(await count(h.id, "overpayment_recovery")).toBe(0);
      expect(await balances(h.id)).toMatchObject({ rent: 50000, charges: 6000, available: 4775, total: 60775 });
      // Nothing was answered under the key: the corrected request goes through with it.
      const fixed = await recover(h.id, indu(60775, { prestation: "APL" }), key);
      expect(fixed.status, fixed.text).toBe(201);
      expect(fixed.replayed).toBeNull();
      expect(await balances(h.id)).toMatchObject({ rent: 0, charges: 0, available: 0, total: 0 });
    });

    it("same key and body replays the same answer; another body under the key: 409", async () => {
      const h = await household();
      await credit(h.id, 60000); // rent 50000, available 10000
      const key = `indu-${randomUUID()}`;
      const first = await recover(h.id, indu(3000), key);
      expect(first.status).toBe(201);
      expect(first.replayed).toBeNull();
      const again = await recover(h.id, indu(3000), key);
      expect(again.status).toBe(201);
      expect(again.text).toBe(first.text);
      expect(again.replayed).toBe("true");
      const other = await recover(h.id, indu(3001), key);
      expect(other.status).toBe(409);
      expect(other.body.error.code).toBe("idempotency_conflict");
      expect(await count(h.id, "overpayment_recovery")).toBe(1);
      expect(await balances(h.id)).toMatchObject({ available: 7000, total: 57000 });
    });

    it("validation (422), missing key (422), caseworker (403), unknown beneficiary (404)", async () => {
      const h = await household();
      await credit(h.id, 60000);
      for (const amount of [0, -1, 1.5, "100", 100_000_001, null]) {
        const res = await recover(h.id, indu(amount));
        expect(res.status, String(amount)).toBe(422);
        expect([...new Set(res.body.error.details.map((d: any) => d.field))]).toEqual(["amount"]);
      }
      expect((await recover(h.id, indu(100, { valueDate: "2026-02-30" }))).status).toBe(422);
      expect((await recover(h.id, indu(100, { payer: "" }))).status).toBe(422);
      const noKey = await recover(h.id, indu(100), null);
      expect(noKey.status).toBe(422);
      expect(noKey.body.error.details.map((d: any) => d.field)).toEqual(["idempotency-key"]);
      expect((await recover(h.id, indu(100), "k".repeat(201))).status).toBe(422);
      expect((await recover(h.id, "{amount")).status).toBe(400);
      expect((await recover(h.id, indu(100), randomUUID(), caseworker)).status).toBe(403);
      const unknown = await recover(randomUUID(), indu(100));
      expect(unknown.status).toBe(404);
      expect(await count(h.id, "overpayment_recovery")).toBe(0);
      expect((await balances(h.id)).total).toBe(60000);
    });

    it("parallel recoveries never take an envelope below zero", async () => {
      const h = await household({ lease: null });
      await credit(h.id, 5000); // no lease, no charge: all available
      const results = await Promise.all(Array.from({ length: 10 }, () => recover(h.id, indu(1000))));
      expect(results.filter((r) => r.status === 201)).toHaveLength(5);
      const refused = results.filter((r) => r.status !== 201);
      expect(refused.map((r) => r.status)).toEqual([409, 409, 409, 409, 409]);
      expect(refused.every((r) => r.body.error.code === "insufficient_funds")).toBe(true);
      expect(await count(h.id, "overpayment_recovery")).toBe(5);
      expect(await balances(h.id)).toMatchObject({ available: 0, total: 0 });

      // One key raced: one recovery.
      await credit(h.id, 5000);
      const key = randomUUID();
      const same = await Promise.all(Array.from({ length: 10 }, () => recover(h.id, indu(2000), key)));
      expect(same.map((r) => r.status)).toEqual(same.map(() => 201));
      expect(new Set(same.map((r) => r.body.transactionId)).size).toBe(1);
      expect(await count(h.id, "overpayment_recovery")).toBe(6);
      expect(await balances(h.id)).toMatchObject({ available: 3000, total: 3000 });
      await expectLedgerSound(call, finance);
    });
  });
});
