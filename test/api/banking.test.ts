import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPayments } from "../../src/services/payments/run-payments";
import { apiCaller, bearer, createTestApp, type Headers, type TestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { approvedBy } from "../support/four-eyes";
import { expectLedgerSound, householdMaker, LANDLORD, leaseBody } from "../support/household";

const TODAY = "2026-02-01";
const POOLED_IBAN = "FR7630004000031234567890143";
const OWN_IBAN = "FR7610107001011234567890129";

/**
 * Banking (issue 13): the bank accounts (the default pooled one is the former `bank:main`)
 * and the life of a payment order after the job wrote it — settled, rejected, returned,
 * cancelled — each one transaction with its postings, audit row and, for the bank's
 * refusals, a finance alert; 409 from the wrong state, one winner when two race.
 */
describe("banking API: bank accounts and the life of a payment order", () => {
  let database: TestDatabase;
  let app: TestApp;
  let admin: Headers;
  let finance: Headers;
  let manager: Headers;

  const call = apiCaller(
    () => app,
    () => admin,
  );
  const household = householdMaker(call, { managed: ["RSA", "AAH"] });

  beforeAll(async () => {
    database = await createTestDatabase();
    app = createTestApp(database.db, { today: () => TODAY });
    admin = await bearer(database.db, "admin");
    finance = await bearer(database.db, "finance");
    manager = await bearer(database.db, "manager");
  });
  afterAll(async () => database?.dispose());

  async function credit(beneficiaryId: string, amount: number, valueDate = "2026-01-03") {
    const res = await call(
      "POST",
      "/v1/credits",
      { beneficiaryId, payer: "CAF", prestation: "RSA", amount, valueDate, reference: null },
      { ...finance, "Idempotency-Key": randomUUID() },
    );
    expect(res.status, res.text).toBe(201);
  }

  /** A beneficiary whose January rent (50 000) is one pending order. */
  async function pendingRent(): Promise<{ beneficiaryId: string; orderId: string }> {
    const b = await household();
    await credit(b.id, 50000);
    await runPayments({ db: database.db, kind: "rent", asOf: "2026-01-05", actor: "test" });
    const orders = await call("GET", `/v1/payment-orders?beneficiaryId=${b.id}`, undefined, finance);
    expect(orders.body.items).toHaveLength(1);
    expect(orders.body.items[0]).toMatchObject({ status: "pending", amount: 50000 });
    return { beneficiaryId: b.id, orderId: orders.body.items[0].id };
  }

  /** Stands for the batch's `sent` step (branch `batches`). */
  const markSent = (orderId: string) => database.db.$raw.query(`update payment_orders set status = 'sent' where id = $1`, [orderId]);

  const step = (orderId: string, verb: string, body: unknown, headers: Headers = finance) =>
    call("POST", `/v1/payment-orders/${orderId}/${verb}`, body, headers);

  const balances = async (id: string) => (await call("GET", `/v1/beneficiaries/${id}/balances`)).body;

  const systemBalance = async (address: string): Promise<bigint> => {
    const [row] = await database.db.$raw.query<{ balance: string }>(
      `select coalesce(sum(case when p.direction = 'debit' then p.amount else -p.amount end), 0)::text as balance
         from ledger_postings p join ledger_accounts a on a.id = p.account_id where a.address = $1`,
      [address],
    );
    return BigInt(row!.balance);
  };

  describe("bank accounts", () => {
    it("lists the default pooled account made from bank:main; the first pooled account given completes it, its opening balance posted once", async () => {
      const before = await call("GET", "/v1/bank-accounts", undefined, finance);
      expect(before.status).toBe(200);
      expect(before.body.items).toEqual([expect.objectContaining({ kind: "pooled", isDefault: true, ledgerAddress: "bank:main", iban: null })]);

      const bankMainBefore = await systemBalance("bank:main");
      const res = await call("POST", "/v1/bank-accounts", {
        name: "Compte séquestre",
        iban: "fr76 3000 4000 0312 3456 7890 143",
        kind: "pooled",
        painVersion: "pain.001.001.09",
        batchBooking: true,
        openingBalance: 1_000_000,
        openingDate: "2026-01-01",
      });
      expect(res.status, res.text).toBe(201);
      expect(res.body).toMatchObject({
        id: before.body.items[0].id,
        iban: POOLED_IBAN,
        bic: null,
        ledgerAddress: "bank:main",
        isDefault: true,
        openingBalance: 1_000_000,
      });
      expect((await systemBalance("bank:main")) - bankMainBefore).toBe(1_000_000n);
      expect(await systemBalance("opening:balances")).toBe(-1_000_000n);
      await expectLedgerSound(call, finance);
    });

    it("refuses an IBAN already held (409), a bad checksum (422), a beneficiary account without its beneficiary (422), an unknown beneficiary (422)", async () => {
      const body = { name: "Autre", kind: "pooled", painVersion: "pain.001.001.03", batchBooking: false };
      expect((await call("POST", "/v1/bank-accounts", { ...body, iban: POOLED_IBAN })).status).toBe(409);
      expect((await call("POST", "/v1/bank-accounts", { ...body, iban: "FR7630004000031234567890144" })).status).toBe(422);
      expect((await call("POST", "/v1/bank-accounts", { ...body, iban: OWN_IBAN, kind: "beneficiary" })).status).toBe(422);
      expect((await call("POST", "/v1/bank-accounts", { ...body, iban: OWN_IBAN, kind: "beneficiary", beneficiaryId: randomUUID() })).status).toBe(422);
      expect((await call("POST", "/v1/bank-accounts", { ...body, iban: OWN_IBAN }, finance)).status).toBe(403);
    });

    it("gives a beneficiary an account of their own: its ledger account is bank:<id>, and the beneficiary's orders settle against it", async () => {
      const { beneficiaryId, orderId } = await pendingRent();
      const res = await call("POST", "/v1/bank-accounts", {
        name: "Compte de Marie",
        iban: OWN_IBAN,
        bic: "CMCIFR2A",
        kind: "beneficiary",
        beneficiaryId,
        painVersion: "pain.001.001.03",
        batchBooking: false,
      });
      expect(res.status, res.text).toBe(201);
      expect(res.body).toMatchObject({ kind: "beneficiary", beneficiaryId, ledgerAddress: `bank:${res.body.id}`, isDefault: false, bic: "CMCIFR2A" });
      const again = {
        name: "Second compte",
        iban: "FR7630006000011234567890189",
        kind: "beneficiary",
        beneficiaryId,
        painVersion: "pain.001.001.09",
        batchBooking: true,
      };
      expect((await call("POST", "/v1/bank-accounts", again)).status).toBe(409);

      await markSent(orderId);
      const settled = await step(orderId, "settlement", { date: "2026-01-07" });
      expect(settled.status, settled.text).toBe(200);
      expect(settled.body).toMatchObject({ status: "settled", bankAccountId: res.body.id, statusDate: "2026-01-07" });
      expect(await systemBalance(`bank:${res.body.id}`)).toBe(-50000n);
    });
  });

  describe("the life of an order", () => {
    it("settles a sent order (in transit → bank), then a return (AC04) brings the money back to the rent envelope, with a finance alert", async () => {
      const { beneficiaryId, orderId } = await pendingRent();
      expect((await balances(beneficiaryId)).rent).toBe(0);
      const bankBefore = await systemBalance("bank:main");
      const transitBefore = await systemBalance("payments:in-transit");

      // Not sent yet: neither settled nor rejected nor returned.
      for (const [verb, body] of [
        ["settlement", { date: "2026-01-07" }],
        ["rejection", { date: "2026-01-07", reasonCode: "AC01" }],
        ["return", { date: "2026-01-07", reasonCode: "AC01" }],
      ] as const) {
        const res = await step(orderId, verb, body);
        expect(res.status, verb).toBe(409);
        expect(res.body.error.details).toMatchObject({ status: "pending" });
      }

      await markSent(orderId);
      const settled = await step(orderId, "settlement", { date: "2026-01-07" });
      expect(settled.status, settled.text).toBe(200);
      expect(settled.body).toMatchObject({ id: orderId, status: "settled", statusDate: "2026-01-07", reasonCode: null });
      expect((await systemBalance("bank:main")) - bankBefore).toBe(-50000n);
      expect((await systemBalance("payments:in-transit")) - transitBefore).toBe(50000n);
      expect((await step(orderId, "settlement", { date: "2026-01-07" })).status).toBe(409);
      expect((await step(orderId, "cancellation", { reason: "trop tard" })).status).toBe(409);

      const returned = await step(orderId, "return", { date: "2026-01-12", reasonCode: "AC04" });
      expect(returned.status, returned.text).toBe(200);
      expect(returned.body).toMatchObject({ status: "returned", reasonCode: "AC04", reasonLabel: "Compte clôturé" });
      expect((await balances(beneficiaryId)).rent).toBe(50000);
      expect((await systemBalance("bank:main")) - bankBefore).toBe(0n);

      const alerts = await call("GET", `/v1/alerts?beneficiaryId=${beneficiaryId}&type=payment_returned`, undefined, finance);
      expect(alerts.body.items).toEqual([expect.objectContaining({ audience: "finance", type: "payment_returned", periods: ["2026-01"], status: "open" })]);
      expect(alerts.body.items[0].evidence).toMatchObject({ paymentOrderId: orderId, amount: 50000, reasonCode: "AC04", reasonLabel: "Compte clôturé" });
      expect(JSON.stringify(alerts.body.items[0])).not.toContain("FR14");

      // The period is unpaid again: the rent period shows it.
      const periods = await call("GET", `/v1/beneficiaries/${beneficiaryId}/rent-periods?asOf=2026-01-31`);
      expect(periods.body.items[0]).toMatchObject({ period: "2026-01", paid: 0 });
      await expectLedgerSound(call, finance);

      // The landlord's account is closed (AC04): no job pays that IBAN again...
      const rerun = await runPayments({ db: database.db, kind: "rent", asOf: "2026-01-20", actor: "test" });
      expect(rerun.skippedRefusedIban).toBeGreaterThanOrEqual(1);
      const orders = async () => (await call("GET", `/v1/payment-orders?beneficiaryId=${beneficiaryId}`, undefined, finance)).body.items;
      expect((await orders()).map((o: any) => o.status)).toEqual(["returned"]);
      // ...until it has changed (four eyes): then the period is paid again, to the new IBAN.
      const newIban = "FR7630004000031234567890143";
      const changed = await approvedBy(call, () => manager)(
        "PUT",
        `/v1/beneficiaries/${beneficiaryId}/lease`,
        leaseBody({ landlord: { ...LANDLORD, iban: newIban } }),
      );
      expect(changed.status, changed.text).toBe(200);
      await runPayments({ db: database.db, kind: "rent", asOf: "2026-01-21", actor: "test" });
      const reissued = await orders();
      expect(reissued.map((o: any) => [o.status, o.creditorIban, o.period, o.amount])).toEqual([
        ["pending", newIban, "2026-01", 50000],
        ["returned", LANDLORD.iban, "2026-01", 50000],
      ]);
    });

    it("rejects a sent order (MS03): in transit back to the envelope, a payment_rejected alert; a reason code outside the ISO list is 422", async () => {
      const { beneficiaryId, orderId } = await pendingRent();
      await markSent(orderId);
      expect((await step(orderId, "rejection", { date: "2026-01-08", reasonCode: "XX99" })).status).toBe(422);
      expect((await step(orderId, "rejection", { date: "2099-01-08", reasonCode: "MS03" })).status).toBe(422);
      const res = await step(orderId, "rejection", { date: "2026-01-08", reasonCode: "MS03" });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ status: "rejected", reasonCode: "MS03" });
      expect((await balances(beneficiaryId)).rent).toBe(50000);
      const alerts = await call("GET", `/v1/alerts?beneficiaryId=${beneficiaryId}&audience=finance`, undefined, finance);
      expect(alerts.body.items.map((a: any) => a.type)).toEqual(["payment_rejected"]);
      expect((await step(orderId, "return", { date: "2026-01-09", reasonCode: "MS03" })).status).toBe(409);
    });

    it("cancels a pending order (its money back to the envelope, the reason in the audit row); settles a go-live order paid by hand with outside: true", async () => {
      const a = await pendingRent();
      const cancelled = await step(a.orderId, "cancellation", { reason: "payé par chèque" });
      expect(cancelled.status, cancelled.text).toBe(200);
      expect(cancelled.body).toMatchObject({ status: "cancelled", statusDate: TODAY });
      expect((await balances(a.beneficiaryId)).rent).toBe(50000);
      const audit = await database.db.$raw.query<{ changes: any }>(`select changes from audit_log where entity_id = $1 and action = 'payment_order.cancel'`, [
        a.orderId,
      ]);
      expect(audit).toHaveLength(1);
      expect(audit[0]!.changes).toMatchObject({ from: "pending", to: "cancelled", reason: "payé par chèque" });

      const b = await pendingRent();
      const outside = await step(b.orderId, "settlement", { date: "2026-01-05", outside: true });
      expect(outside.status, outside.text).toBe(200);
      expect(outside.body).toMatchObject({ status: "settled" });
      const periods = await call("GET", `/v1/beneficiaries/${b.beneficiaryId}/rent-periods?asOf=2026-01-31`);
      expect(periods.body.items[0]).toMatchObject({ period: "2026-01", paid: 50000, status: "paid" });
    });

    it("two settlements of one order at once: one wins, the other gets 409, the money moves once", async () => {
      const { orderId } = await pendingRent();
      await markSent(orderId);
      const transitBefore = await systemBalance("payments:in-transit");
      const answers = await Promise.all([1, 2, 3].map(() => step(orderId, "settlement", { date: "2026-01-07" })));
      expect(answers.map((r) => r.status).sort()).toEqual([200, 409, 409]);
      expect((await systemBalance("payments:in-transit")) - transitBefore).toBe(50000n);
    });

    it("answers 404 for an unknown order and 400 for malformed JSON", async () => {
      expect((await step(randomUUID(), "settlement", { date: "2026-01-07" })).status).toBe(404);
      expect((await step(randomUUID(), "settlement", "{")).status).toBe(400);
    });
  });

  describe("postal addresses", () => {
    const address = { street: "12 rue de la Paix", postalCode: "53000", town: "Laval", country: "fr" };

    it("keeps the address of a beneficiary, a landlord and a charge creditor (country upper-cased); town and country are required", async () => {
      const b = await call("POST", "/v1/beneficiaries", { firstName: "Marie", lastName: "Adresse", birthDate: "1979-04-02", address });
      expect(b.status, b.text).toBe(201);
      expect(b.body.address).toEqual({ ...address, country: "FR" });
      expect(b.body.bankAccountId).toBeNull();
      const noTown = await call("POST", "/v1/beneficiaries", { firstName: "Marie", lastName: "Adresse", birthDate: "1979-04-02", address: { country: "FR" } });
      expect(noTown.status).toBe(422);
      const badCountry = await call("POST", "/v1/beneficiaries", {
        firstName: "Marie",
        lastName: "Adresse",
        birthDate: "1979-04-02",
        address: { town: "Laval", country: "France" },
      });
      expect(badCountry.status).toBe(422);

      const lease = await call(
        "PUT",
        `/v1/beneficiaries/${b.body.id}/lease`,
        leaseBody({ landlord: { ...LANDLORD, address: { town: "Laval", country: "FR" } } }),
      );
      expect(lease.status, lease.text).toBe(200);
      expect(lease.body.landlord.address).toEqual({ town: "Laval", country: "FR" });

      const charge = await call("POST", `/v1/beneficiaries/${b.body.id}/charges`, {
        label: "EDF",
        category: "energy",
        amount: 6000,
        dueDay: 15,
        priority: 1,
        creditor: {
          name: "EDF",
          iban: "FR7630006000011234567890189",
          address: { street: "22-30 avenue de Wagram", postalCode: "75008", town: "Paris", country: "FR" },
        },
      });
      expect(charge.status, charge.text).toBe(201);
      expect(charge.body.creditor.address).toMatchObject({ town: "Paris", country: "FR" });
    });
  });
});
