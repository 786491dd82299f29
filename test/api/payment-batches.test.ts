import { createHash, randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { remittanceFor } from "../../src/banking/pain001/references";
import { runText } from "../../src/db/sql";
import { runPayments } from "../../src/services/payments/run-payments";
import { schemaErrors } from "../banking/pain001/xsd";
import { apiCaller, bearer, createTestApp, type Headers, type TestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { BENEFICIARY_IBAN, householdMaker, LANDLORD } from "../support/household";

/**
 * Remises (payment batches) through the API, on PostgreSQL: the pending transfers of an
 * account due by the execution date become one batch; its pain.001 file is the same
 * bytes on every download and valid against the official XSD; a batch is sent or
 * dissolved once, from `prepared` only, one winner when two try at once.
 *
 * One database for the file; tests run in order and each prepares what it needs (a
 * batch takes every pending order due, so each test starts with none pending).
 */
const TODAY = "2026-01-05";
const POOLED_IBAN = "FR7630001007941234567890185";

describe("payment batches", () => {
  let database: TestDatabase;
  let app: TestApp;
  let admin: Headers;
  let finance: Headers;
  let manager: Headers;
  /** The default pooled account (pain.001.001.09), which every household of these tests belongs to. */
  const defaultAccountId = async () => (await runText<{ id: string }>(database.db, "select id from bank_accounts where is_default"))[0]!.id;
  const call = apiCaller(
    () => app,
    () => finance,
  );
  const household = householdMaker((method, path, body, headers) => call(method, path, body, headers ?? admin), {
    managed: ["RSA", "AAH", "ALS"],
    iban: BENEFICIARY_IBAN,
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    app = createTestApp(database.db, { today: () => TODAY });
    admin = await bearer(database.db, "admin");
    finance = await bearer(database.db, "finance");
    manager = await bearer(database.db, "manager");
    // The default pooled account (made by the migration from `bank:main`) gets its IBAN.
    await runText(database.db, "update bank_accounts set iban = $1, name = 'Compte principal' where is_default", [POOLED_IBAN]);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  /** A beneficiary whose January rent (50 000) is pending after the rent job of `asOf`. */
  async function pendingRent(asOf = TODAY) {
    const h = await household();
    const credit = await call(
      "POST",
      "/v1/credits",
      { beneficiaryId: h.id, payer: "CAF", prestation: "RSA", amount: 60000, valueDate: "2026-01-02", reference: `CAF ${randomUUID().slice(0, 8)}` },
      { ...finance, "Idempotency-Key": randomUUID() },
    );
    expect(credit.status, credit.text).toBe(201);
    await runPayments({ db: database.db, kind: "rent", asOf, actor: "test" });
    const orders = await call("GET", `/v1/payment-orders?beneficiaryId=${h.id}`);
    expect(orders.body.items).toHaveLength(1);
    return { household: h, order: orders.body.items[0] as { id: string; amount: number; status: string } };
  }

  const orderStatus = async (id: string) => {
    const [row] = await runText<{ status: string }>(database.db, "select status from payment_orders where id = $1::uuid", [id]);
    return row?.status;
  };

  const download = async (id: string, headers: Headers = finance) => app.request(`/v1/payment-batches/${id}/pain001`, { headers });

  it("nothing due: 422, and nothing written", async () => {
    const res = await call("POST", "/v1/payment-batches", { executionDate: TODAY });
    expect(res.status, res.text).toBe(422);
    expect((await call("GET", "/v1/payment-batches")).body.items).toEqual([]);
  });

  it("prepares one batch of the pending transfers due, moves the date to a TARGET business day, and takes each order once", async () => {
    const a = await pendingRent();
    const b = await pendingRent();
    // Good Friday 2026 is 3 April, Easter Monday 6 April: the batch executes on Tuesday 7.
    const res = await call("POST", "/v1/payment-batches", { executionDate: "2026-04-03" });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ orders: 2, total: 100000, executionDate: "2026-04-07" });
    expect(res.body.batches).toHaveLength(1);
    expect(await orderStatus(a.order.id)).toBe("batched");
    expect(await orderStatus(b.order.id)).toBe("batched");
    // Taken: a second preparation finds nothing.
    expect((await call("POST", "/v1/payment-batches", { executionDate: "2026-04-03" })).status).toBe(422);

    const list = await call("GET", "/v1/payment-batches", undefined, manager);
    expect(list.status).toBe(200);
    expect(list.body.items[0]).toMatchObject({ id: res.body.id, status: "prepared", orders: 2, total: 100000, painVersion: "pain.001.001.09" });
    const [audit] = await runText<{ n: number }>(
      database.db,
      "select count(*)::int as n from audit_log where action = 'payment_batch.prepare' and entity_id = $1",
      [res.body.id],
    );
    expect(audit?.n).toBe(1);

    // Closing it for the next tests.
    expect((await call("POST", `/v1/payment-batches/${res.body.id}/dissolution`)).status).toBe(200);
    expect(await orderStatus(a.order.id)).toBe("pending");
  });

  it("never executes in the past: a date before today becomes today (or the next business day)", async () => {
    const res = await call("POST", "/v1/payment-batches", { executionDate: "2025-12-24" });
    expect(res.status, res.text).toBe(201);
    expect(res.body.executionDate).toBe(TODAY);
    expect((await call("POST", `/v1/payment-batches/${res.body.id}/dissolution`)).status).toBe(200);
  });

  it("the file: valid pain.001.001.09, the batch's totals, an EndToEndId that finds the order, the same bytes on every download", async () => {
    const res = await call("POST", "/v1/payment-batches", { executionDate: TODAY });
    expect(res.status, res.text).toBe(201);
    const first = await download(res.body.id);
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toMatch(/^application\/xml/);
    expect(first.headers.get("content-disposition")).toMatch(/attachment; filename="remise-2026-01-05-[0-9a-f]{32}\.xml"/);
    const xml = await first.text();
    expect(await schemaErrors(xml, "pain.001.001.09")).toEqual([]);
    expect(xml).toContain(`<NbOfTxs>${res.body.orders}</NbOfTxs>`);
    expect(xml).toContain(`<CtrlSum>${(res.body.total / 100).toFixed(2)}</CtrlSum>`);
    expect(xml).toContain(`<IBAN>${POOLED_IBAN}</IBAN>`);
    expect(xml).toContain(`<IBAN>${LANDLORD.iban}</IBAN>`);
    expect(xml).toMatch(/<Ustrd>LOYER 01\/2026 DURAND[0-9A-F]{6} M<\/Ustrd>/);
    const [order] = await runText<{ id: string }>(database.db, "select order_id as id from payment_batch_orders where batch_id = $1::uuid limit 1", [
      res.body.id,
    ]);
    expect(xml).toContain(`<EndToEndId>${order!.id.replaceAll("-", "")}</EndToEndId>`);
    expect(await (await download(res.body.id)).text()).toBe(xml);
    // A manager reads the batches, never downloads the file that pays.
    expect((await download(res.body.id, manager)).status).toBe(403);
    expect((await call("POST", `/v1/payment-batches/${res.body.id}/dissolution`)).status).toBe(200);
  });

  it("sent: the orders are sent; then neither sent again nor dissolved (409), and the file still downloads the same", async () => {
    const res = await call("POST", "/v1/payment-batches", { executionDate: TODAY });
    const xml = await (await download(res.body.id)).text();
    const sent = await call("POST", `/v1/payment-batches/${res.body.id}/sent`);
    expect(sent.status, sent.text).toBe(200);
    expect(sent.body).toMatchObject({ status: "sent" });
    const [row] = await runText<{ statuses: string[] }>(
      database.db,
      "select array_agg(distinct o.status) as statuses from payment_orders o join payment_batch_orders l on l.order_id = o.id where l.batch_id = $1::uuid",
      [res.body.id],
    );
    expect(row?.statuses).toEqual(["sent"]);
    expect((await call("POST", `/v1/payment-batches/${res.body.id}/sent`)).status).toBe(409);
    expect((await call("POST", `/v1/payment-batches/${res.body.id}/dissolution`)).status).toBe(409);
    expect(await (await download(res.body.id)).text()).toBe(xml);
  });

  it("dissolved: the orders are pending again, the batch has no file (409) and cannot be sent (409)", async () => {
    const { order } = await pendingRent();
    const res = await call("POST", "/v1/payment-batches", { executionDate: TODAY });
    expect(res.body.orders).toBe(1);
    const dissolved = await call("POST", `/v1/payment-batches/${res.body.id}/dissolution`);
    expect(dissolved.body).toMatchObject({ status: "dissolved" });
    expect(await orderStatus(order.id)).toBe("pending");
    expect((await download(res.body.id)).status).toBe(409);
    expect((await call("POST", `/v1/payment-batches/${res.body.id}/sent`)).status).toBe(409);
    // The released order goes into the next batch.
    const again = await call("POST", "/v1/payment-batches", { executionDate: TODAY });
    expect(again.body.orders).toBe(1);
    expect((await call("POST", `/v1/payment-batches/${again.body.id}/dissolution`)).status).toBe(200);
  });

  it("two transitions of one batch at once: one winner, the other 409", async () => {
    const res = await call("POST", "/v1/payment-batches", { executionDate: TODAY });
    const answers = await Promise.all([
      call("POST", `/v1/payment-batches/${res.body.id}/sent`),
      call("POST", `/v1/payment-batches/${res.body.id}/dissolution`),
      call("POST", `/v1/payment-batches/${res.body.id}/sent`),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409]);
  });

  it("two preparations at once never batch an order twice", async () => {
    await pendingRent();
    await pendingRent();
    const [pending] = await runText<{ n: number }>(database.db, "select count(*)::int as n from payment_orders where status = 'pending'");
    const answers = await Promise.all([1, 2, 3].map(() => call("POST", "/v1/payment-batches", { executionDate: TODAY })));
    const made = answers.filter((a) => a.status === 201);
    expect(answers.every((a) => a.status === 201 || a.status === 422)).toBe(true);
    expect(made.reduce((n, a) => n + a.body.orders, 0)).toBe(pending?.n);
    const [dup] = await runText<{ n: number }>(
      database.db,
      "select count(*)::int as n from (select l.order_id from payment_batch_orders l join payment_batches b on b.id = l.batch_id where b.status <> 'dissolved' group by 1 having count(*) > 1) d",
    );
    expect(dup?.n).toBe(0);
    for (const a of made) await call("POST", `/v1/payment-batches/${a.body.id}/dissolution`);
  });

  it("one batch per account without bankAccountId; an account of its own in pain.001.001.03, its creditor's address in the file; with bankAccountId only that account", async () => {
    const own = randomUUID();
    const { household: h } = await pendingRent();
    await runText(
      database.db,
      `insert into bank_accounts (id, name, iban, kind, beneficiary_id, pain_version, batch_booking, ledger_address)
       values ($1::uuid, 'Compte de Mme Lefèvre', 'FR7630004000031234567890143', 'beneficiary', $2::uuid, 'pain.001.001.03', false, 'bank:' || $1)`,
      [own, h.id],
    );
    await runText(database.db, "update beneficiaries set bank_account_id = $1::uuid where id = $2::uuid", [own, h.id]);
    await runText(
      database.db,
      `update leases set landlord_address = '{"street":"12 rue de l''Église","postalCode":"53000","town":"Laval","country":"FR"}' where beneficiary_id = $1::uuid`,
      [h.id],
    );
    await pendingRent();

    // Only the pooled account's order when the account is named.
    const [pooled] = await runText<{ id: string }>(database.db, "select id from bank_accounts where is_default");
    const one = await call("POST", "/v1/payment-batches", { bankAccountId: pooled!.id, executionDate: TODAY });
    expect(one.status, one.text).toBe(201);
    expect(one.body).toMatchObject({ bankAccountId: pooled!.id, orders: expect.any(Number) });
    expect((await call("POST", `/v1/payment-batches/${one.body.id}/dissolution`)).status).toBe(200);

    const res = await call("POST", "/v1/payment-batches", { executionDate: TODAY });
    expect(res.status, res.text).toBe(201);
    expect(res.body.batches).toHaveLength(2);
    const mine = res.body.batches.find((b: { bankAccountId: string }) => b.bankAccountId === own);
    expect(mine).toMatchObject({ orders: 1, total: 50000 });
    const xml = await (await download(mine.id)).text();
    expect(await schemaErrors(xml, "pain.001.001.03")).toEqual([]);
    expect(xml).toContain("<BtchBookg>false</BtchBookg>");
    expect(xml).toContain("<TwnNm>Laval</TwnNm>");
    expect(xml).toContain("FR7630004000031234567890143");
    for (const b of res.body.batches) expect((await call("POST", `/v1/payment-batches/${b.id}/dissolution`)).status).toBe(200);
  });

  it("an order cancelled while batched: the frozen file would still pay it, so the batch has no file and cannot be sent until dissolved (it stays cancelled)", async () => {
    const { order } = await pendingRent();
    const res = await call("POST", "/v1/payment-batches", { executionDate: TODAY });
    expect(res.status, res.text).toBe(201);
    const cancelled = await call("POST", `/v1/payment-orders/${order.id}/cancellation`, { reason: "payé par chèque" });
    expect(cancelled.status, cancelled.text).toBe(200);
    const [its] = await runText<{ id: string }>(database.db, "select batch_id as id from payment_batch_orders where order_id = $1::uuid", [order.id]);
    expect((await download(its!.id)).status).toBe(409);
    expect((await call("POST", `/v1/payment-batches/${its!.id}/sent`)).status).toBe(409);
    for (const b of res.body.batches) expect((await call("POST", `/v1/payment-batches/${b.id}/dissolution`)).status).toBe(200);
    expect(await orderStatus(order.id)).toBe("cancelled");
  });

  it("bad input: unknown account or batch 404, a malformed date 422, nothing half-written", async () => {
    expect((await call("POST", "/v1/payment-batches", { bankAccountId: randomUUID(), executionDate: TODAY })).status).toBe(404);
    expect((await call("POST", "/v1/payment-batches", { executionDate: "2026-02-30" })).status).toBe(422);
    expect((await call("POST", "/v1/payment-batches", { executionDate: TODAY, extra: 1 })).status).toBe(422);
    expect((await call("POST", `/v1/payment-batches/${randomUUID()}/sent`)).status).toBe(404);
    expect((await call("POST", `/v1/payment-batches/${randomUUID()}/dissolution`)).status).toBe(404);
    expect((await download(randomUUID())).status).toBe(404);
    const [batched] = await runText<{ n: number }>(database.db, "select count(*)::int as n from payment_orders where status = 'batched'");
    const [live] = await runText<{ n: number }>(database.db, "select count(*)::int as n from payment_batches where status = 'prepared'");
    expect([batched?.n, live?.n]).toEqual([0, 0]);
  });

  it("remittance texts: the SQL shortcut and remittanceFor agree (a plain surname and a first name starting with a plain letter in SQL, the rest by remittanceFor)", async () => {
    const plain = await pendingRent();
    const accented = await pendingRent();
    await runText(database.db, "update beneficiaries set last_name = 'Lefèvre-Dürand', first_name = 'Élodie' where id = $1::uuid", [accented.household.id]);
    await runText(database.db, "update beneficiaries set first_name = 'Zoé' where id = $1::uuid", [plain.household.id]);
    // Named, so that orders an earlier test left on another account make no second batch.
    const res = await call("POST", "/v1/payment-batches", { bankAccountId: await defaultAccountId(), executionDate: TODAY });
    expect(res.status, res.text).toBe(201);
    const rows = await runText<{ order_id: string; remittance: string; last_name: string; first_name: string }>(
      database.db,
      `select l.order_id, l.remittance, b.last_name, b.first_name from payment_batch_orders l
         join payment_orders o on o.id = l.order_id join beneficiaries b on b.id = o.beneficiary_id where l.batch_id = $1::uuid`,
      [res.body.id],
    );
    for (const r of rows) {
      expect(r.remittance).toBe(remittanceFor({ kind: "rent", period: "2026-01", lastName: r.last_name, firstName: r.first_name }));
    }
    const byOrder = new Map(rows.map((r) => [r.order_id, r.remittance]));
    expect(byOrder.get(accented.order.id)).toBe("LOYER 01/2026 LEFEVRE-DUERAND E");
    expect(byOrder.get(plain.order.id)).toBe(`LOYER 01/2026 ${plain.household.lastName.toUpperCase()} Z`);
    expect((await call("POST", `/v1/payment-batches/${res.body.id}/dissolution`)).status).toBe(200);
  });

  it("the file is stored when first generated (once, even when two first downloads race) and every download is the stored bytes", async () => {
    await pendingRent();
    const res = await call("POST", "/v1/payment-batches", { bankAccountId: await defaultAccountId(), executionDate: TODAY });
    expect(res.status, res.text).toBe(201);
    const stored = async (id: string) =>
      runText<{ bytes: string; sha256: string; parts: number; audits: number }>(
        database.db,
        `select f.bytes::text as bytes, f.sha256, f.parts,
                (select count(*)::int from audit_log a where a.action = 'payment_batch.file' and a.entity_id = f.batch_id) as audits
           from payment_batch_files f where f.batch_id = $1::uuid`,
        [id],
      );
    expect(await stored(res.body.id)).toEqual([]);
    const answers = await Promise.all([1, 2, 3].map(() => download(res.body.id)));
    const texts = await Promise.all(answers.map((a) => a.text()));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(new Set(texts).size).toBe(1);
    const [file] = await stored(res.body.id);
    const bytes = Buffer.from(texts[0]!, "utf8");
    expect(file).toEqual({ bytes: String(bytes.length), sha256: createHash("sha256").update(bytes).digest("hex"), parts: 1, audits: 1 });
    expect(answers[0]!.headers.get("content-length")).toBe(String(bytes.length));
    expect(await schemaErrors(texts[0]!, "pain.001.001.09")).toEqual([]);
    // Neither changed nor removed (append-only), not even by the owner.
    await expect(runText(database.db, "delete from payment_batch_file_parts where batch_id = $1::uuid", [res.body.id])).rejects.toThrow();
    expect((await call("POST", `/v1/payment-batches/${res.body.id}/dissolution`)).status).toBe(200);

    // A batch whose stored file differs from what the writer would make today: the stored bytes are served.
    await pendingRent();
    const next = await call("POST", "/v1/payment-batches", { executionDate: TODAY });
    const kept = '<?xml version="1.0"?><Document>as first generated</Document>\n';
    await runText(database.db, "insert into payment_batch_file_parts (batch_id, seq, gzip) values ($1::uuid, 0, $2::bytea)", [next.body.id, gzipSync(kept)]);
    await runText(database.db, "insert into payment_batch_files (batch_id, bytes, sha256, parts) values ($1::uuid, $2::bigint, 'x', 1)", [
      next.body.id,
      Buffer.byteLength(kept),
    ]);
    expect(await (await download(next.body.id)).text()).toBe(kept);
    expect((await call("POST", `/v1/payment-batches/${next.body.id}/dissolution`)).status).toBe(200);
  });

  it("the default pooled account without an IBAN: 422 no_iban when something is due from it; an account of its own with nothing due: 422 no_order", async () => {
    const pooled = await defaultAccountId();
    const own = randomUUID();
    const h = await household();
    await runText(
      database.db,
      `insert into bank_accounts (id, name, iban, kind, beneficiary_id, pain_version, batch_booking, ledger_address)
       values ($1::uuid, 'Compte de M. Martin', 'FR1420041010050500013M02606', 'beneficiary', $2::uuid, 'pain.001.001.09', true, 'bank:' || $1)`,
      [own, h.id],
    );
    await pendingRent();
    const batchedCount = async () =>
      (await runText<{ n: number }>(database.db, "select count(*)::int as n from payment_orders where status = 'batched'"))[0]?.n;
    const before = await batchedCount();
    await runText(database.db, "update bank_accounts set iban = null where is_default");
    try {
      const pooledRes = await call("POST", "/v1/payment-batches", { bankAccountId: pooled, executionDate: TODAY });
      expect(pooledRes.status, pooledRes.text).toBe(422);
      expect(pooledRes.body.error.details).toEqual([expect.objectContaining({ field: "bankAccountId", code: "no_iban" })]);
      const ownRes = await call("POST", "/v1/payment-batches", { bankAccountId: own, executionDate: TODAY });
      expect(ownRes.status, ownRes.text).toBe(422);
      expect(ownRes.body.error.details).toEqual([expect.objectContaining({ field: "executionDate", code: "no_order" })]);
      expect(await batchedCount()).toBe(before);
    } finally {
      await runText(database.db, "update bank_accounts set iban = $1 where is_default", [POOLED_IBAN]);
    }
    const res = await call("POST", "/v1/payment-batches", { executionDate: TODAY });
    expect(res.status, res.text).toBe(201);
    for (const b of res.body.batches) expect((await call("POST", `/v1/payment-batches/${b.id}/dissolution`)).status).toBe(200);
  });
});
