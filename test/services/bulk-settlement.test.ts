import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runText } from "../../src/db/sql";
import { ValidationError } from "../../src/domain/errors";
import { settleOrders } from "../../src/services/banking/settle-orders";
import { systemContext } from "../../src/services/context";
import { runPayments } from "../../src/services/payments/run-payments";
import { apiCaller, bearer, createTestApp, type Headers, type TestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { BENEFICIARY_IBAN, expectLedgerSound, householdMaker } from "../support/household";

/**
 * The bulk settlement the statement import calls (`settleOrders`), on PostgreSQL: many
 * sent orders settled per transaction, each exactly once whatever runs at the same time
 * (another bulk call, the single `/settlement` verb), again and again without effect,
 * each order with its outcome and its audit row.
 */
const TODAY = "2026-01-07";
const POOLED_IBAN = "FR7630001007941234567890185";

describe("bulk settlement", () => {
  let database: TestDatabase;
  let app: TestApp;
  let admin: Headers;
  let finance: Headers;
  const call = apiCaller(
    () => app,
    () => finance,
  );
  const household = householdMaker((method, path, body, headers) => asAdmin(method, path, body, headers), {
    managed: ["RSA", "AAH", "ALS"],
    iban: BENEFICIARY_IBAN,
  });
  const asAdmin: typeof call = (method, path, body, headers) => call(method, path, body, headers ?? admin);
  const ctx = () => ({ ...systemContext(database.db, "statement-import"), today: () => TODAY });

  beforeAll(async () => {
    database = await createTestDatabase();
    app = createTestApp(database.db, { today: () => TODAY });
    admin = await bearer(database.db, "admin");
    finance = await bearer(database.db, "finance");
    await runText(database.db, "update bank_accounts set iban = $1 where is_default", [POOLED_IBAN]);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  /** `n` rent orders written, batched and sent; their ids. */
  async function sentOrders(n: number): Promise<string[]> {
    for (let i = 0; i < n; i++) {
      const h = await household();
      const credit = await call(
        "POST",
        "/v1/credits",
        { beneficiaryId: h.id, payer: "CAF", prestation: "RSA", amount: 60000, valueDate: "2026-01-02", reference: `CAF ${randomUUID().slice(0, 8)}` },
        { ...finance, "Idempotency-Key": randomUUID() },
      );
      expect(credit.status, credit.text).toBe(201);
    }
    await runPayments({ db: database.db, kind: "rent", asOf: "2026-01-05", actor: "test" });
    const batch = await call("POST", "/v1/payment-batches", { executionDate: TODAY });
    expect(batch.status, batch.text).toBe(201);
    expect((await call("POST", `/v1/payment-batches/${batch.body.id}/sent`)).status).toBe(200);
    const rows = await runText<{ id: string }>(database.db, "select order_id as id from payment_batch_orders where batch_id = $1::uuid order by order_id", [
      batch.body.id,
    ]);
    return rows.map((r) => r.id);
  }

  /** Ledger transactions and audit rows of each order's settlement. */
  async function settlementsOf(ids: string[]) {
    const [row] = await runText<{ transactions: number; audits: number; settled: number }>(
      database.db,
      `select (select count(*)::int from ledger_transactions t where t.idempotency_key = any (select 'payment-order:' || x || ':settled' from unnest($1::text[]) x)) as transactions,
              (select count(*)::int from audit_log a where a.action = 'payment_order.settle' and a.entity_id = any ($1::uuid[])) as audits,
              (select count(*)::int from payment_orders o where o.id = any ($1::uuid[]) and o.status = 'settled') as settled`,
      [`{${ids.join(",")}}`],
    );
    return row!;
  }

  it("settles sent orders chunk by chunk, each with its ledger transaction and audit row; again, nothing moves", async () => {
    const ids = await sentOrders(5);
    const outcomes = await settleOrders(
      ctx(),
      ids.map((orderId) => ({ orderId, date: "2026-01-06" })),
      { chunkSize: 2 },
    );
    expect(outcomes.map((o) => o.outcome)).toEqual(Array(5).fill("settled"));
    expect(await settlementsOf(ids)).toEqual({ transactions: 5, audits: 5, settled: 5 });
    const [order] = await runText<{ status_date: string; bank_account_id: string | null }>(
      database.db,
      "select status_date::text, bank_account_id from payment_orders where id = $1::uuid",
      [ids[0]],
    );
    expect(order).toMatchObject({ status_date: "2026-01-06" });
    expect(order?.bank_account_id).not.toBeNull();

    // The same statement imported again: every order answered, nothing posted twice.
    const again = await settleOrders(
      ctx(),
      ids.map((orderId) => ({ orderId, date: "2026-01-06" })),
    );
    expect(again.map((o) => o.outcome)).toEqual(Array(5).fill("already_settled"));
    expect(await settlementsOf(ids)).toEqual({ transactions: 5, audits: 5, settled: 5 });
    // The single verb is not a replay: 409.
    expect((await call("POST", `/v1/payment-orders/${ids[0]}/settlement`, { date: "2026-01-06" })).status).toBe(409);
    await expectLedgerSound(asAdmin, finance);
  });

  it("each order gets its own outcome: unknown, not sent, or named twice; a date in the future refuses the whole call", async () => {
    const [sent] = await sentOrders(1);
    const h = await household();
    await call(
      "POST",
      "/v1/credits",
      { beneficiaryId: h.id, payer: "CAF", prestation: "RSA", amount: 60000, valueDate: "2026-01-02", reference: `CAF ${randomUUID().slice(0, 8)}` },
      { ...finance, "Idempotency-Key": randomUUID() },
    );
    await runPayments({ db: database.db, kind: "rent", asOf: "2026-01-05", actor: "test" });
    const [pending] = await runText<{ id: string }>(database.db, "select id from payment_orders where beneficiary_id = $1::uuid", [h.id]);
    const unknown = randomUUID();

    await expect(settleOrders(ctx(), [{ orderId: sent!, date: "2026-01-08" }])).rejects.toBeInstanceOf(ValidationError);
    await expect(settleOrders(ctx(), [{ orderId: sent!, date: "2026-02-30" }])).rejects.toBeInstanceOf(ValidationError);
    expect(await settlementsOf([sent!])).toMatchObject({ transactions: 0, settled: 0 });

    const outcomes = await settleOrders(ctx(), [
      { orderId: sent!, date: TODAY },
      { orderId: unknown, date: TODAY },
      { orderId: pending!.id, date: TODAY },
      { orderId: sent!, date: TODAY },
    ]);
    expect(outcomes).toEqual([
      expect.objectContaining({ orderId: sent, outcome: "settled", status: "settled" }),
      { orderId: unknown, outcome: "not_found" },
      { orderId: pending!.id, outcome: "conflict", status: "pending" },
      expect.objectContaining({ orderId: sent, outcome: "already_settled" }),
    ]);
    expect(await settlementsOf([sent!])).toEqual({ transactions: 1, audits: 1, settled: 1 });
    // Paid by hand before go-live: from pending, with `outside`.
    const [outside] = await settleOrders(ctx(), [{ orderId: pending!.id, date: TODAY }], { outside: true });
    expect(outside).toMatchObject({ outcome: "settled" });
    await expectLedgerSound(asAdmin, finance);
  });

  it("racing: two bulk calls over the same orders and the single verb at once settle each order exactly once", async () => {
    const ids = await sentOrders(6);
    const items = ids.map((orderId) => ({ orderId, date: TODAY }));
    const [a, b, c, single] = await Promise.all([
      settleOrders(ctx(), items, { chunkSize: 2 }),
      settleOrders(ctx(), [...items].reverse(), { chunkSize: 3 }),
      settleOrders(ctx(), items),
      call("POST", `/v1/payment-orders/${ids[2]}/settlement`, { date: TODAY }),
    ]);
    expect([200, 409]).toContain(single.status);
    const winners = new Map<string, number>();
    for (const o of [...a, ...b, ...c]) {
      expect(["settled", "already_settled"]).toContain(o.outcome);
      if (o.outcome === "settled") winners.set(o.orderId, (winners.get(o.orderId) ?? 0) + 1);
    }
    for (const id of ids) expect((winners.get(id) ?? 0) + (id === ids[2] && single.status === 200 ? 1 : 0)).toBe(1);
    expect(await settlementsOf(ids)).toEqual({ transactions: 6, audits: 6, settled: 6 });
    await expectLedgerSound(asAdmin, finance);
  });
});
