import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPayments } from "../../src/services/payments/run-payments";
import { apiCaller, bearer, createTestApp, type Headers, type TestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { BENEFICIARY_IBAN, expectLedgerSound, householdMaker } from "../support/household";

const TODAY = "2026-02-10";

/**
 * Cash and cheques (issue 13): the reversement plan says how the person is paid, so a
 * person without an IBAN is paid by cash or cheque rather than skipped; a cheque is
 * `sent` with its number when handed over and settled when debited; cash leaves a cash
 * box (`cash:<account>`) fed by withdrawals from the bank, settled at the handover.
 */
describe("cash and cheques", () => {
  let database: TestDatabase;
  let app: TestApp;
  let admin: Headers;
  let finance: Headers;

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
  });
  afterAll(async () => database?.dispose());

  async function credit(beneficiaryId: string, amount: number) {
    const res = await call(
      "POST",
      "/v1/credits",
      { beneficiaryId, payer: "CAF", prestation: "RSA", amount, valueDate: "2026-02-05", reference: null },
      { ...finance, "Idempotency-Key": randomUUID() },
    );
    expect(res.status, res.text).toBe(201);
  }

  /** A person without a lease, whose credit is all available, with a plan of this method. */
  async function person(method: string | null, iban: string | null = null, amount = 20000) {
    const b = await household({ lease: null, iban });
    if (method) {
      const plan = await call("PUT", `/v1/beneficiaries/${b.id}/reversement-plan`, { frequency: "monthly", day: 10, method }, finance);
      expect(plan.status, plan.text).toBe(200);
      expect(plan.body.method).toBe(method);
    }
    await credit(b.id, amount);
    return b;
  }

  const ordersOf = async (id: string) => (await call("GET", `/v1/payment-orders?beneficiaryId=${id}`, undefined, finance)).body.items;
  const step = (orderId: string, verb: string, body: unknown, headers: Headers = finance) =>
    call("POST", `/v1/payment-orders/${orderId}/${verb}`, body, headers);
  const withdraw = (body: Record<string, unknown>, key: string = randomUUID()) =>
    call("POST", "/v1/cash-withdrawals", body, { ...finance, "Idempotency-Key": key });

  const balanceOf = async (address: string): Promise<number> => {
    const [row] = await database.db.$raw.query<{ balance: string }>(
      `select coalesce(sum(case when p.direction = 'debit' then p.amount else -p.amount end), 0)::text as balance
         from ledger_postings p join ledger_accounts a on a.id = p.account_id where a.address = $1`,
      [address],
    );
    return Number(row!.balance);
  };

  it("the reversement job pays a person without an IBAN by cash or cheque as their plan says; a transfer without IBAN is still skipped", async () => {
    const cash = await person("cash");
    const cheque = await person("cheque");
    const transfer = await person(null);
    const summary = await runPayments({ db: database.db, kind: "reversement", asOf: TODAY, actor: "test" });
    expect(summary.skippedNoIban).toBeGreaterThanOrEqual(1);
    expect(await ordersOf(transfer.id)).toEqual([]);
    expect(await ordersOf(cash.id)).toEqual([
      expect.objectContaining({ kind: "reversement", method: "cash", creditorIban: null, amount: 20000, status: "pending" }),
    ]);
    expect(await ordersOf(cheque.id)).toEqual([expect.objectContaining({ kind: "reversement", method: "cheque", creditorIban: null })]);
    const again = await runPayments({ db: database.db, kind: "reversement", asOf: TODAY, actor: "test" });
    expect(again.ordersCreated).toBe(0);
    const batch = await call("POST", "/v1/payment-batches", { executionDate: "2026-02-11" }, finance);
    expect(batch.status).toBe(422);
  });

  it("a cheque is sent with its number, then settled by /settlement; its number is taken once per account", async () => {
    const b = await person("cheque", null, 30000);
    await runPayments({ db: database.db, kind: "reversement", asOf: TODAY, actor: "test" });
    const [order] = await ordersOf(b.id);
    const other = await call(
      "POST",
      `/v1/beneficiaries/${b.id}/payments`,
      { envelope: "available", amount: 0 + 1, method: "cheque", creditor: { name: "Pharmacie" }, reason: "Avance", executionDate: TODAY },
      { ...finance, "Idempotency-Key": randomUUID() },
    );
    expect(other.status, other.text).toBe(409);

    expect((await step(order.id, "cheque", { number: "12", date: "2026-02-11" })).status).toBe(422);
    expect((await step(order.id, "cheque", { number: "12a", date: TODAY })).status).toBe(422);
    expect((await step(order.id, "settlement", { date: TODAY })).status).toBe(409);
    const sent = await step(order.id, "cheque", { number: "8810021", date: TODAY });
    expect(sent.status, sent.text).toBe(200);
    expect(sent.body).toMatchObject({ status: "sent", chequeNumber: "8810021", statusDate: TODAY });
    expect((await step(order.id, "cheque", { number: "8810022", date: TODAY })).status).toBe(409);

    const c = await person("cheque", null, 5000);
    await runPayments({ db: database.db, kind: "reversement", asOf: TODAY, actor: "test" });
    const [second] = await ordersOf(c.id);
    const taken = await step(second.id, "cheque", { number: "8810021", date: TODAY });
    expect(taken.status).toBe(409);
    expect(taken.body.error.details).toMatchObject({ chequeNumber: "8810021" });

    const bankBefore = await balanceOf("bank:main");
    const settled = await step(order.id, "settlement", { date: TODAY });
    expect(settled.status, settled.text).toBe(200);
    expect(settled.body).toMatchObject({ status: "settled", chequeNumber: "8810021" });
    expect((await balanceOf("bank:main")) - bankBefore).toBe(-30000);
    await expectLedgerSound(call, finance);
  });

  it("cash comes from the cash box: a withdrawal feeds it (idempotent), the handover settles the order against a receipt", async () => {
    const b = await person("cash", null, 7000);
    await runPayments({ db: database.db, kind: "reversement", asOf: TODAY, actor: "test" });
    const [order] = await ordersOf(b.id);
    expect(order).toMatchObject({ method: "cash", amount: 7000 });

    const boxBefore = await balanceOf("cash:main");
    if (boxBefore < 7000) {
      const empty = await step(order.id, "handover", { receiptNumber: "R-2026-001", date: TODAY });
      expect(empty.status).toBe(409);
      expect(empty.body.error).toMatchObject({ code: "insufficient_funds", details: { cashBox: "cash:main", held: boxBefore } });
    }

    const key = randomUUID();
    const w = await withdraw({ amount: 10000, date: TODAY }, key);
    expect(w.status, w.text).toBe(201);
    expect(w.body).toMatchObject({ cashBox: "cash:main", amount: 10000, date: TODAY });
    const replay = await withdraw({ amount: 10000, date: TODAY }, key);
    expect(replay.text).toBe(w.text);
    expect(replay.replayed).toBe("true");
    expect((await withdraw({ amount: 10001, date: TODAY }, key)).status).toBe(409);
    expect((await withdraw({ amount: 100, date: "2026-02-11" })).status).toBe(422);
    expect((await withdraw({ amount: 100, date: TODAY, bankAccountId: randomUUID() })).status).toBe(404);
    expect(await balanceOf("cash:main")).toBe(boxBefore + 10000);

    expect((await step(order.id, "cheque", { number: "1", date: TODAY })).status).toBe(409);
    const handed = await step(order.id, "handover", { receiptNumber: "R-2026-001", date: TODAY });
    expect(handed.status, handed.text).toBe(200);
    expect(handed.body).toMatchObject({ status: "settled", receiptNumber: "R-2026-001", statusDate: TODAY });
    expect(await balanceOf("cash:main")).toBe(boxBefore + 10000 - 7000);
    expect((await step(order.id, "handover", { receiptNumber: "R-2026-002", date: TODAY })).status).toBe(409);
    await expectLedgerSound(call, finance);
  });

  it("two handovers racing on one order: one settles, the other gets 409", async () => {
    const b = await person("cash", null, 3000);
    await runPayments({ db: database.db, kind: "reversement", asOf: TODAY, actor: "test" });
    const [order] = await ordersOf(b.id);
    expect((await withdraw({ amount: 3000, date: TODAY })).status).toBe(201);
    const results = await Promise.all([
      step(order.id, "handover", { receiptNumber: "R-A", date: TODAY }),
      step(order.id, "handover", { receiptNumber: "R-B", date: TODAY }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  it("a pending cash order can be cancelled (its money back in the envelope); only finance and admin hand over", async () => {
    const b = await person("cash", null, 4000);
    await runPayments({ db: database.db, kind: "reversement", asOf: TODAY, actor: "test" });
    const [order] = await ordersOf(b.id);
    expect((await step(order.id, "handover", { receiptNumber: "R-X", date: TODAY }, await bearer(database.db, "caseworker"))).status).toBe(403);
    expect((await step(order.id, "handover", { receiptNumber: "R-X", date: TODAY }, await bearer(database.db, "manager"))).status).toBe(403);
    expect((await step(randomUUID(), "handover", { receiptNumber: "R-X", date: TODAY })).status).toBe(404);
    const cancelled = await step(order.id, "cancellation", { reason: "la personne a ouvert un compte" });
    expect(cancelled.status, cancelled.text).toBe(200);
    expect((await call("GET", `/v1/beneficiaries/${b.id}/balances`)).body.available).toBe(4000);
  });
});
