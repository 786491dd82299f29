import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BankEntry, BankFile, BankStatement } from "../../src/banking/statements/types";
import { runText } from "../../src/db/sql";
import type { ServiceContext } from "../../src/services/context";
import { runPayments } from "../../src/services/payments/run-payments";
import { importStatements } from "../../src/services/statements/import-statements";
import { checkReconciliations } from "../../src/services/statements/reconciliation";
import { apiCaller, bearer, createTestApp, type Headers, type TestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { approvedBy } from "../support/four-eyes";
import { BENEFICIARY_IBAN, expectLedgerSound, householdMaker, LANDLORD } from "../support/household";

/**
 * Statements into the ledger, on PostgreSQL: lines stored once by their natural key,
 * CAF and MSA credits recognised and allocated like `POST /v1/credits`, our orders
 * settled or returned, fees to expenses, everything else into suspense (471), never an
 * envelope. The files are objects here (the parser's output); tests run in order on one
 * database, each on its own days so statements do not overlap unless meant to.
 */
const TODAY = "2026-03-20";
const POOLED_IBAN = "FR7630001007941234567890185";
const CAF_IBAN = "FR7610011000201234567890188";

let seq = 0;
const ref = () => `REF${++seq}`;

interface EntryInput {
  amount: number;
  bookingDate: string;
  name?: string;
  iban?: string;
  remittance?: string;
  endToEndId?: string;
  returnReason?: string;
  batchId?: string;
  numberOfTransactions?: number;
  transactionCode?: string;
  bankReference?: string | null;
  label?: string;
}

const entry = (e: EntryInput, position: number): BankEntry => ({
  position,
  bookingDate: e.bookingDate,
  valueDate: e.bookingDate,
  amount: BigInt(e.amount),
  bankReference: e.bankReference === undefined ? ref() : e.bankReference,
  label: e.label ?? e.remittance ?? "",
  transactionCode: e.transactionCode ?? null,
  details: [
    {
      amount: BigInt(e.amount),
      endToEndId: e.endToEndId ?? null,
      counterpartyName: e.name ?? null,
      counterpartyIban: e.iban ?? null,
      remittance: e.remittance ?? null,
      returnReason: e.returnReason ?? null,
      chequeNumber: null,
      batchId: e.batchId ?? null,
      numberOfTransactions: e.numberOfTransactions ?? null,
    },
  ],
});

function statement(input: { from: string; to: string; opening: number; entries: EntryInput[]; closing?: number; iban?: string }): BankStatement {
  const entries = input.entries.map(entry);
  const sum = entries.reduce((s, e) => s + e.amount, 0n);
  return {
    format: "camt.053",
    iban: input.iban ?? POOLED_IBAN,
    rib: null,
    currency: "EUR",
    statementId: null,
    from: input.from,
    to: input.to,
    openingBalance: BigInt(input.opening),
    closingBalance: input.closing === undefined ? BigInt(input.opening) + sum : BigInt(input.closing),
    entries,
  };
}

const file = (...statements: BankStatement[]): BankFile => ({ kind: "statements", format: "camt.053", statements });

describe("bank statements", () => {
  let database: TestDatabase;
  let app: TestApp;
  let admin: Headers;
  let finance: Headers;
  let manager: Headers;
  let ctx: ServiceContext;
  const call = apiCaller(
    () => app,
    () => finance,
  );
  const asManager = apiCaller(
    () => app,
    () => manager,
  );
  const household = householdMaker((method, path, body, headers) => call(method, path, body, headers ?? admin), {
    managed: ["RSA", "AAH", "ALS", "APL"],
    iban: BENEFICIARY_IBAN,
  });
  let cafCounter = 1000000;
  async function allocataire(setup: Parameters<typeof household>[0] = {}, field: "cafNumber" | "msaNumber" = "cafNumber") {
    const h = await household(setup);
    const number = String(++cafCounter);
    await runText(database.db, `update beneficiaries set ${field === "cafNumber" ? "caf_number" : "msa_number"} = $1 where id = $2`, [number, h.id]);
    return { ...h, number };
  }
  const balances = async (id: string) => (await call("GET", `/v1/beneficiaries/${id}/balances`)).body;
  const lines = async (statementId: string) =>
    (await call("GET", `/v1/bank-statements/${statementId}`)).body.entries as {
      status: string;
      reason: string | null;
      matched: Record<string, unknown> | null;
      amount: number;
    }[];
  const suspenseBalance = async () => {
    const [row] = await runText<{ b: string }>(
      database.db,
      `select coalesce(sum(case when p.direction = 'credit' then p.amount else -p.amount end), 0)::text as b
         from ledger_postings p join ledger_accounts a on a.id = p.account_id where a.address = 'suspense:bank'`,
    );
    return BigInt(row!.b);
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    app = createTestApp(database.db, { today: () => TODAY });
    admin = await bearer(database.db, "admin");
    finance = await bearer(database.db, "finance");
    manager = await bearer(database.db, "manager");
    await runText(database.db, "update bank_accounts set iban = $1, name = 'Compte principal' where is_default", [POOLED_IBAN]);
    ctx = { db: database.db, actor: "test", role: "finance", today: () => TODAY };
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("a month of CAF and MSA credits: each recognised, allocated rent first, posted from the bank account", async () => {
    const a = await allocataire();
    const b = await allocataire();
    const m = await allocataire({}, "msaNumber");
    const s = statement({
      from: "2026-01-05",
      to: "2026-01-05",
      opening: 0,
      entries: [
        { amount: 60775, bookingDate: "2026-01-05", name: "CAF DE LA MAYENNE", remittance: `RSA 12/2025 ALLOCATAIRE ${a.number}` },
        { amount: 30000, bookingDate: "2026-01-05", name: "CAF DE LA MAYENNE", remittance: `AAH 12/2025 ALLOCATAIRE ${b.number}` },
        { amount: 20000, bookingDate: "2026-01-05", iban: CAF_IBAN, name: "MUTUALITE SOCIALE AGRICOLE", remittance: `RSA MATRICULE ${m.number}` },
      ],
    });
    const out = await importStatements(ctx, file(s));
    expect(out.status).toBe(201);
    expect(out.statements[0]).toMatchObject({ lines: 3, matched: 3, suspense: 0, consistent: true, difference: 0 });
    expect((await balances(a.id)).total).toBe(60775);
    expect((await balances(b.id)).total).toBe(30000);
    expect((await balances(m.id)).total).toBe(20000);
    const got = await lines(out.statements[0]!.id);
    expect(got.map((l) => l.status)).toEqual(["matched", "matched", "matched"]);
    expect(got[0]!.matched).toMatchObject({ kind: "credit", payer: "CAF", prestation: "RSA", beneficiaryId: a.id });
    // The credit is the same record `POST /v1/credits` writes.
    const [credit] = await runText<{ payer: string; prestation: string }>(database.db, "select payer, prestation from credits where beneficiary_id = $1", [
      a.id,
    ]);
    expect(credit).toEqual({ payer: "CAF", prestation: "RSA" });
    await expectLedgerSound(asManager, finance);
  });

  it("salary, prime d'activité, an unknown allocataire and a measure that ended: suspense (471), never an envelope", async () => {
    const ended = await allocataire({ measure: { level: "MASP2", startDate: "2025-01-01", endDate: "2025-12-31", managedPrestations: ["RSA"] } });
    const before = await suspenseBalance();
    const s = statement({
      from: "2026-01-06",
      to: "2026-01-06",
      opening: 0,
      entries: [
        { amount: 150000, bookingDate: "2026-01-06", name: "SARL DUPONT", remittance: "SALAIRE DECEMBRE" },
        { amount: 18000, bookingDate: "2026-01-06", name: "CAF DE LA MAYENNE", remittance: `PRIME D'ACTIVITE ALLOCATAIRE ${ended.number}` },
        { amount: 40000, bookingDate: "2026-01-06", name: "CAF DE LA MAYENNE", remittance: "RSA ALLOCATAIRE 9999999" },
        { amount: 50000, bookingDate: "2026-01-06", name: "CAF DE LA MAYENNE", remittance: `RSA ALLOCATAIRE ${ended.number}` },
      ],
    });
    const out = await importStatements(ctx, file(s));
    expect(out.statements[0]).toMatchObject({ lines: 4, matched: 0, suspense: 4 });
    const got = await lines(out.statements[0]!.id);
    expect(got.map((l) => l.reason)).toEqual(["payer_unknown", "not_managed", "beneficiary_not_found", "measure_ended"]);
    expect((await suspenseBalance()) - before).toBe(258000n);
    expect((await balances(ended.id)).total).toBe(0);
    const list = await call("GET", "/v1/suspense");
    if (list.status === 200) expect(list.body.items.length).toBeGreaterThanOrEqual(4);
    await expectLedgerSound(asManager, finance);
  });

  it("the same statement twice: 200, the same ids, no new line, nothing posted again", async () => {
    const a = await allocataire();
    const s = statement({
      from: "2026-01-07",
      to: "2026-01-07",
      opening: 0,
      entries: [
        { amount: 10000, bookingDate: "2026-01-07", name: "CAF", remittance: `RSA ALLOCATAIRE ${a.number}`, bankReference: null },
        { amount: 10000, bookingDate: "2026-01-07", name: "CAF", remittance: `RSA ALLOCATAIRE ${a.number}`, bankReference: null },
      ],
    });
    const first = await importStatements(ctx, file(s));
    const again = await importStatements(ctx, file(s));
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.statements.map((x) => x.id)).toEqual(first.statements.map((x) => x.id));
    // Two identical lines of one day without a bank reference: two lines (their ordinal tells them apart).
    const [count] = await runText<{ n: number }>(database.db, "select count(*)::int as n from bank_statement_lines where booking_date = '2026-01-07'");
    expect(count!.n).toBe(2);
    expect((await balances(a.id)).total).toBe(20000);
  });

  it("two overlapping statements never post a line twice", async () => {
    const a = await allocataire();
    const day1 = { amount: 11100, bookingDate: "2026-01-08", name: "CAF", remittance: `RSA ALLOCATAIRE ${a.number}`, bankReference: null };
    const day2 = { amount: 22200, bookingDate: "2026-01-09", name: "CAF", remittance: `AAH ALLOCATAIRE ${a.number}`, bankReference: "B-0109" };
    const day3 = { amount: 33300, bookingDate: "2026-01-10", name: "CAF", remittance: `RSA ALLOCATAIRE ${a.number}`, bankReference: null };
    const first = await importStatements(ctx, file(statement({ from: "2026-01-08", to: "2026-01-09", opening: 0, entries: [day1, day2] })));
    const second = await importStatements(ctx, file(statement({ from: "2026-01-09", to: "2026-01-10", opening: 11100, entries: [day2, day3] })));
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.statements[0]!.id).not.toBe(first.statements[0]!.id);
    expect((await balances(a.id)).total).toBe(66600);
    const [count] = await runText<{ n: number }>(
      database.db,
      "select count(*)::int as n from bank_statement_lines where booking_date between '2026-01-08' and '2026-01-10'",
    );
    expect(count!.n).toBe(3);
  });

  it("a statement that does not add up is imported, marked with its difference, and raises a finance alert", async () => {
    const s = statement({
      from: "2026-01-12",
      to: "2026-01-12",
      opening: 0,
      closing: 5000,
      entries: [{ amount: 3000, bookingDate: "2026-01-12", name: "INCONNU", remittance: "VIREMENT" }],
    });
    const out = await importStatements(ctx, file(s));
    expect(out.statements[0]).toMatchObject({ consistent: false, difference: 2000 });
    const alerts = await call("GET", "/v1/alerts?type=statement_inconsistent&audience=finance");
    expect(alerts.status, alerts.text).toBe(200);
    expect(alerts.body.items.some((x: { evidence: { statementId: string } }) => x.evidence.statementId === out.statements[0]!.id)).toBe(true);
  });

  it("an unknown account: 422 naming it, nothing imported", async () => {
    const s = statement({
      from: "2026-01-13",
      to: "2026-01-13",
      opening: 0,
      iban: "FR7630006000011234567890189",
      entries: [{ amount: 100, bookingDate: "2026-01-13" }],
    });
    await expect(importStatements(ctx, file(s))).rejects.toMatchObject({ code: "validation_failed" });
    const [count] = await runText<{ n: number }>(database.db, "select count(*)::int as n from bank_statement_lines where booking_date = '2026-01-13'");
    expect(count!.n).toBe(0);
  });

  it("bank fees go to the association's expenses, an unexplained debit to suspense", async () => {
    const s = statement({
      from: "2026-01-14",
      to: "2026-01-14",
      opening: 100000,
      entries: [
        { amount: -1250, bookingDate: "2026-01-14", label: "FRAIS TENUE DE COMPTE", transactionCode: "ACMT/MDOP/CHRG" },
        { amount: -4000, bookingDate: "2026-01-14", label: "PRLV INCONNU" },
      ],
    });
    const out = await importStatements(ctx, file(s));
    const got = await lines(out.statements[0]!.id);
    expect(got.map((l) => [l.status, l.reason])).toEqual([
      ["matched", null],
      ["suspense", "unexplained_debit"],
    ]);
    expect(got[0]!.matched).toMatchObject({ kind: "bank_fee" });
    await expectLedgerSound(asManager, finance);
  });

  it("the same file imported twice at once: one set of lines, one credit", async () => {
    const a = await allocataire();
    const s = statement({
      from: "2026-01-15",
      to: "2026-01-15",
      opening: 0,
      entries: [{ amount: 42000, bookingDate: "2026-01-15", name: "CAF", remittance: `RSA ALLOCATAIRE ${a.number}` }],
    });
    const [x, y] = await Promise.all([importStatements(ctx, file(s)), importStatements(ctx, file(s))]);
    expect([x.status, y.status].sort()).toEqual([200, 201]);
    expect(x.statements[0]!.id).toBe(y.statements[0]!.id);
    const [count] = await runText<{ n: number }>(database.db, "select count(*)::int as n from bank_statement_lines where booking_date = '2026-01-15'");
    expect(count!.n).toBe(1);
    expect((await balances(a.id)).total).toBe(42000);
  });

  it("a credit typed by hand within five days is matched to the line, not posted again", async () => {
    const a = await allocataire();
    const typed = await call(
      "POST",
      "/v1/credits",
      { beneficiaryId: a.id, payer: "CAF", prestation: "RSA", amount: 54321, valueDate: "2026-01-14", reference: "saisie" },
      { ...finance, "Idempotency-Key": randomUUID() },
    );
    expect(typed.status, typed.text).toBe(201);
    const s = statement({
      from: "2026-01-16",
      to: "2026-01-16",
      opening: 0,
      entries: [{ amount: 54321, bookingDate: "2026-01-16", name: "CAF", remittance: `RSA ALLOCATAIRE ${a.number}` }],
    });
    const out = await importStatements(ctx, file(s));
    const got = await lines(out.statements[0]!.id);
    expect(got[0]).toMatchObject({ status: "matched", matched: { creditId: typed.body.transactionId, handTyped: true } });
    expect((await balances(a.id)).total).toBe(54321);
  });

  describe("our own transfers", () => {
    /** Sent rent orders of fresh households (50 000 each for January... the rent job of TODAY). */
    async function sentOrders(n: number) {
      const households = [];
      for (let i = 0; i < n; i++) {
        const h = await household();
        const credit = await call(
          "POST",
          "/v1/credits",
          { beneficiaryId: h.id, payer: "CAF", prestation: "RSA", amount: 200000, valueDate: "2026-03-02" },
          { ...finance, "Idempotency-Key": randomUUID() },
        );
        expect(credit.status, credit.text).toBe(201);
        households.push(h);
      }
      await runPayments({ db: database.db, kind: "rent", asOf: TODAY, actor: "test" });
      const orders: { id: string; amount: number }[] = [];
      for (const h of households) {
        const res = await call("GET", `/v1/payment-orders?beneficiaryId=${h.id}&status=pending`);
        orders.push(...res.body.items);
      }
      const batch = await call("POST", "/v1/payment-batches", { executionDate: TODAY });
      expect(batch.status, batch.text).toBe(201);
      expect((await call("POST", `/v1/payment-batches/${batch.body.id}/sent`)).status).toBe(200);
      const [row] = await runText<{ msg_id: string }>(database.db, "select msg_id from payment_batches where id = $1", [batch.body.id]);
      return { orders, batch: { ...batch.body, msgId: row!.msg_id } as { id: string; total: number; orders: number; msgId: string } };
    }
    const statusOf = async (id: string) => (await runText<{ status: string }>(database.db, "select status from payment_orders where id = $1", [id]))[0]?.status;
    const e2e = (id: string) => id.replace(/-/g, "");

    it("a batch-booked debit settles the whole batch (by its total and count); a returned rent transfer marks its order returned", async () => {
      const { orders, batch } = await sentOrders(2);
      expect(orders.length).toBeGreaterThanOrEqual(2);
      const out = await importStatements(
        ctx,
        file(
          statement({
            from: "2026-03-18",
            to: "2026-03-19",
            opening: 1_000_000,
            entries: [
              { amount: -batch.total, bookingDate: "2026-03-18", label: "REMISE VIREMENTS", numberOfTransactions: batch.orders },
              { amount: orders[0]!.amount, bookingDate: "2026-03-19", name: "BANQUE BAILLEUR", endToEndId: e2e(orders[0]!.id), returnReason: "AC04" },
            ],
          }),
        ),
      );
      const got = await lines(out.statements[0]!.id);
      expect(got.map((l) => l.status)).toEqual(["settled_order", "returned_order"]);
      expect(await statusOf(orders[0]!.id)).toBe("returned");
      expect(await statusOf(orders[1]!.id)).toBe("settled");
      await expectLedgerSound(asManager, finance);
    });

    it("a debit by EndToEndId settles its order; a pain.002 rejection marks an order rejected", async () => {
      const { orders } = await sentOrders(2);
      const out = await importStatements(
        ctx,
        file(
          statement({
            from: "2026-03-20",
            to: "2026-03-20",
            opening: 0,
            entries: [{ amount: -orders[0]!.amount, bookingDate: "2026-03-20", endToEndId: e2e(orders[0]!.id) }],
          }),
        ),
      );
      expect((await lines(out.statements[0]!.id))[0]!.status).toBe("settled_order");
      expect(await statusOf(orders[0]!.id)).toBe("settled");
      const report = await importStatements(ctx, {
        kind: "status_report",
        reports: [
          {
            originalMessageId: "X",
            groupStatus: "PART",
            groupReason: null,
            transactions: [{ endToEndId: e2e(orders[1]!.id), status: "RJCT", reasonCode: "AC01", date: TODAY }],
          },
        ],
      });
      expect(report.orders).toMatchObject({ rejected: 1 });
      expect(await statusOf(orders[1]!.id)).toBe("rejected");
      await expectLedgerSound(asManager, finance);
    });
  });

  it("lists statements and reads one with its entries; matching rules as data", async () => {
    const list = await call("GET", "/v1/bank-statements");
    expect(list.status, list.text).toBe(200);
    expect(list.body.items.length).toBeGreaterThan(5);
    expect((await call("GET", `/v1/bank-statements/${randomUUID()}`)).status).toBe(404);
    const rules = await call("GET", "/v1/matching-rules");
    expect(rules.body.items.map((r: { payer: string }) => r.payer)).toEqual(["CAF", "MSA"]);
    expect((await call("PUT", "/v1/matching-rules", { items: rules.body.items })).status).toBe(403);
    const bad = structuredClone(rules.body.items);
    bad[0].spec.names = ["(unclosed"];
    expect((await call("PUT", "/v1/matching-rules", { items: bad }, admin)).status).toBe(422);
    const put = await call("PUT", "/v1/matching-rules", { items: rules.body.items }, admin);
    expect(put.status, put.text).toBe(200);
    expect(put.body.items).toEqual(rules.body.items);
  });
  describe("suspense decisions (four eyes) and reconciliation", () => {
    const approved = approvedBy(
      (m, p, b, h) => call(m, p, b, h),
      () => manager,
    );
    let accountId: string;
    const day = "2026-02-02";

    it("a line on a second account: split across two beneficiaries once someone else approves; the parts must sum to the line", async () => {
      const account = await call(
        "POST",
        "/v1/bank-accounts",
        {
          name: "Compte secondaire",
          iban: LANDLORD.iban,
          kind: "pooled",
          painVersion: "pain.001.001.09",
          batchBooking: true,
          openingBalance: 0,
          openingDate: "2026-01-01",
        },
        admin,
      );
      expect(account.status, account.text).toBe(201);
      accountId = account.body.id;
      const a = await allocataire();
      const b = await allocataire();
      const out = await importStatements(
        ctx,
        file(
          statement({
            iban: LANDLORD.iban,
            from: day,
            to: day,
            opening: 0,
            entries: [
              { amount: 70000, bookingDate: day, name: "CAF DE LA MAYENNE", remittance: "RSA DOSSIER SANS NUMERO" },
              { amount: 25000, bookingDate: day, name: "SARL DUPONT", iban: BENEFICIARY_IBAN, remittance: "SALAIRE" },
              { amount: -3000, bookingDate: day, label: "PRLV SEPA INCONNU" },
            ],
          }),
        ),
      );
      expect(out.statements[0]).toMatchObject({ bankAccountId: accountId, suspense: 3 });
      const suspense = await call("GET", "/v1/suspense");
      expect(suspense.status, suspense.text).toBe(200);
      const mine = suspense.body.items.filter((i: { bankAccountId: string }) => i.bankAccountId === accountId) as {
        lineId: string;
        amount: number;
        reason: string;
      }[];
      expect(mine.map((i) => i.reason).sort()).toEqual(["beneficiary_number_missing", "payer_unknown", "unexplained_debit"]);
      const caf = mine.find((i) => i.amount === 70000)!;
      const wrong = await call("POST", `/v1/suspense/${caf.lineId}/assignments`, {
        parts: [{ beneficiaryId: a.id, payer: "CAF", prestation: "RSA", amount: 1000 }],
      });
      expect(wrong.status, wrong.text).toBe(422);
      const parts = {
        parts: [
          { beneficiaryId: a.id, payer: "CAF", prestation: "RSA", amount: 40000 },
          { beneficiaryId: b.id, payer: "CAF", prestation: "AAH", amount: 30000 },
        ],
      };
      const proposed = await call("POST", `/v1/suspense/${caf.lineId}/assignments`, parts);
      expect(proposed.status, proposed.text).toBe(202);
      expect((await call("POST", `/v1/proposals/${proposed.body.proposalId}/approval`, { comment: "moi" })).status).toBe(403);
      const applied = await call("POST", `/v1/proposals/${proposed.body.proposalId}/approval`, { comment: "vu" }, manager);
      expect(applied.status, applied.text).toBe(200);
      expect(applied.body).toMatchObject({ status: "matched", matched: { kind: "assignment" } });
      expect((await balances(a.id)).total).toBe(40000);
      expect((await balances(b.id)).total).toBe(30000);
      // Decided once: a second decision finds it no longer in suspense.
      expect((await approved("POST", `/v1/suspense/${caf.lineId}/assignments`, parts)).status).toBe(409);

      const salary = mine.find((i) => i.amount === 25000)!;
      const forwarded = await approved("POST", `/v1/suspense/${salary.lineId}/assignments`, { action: "forward", beneficiaryId: a.id });
      expect(forwarded.status, forwarded.text).toBe(200);
      const orderId = forwarded.body.matched.paymentOrderId as string;
      const [order] = await runText<{ kind: string; amount: string; status: string }>(
        database.db,
        "select kind, amount::text as amount, status from payment_orders where id = $1",
        [orderId],
      );
      expect(order).toEqual({ kind: "forward", amount: "25000", status: "pending" });

      const debit = mine.find((i) => i.amount === -3000)!;
      expect((await approved("POST", `/v1/suspense/${debit.lineId}/assignments`, { action: "forward", beneficiaryId: a.id })).status).toBe(422);
      const expense = await approved("POST", `/v1/suspense/${debit.lineId}/assignments`, { action: "expense", account: "bank_fees" });
      expect(expense.status, expense.text).toBe(200);
      await expectLedgerSound(asManager, finance);
    });

    it("reconciliation: the account's ledger balance against the statement's closing; a difference raises a finance alert", async () => {
      const ok = await call("GET", `/v1/bank-accounts/${accountId}/reconciliation?date=${day}`);
      expect(ok.status, ok.text).toBe(200);
      expect(ok.body).toMatchObject({ ledgerBalance: 92000, statementBalance: 92000, difference: 0, unmatched: 0 });
      expect((await call("GET", `/v1/bank-accounts/${accountId}/reconciliation?date=2026-01-01`)).status).toBe(404);
      // The bank says more than arrived: the statement does not add up, and the ledger disagrees with it.
      await importStatements(ctx, file(statement({ iban: LANDLORD.iban, from: "2026-02-03", to: "2026-02-03", opening: 92000, closing: 99000, entries: [] })));
      const off = await call("GET", `/v1/bank-accounts/${accountId}/reconciliation?date=2026-02-03`);
      expect(off.body).toMatchObject({ ledgerBalance: 92000, statementBalance: 99000, difference: -7000 });
      const first = await checkReconciliations(database.db, "2026-02-03");
      expect(first.alertsRaised).toBeGreaterThanOrEqual(1);
      expect((await checkReconciliations(database.db, "2026-02-03")).alertsRaised).toBe(0);
      const alerts = await call("GET", "/v1/alerts?type=bank_difference");
      expect(alerts.body.items.some((x: { evidence: { bankAccountId: string } }) => x.evidence.bankAccountId === accountId)).toBe(true);
    });
  });
});
