import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runText } from "../../src/db/sql";
import { checkUnpaidRent } from "../../src/services/alerts/check-unpaid-rent";
import { runPayments } from "../../src/services/payments/run-payments";
import { apiCaller, bearer, createTestApp, type Headers, type TestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { BENEFICIARY_IBAN, expectLedgerSound, householdMaker } from "../support/household";

const POOLED_IBAN = "FR7630001007941234567890185";
const NOTARY_IBAN = "FR7610107001011234567890129";

/**
 * The life of a measure (issue 16): renewal up to its end date (with a change of level),
 * an avenant's new end date within 6–24 months and 4 years per measure and its renewals,
 * the new end reasons, and closing the accounts: orders cancelled or kept, the envelopes
 * paid back or held (a deceased person's estate), the payers' notices and the final
 * statement; a credit after the end refused naming the end date.
 */
describe("measure life API", () => {
  let database: TestDatabase;
  let app: TestApp;
  let admin: Headers;
  let finance: Headers;
  let caseworker: Headers;
  let today = "2026-03-02";

  const call = apiCaller(
    () => app,
    () => admin,
  );
  const household = householdMaker(call, { managed: ["RSA", "AAH"], iban: BENEFICIARY_IBAN });
  const review = (date: string) => ({ date, author: "CESF Laval", outcome: "renew", comment: "bilan" });

  beforeAll(async () => {
    database = await createTestDatabase();
    app = createTestApp(database.db, { today: () => today });
    admin = await bearer(database.db, "admin");
    finance = await bearer(database.db, "finance");
    caseworker = await bearer(database.db, "caseworker");
    await runText(database.db, "update bank_accounts set iban = $1, name = 'Compte principal' where is_default", [POOLED_IBAN]);
  });
  afterAll(async () => database?.dispose());
  beforeEach(() => {
    today = "2026-03-02";
  });

  const credit = (beneficiaryId: string, amount: number, valueDate: string, key = randomUUID()) =>
    call(
      "POST",
      "/v1/credits",
      { beneficiaryId, payer: "CAF", prestation: "RSA", amount, valueDate, reference: `CAF ${key.slice(0, 8)}` },
      { ...finance, "Idempotency-Key": key },
    );
  const end = (measureId: string, endDate: string, reason = "objectives_reached") => call("POST", `/v1/measures/${measureId}/end`, { endDate, reason });
  const close = (measureId: string, body: Record<string, unknown>, headers: Headers = finance) =>
    call("POST", `/v1/measures/${measureId}/closing`, { date: today, ...body }, headers);
  const orders = async (beneficiaryId: string) =>
    (await call("GET", `/v1/payment-orders?beneficiaryId=${beneficiaryId}`, undefined, finance)).body.items as {
      id: string;
      kind: string;
      status: string;
      amount: number;
      method: string;
      creditorName: string;
      creditorIban: string | null;
    }[];
  const balances = async (id: string) => (await call("GET", `/v1/beneficiaries/${id}/balances`)).body;

  describe("renewal", () => {
    it("renews up to and including the end date; the day after, 409 (open a new measure)", async () => {
      today = "2026-12-31";
      const h = await household();
      const renewed = await call("POST", `/v1/measures/${h.measureId}/renewals`, { review: review("2026-12-15"), endDate: "2027-12-31" });
      expect(renewed.status, renewed.text).toBe(201);
      expect(renewed.body).toMatchObject({ startDate: "2027-01-01", endDate: "2027-12-31", level: "MASP2", previousMeasureId: h.measureId });

      today = "2027-01-01";
      const late = await household();
      const refused = await call("POST", `/v1/measures/${late.measureId}/renewals`, { review: review("2026-12-15"), endDate: "2027-12-31" });
      expect(refused.status).toBe(409);
      expect(refused.body.error).toMatchObject({ code: "measure_ended", details: { endDate: "2026-12-31" } });
      today = "2026-03-02";
    });

    it("changes the level: MASP 2 → MASP 1 manages nothing; MASP 1 → MASP 2 names its prestations (422 without)", async () => {
      const h = await household();
      const down = await call("POST", `/v1/measures/${h.measureId}/renewals`, { review: review("2026-03-01"), endDate: "2027-06-30", level: "MASP1" });
      expect(down.status, down.text).toBe(201);
      expect(down.body).toMatchObject({ level: "MASP1", managedPrestations: [], extension: false });

      // (the review takes place during the period it renews: the MASP 1 period starts in 2027)
      today = "2027-06-01";
      const missing = await call("POST", `/v1/measures/${down.body.id}/renewals`, { review: review("2027-06-01"), endDate: "2028-06-30", level: "MASP2" });
      expect(missing.status).toBe(422);
      expect(missing.body.error.details).toEqual([expect.objectContaining({ code: "masp2_needs_prestations" })]);
      const up = await call("POST", `/v1/measures/${down.body.id}/renewals`, {
        review: review("2027-06-01"),
        endDate: "2028-06-30",
        level: "MASP2",
        managedPrestations: ["RSA"],
      });
      today = "2026-03-02";
      expect(up.status, up.text).toBe(201);
      expect(up.body).toMatchObject({ level: "MASP2", managedPrestations: ["RSA"], startDate: "2027-07-01" });
    });
  });

  describe("avenant changing the end date", () => {
    it("keeps the period within 6–24 months (422) and records the old and new end dates", async () => {
      const h = await household();
      const amend = (endDate: string) => call("POST", `/v1/measures/${h.measureId}/amendments`, { effectiveDate: "2026-03-01", reason: "avenant", endDate });
      expect((await amend("2026-05-31")).body.error.details).toEqual([expect.objectContaining({ field: "endDate", code: "too_short" })]);
      expect((await amend("2028-01-31")).body.error.details).toEqual([expect.objectContaining({ field: "endDate", code: "too_long" })]);
      const ok = await amend("2027-06-30");
      expect(ok.status, ok.text).toBe(201);
      expect(ok.body.endDate).toBe("2027-06-30");
      expect(ok.body.amendments.at(-1)).toMatchObject({ endDate: "2027-06-30", previousEndDate: "2026-12-31" });
    });

    it("refuses an end date past 4 years of the measure and its renewals (422); a new measure later starts a new count", async () => {
      today = "2026-12-01";
      const h = await household();
      const second = await call("POST", `/v1/measures/${h.measureId}/renewals`, { review: review("2026-12-01"), endDate: "2028-12-31" });
      expect(second.status, second.text).toBe(201);
      today = "2028-12-01";
      const renewed = await call("POST", `/v1/measures/${second.body.id}/renewals`, { review: review("2028-12-01"), endDate: "2029-06-30" });
      expect(renewed.status, renewed.text).toBe(201);
      today = "2029-03-01";
      // 18 months for the period, but 54 for the measure and its renewals.
      const past = await call("POST", `/v1/measures/${renewed.body.id}/amendments`, { effectiveDate: "2029-03-01", reason: "avenant", endDate: "2030-06-30" });
      expect(past.status).toBe(422);
      expect(past.body.error.details).toEqual([expect.objectContaining({ field: "endDate", code: "over_48_months" })]);
      const exactly = await call("POST", `/v1/measures/${renewed.body.id}/amendments`, {
        effectiveDate: "2029-03-01",
        reason: "avenant",
        endDate: "2029-12-31",
      });
      expect(exactly.status, exactly.text).toBe(201);
      // Ended, then a new measure years later: a new count of 4 years.
      expect((await end(renewed.body.id, "2029-06-30")).status).toBe(200);
      today = "2031-01-01";
      const fresh = await call("POST", `/v1/beneficiaries/${h.id}/measures`, {
        level: "MASP2",
        startDate: "2031-01-01",
        endDate: "2032-12-31",
        managedPrestations: ["RSA"],
      });
      expect(fresh.status, fresh.text).toBe(201);
      today = "2026-03-02";
    });
  });

  describe("ending", () => {
    it("takes the reasons deceased, not_started and failure, the end date the day of the event; ending twice is 409", async () => {
      for (const reason of ["deceased", "not_started", "failure"]) {
        const h = await household();
        const res = await end(h.measureId, "2026-02-14", reason);
        expect(res.status, res.text).toBe(200);
        expect(res.body).toMatchObject({ status: "ended", endedOn: "2026-02-14", endReason: reason });
        const again = await end(h.measureId, "2026-02-15", reason);
        expect(again.status).toBe(409);
      }
    });

    it("a credit whose value date is after the end → 409 measure_ended naming the end date; the day itself is taken", async () => {
      const h = await household();
      expect((await end(h.measureId, "2026-02-10")).status).toBe(200);
      const after = await credit(h.id, 30000, "2026-02-11");
      expect(after.status).toBe(409);
      expect(after.body.error).toMatchObject({ code: "measure_ended", details: { endDate: "2026-02-10" } });
      expect(after.body.error.message).toContain("2026-02-10");
      expect((await credit(h.id, 30000, "2026-02-10")).status).toBe(201);
    });

    it("no job pays anything new for the measure from the day after its end", async () => {
      const h = await household({ lease: null });
      expect((await credit(h.id, 30000, "2026-02-02")).status).toBe(201);
      expect((await end(h.measureId, "2026-02-05")).status).toBe(200);
      for (const kind of ["rent", "charge", "reversement"] as const) await runPayments({ db: database.db, kind, asOf: "2026-02-10", actor: "test" });
      expect(await orders(h.id)).toEqual([]);
      expect((await balances(h.id)).total).toBe(30000);
    });
  });

  describe("closing the accounts", () => {
    it("refuses a measure that has not ended (409), a caseworker (403), a future date (422)", async () => {
      const h = await household();
      expect((await close(h.measureId, { pendingOrders: "cancel", finalPayment: "transfer" })).status).toBe(409);
      expect((await end(h.measureId, "2026-02-28")).status).toBe(200);
      expect((await close(h.measureId, { pendingOrders: "cancel", finalPayment: "transfer" }, caseworker)).status).toBe(403);
      expect((await close(h.measureId, { pendingOrders: "cancel", finalPayment: "transfer", date: "2026-12-01" })).status).toBe(422);
      expect((await close(h.measureId, { pendingOrders: "cancel", finalPayment: "transfer", date: "2026-02-27" })).status).toBe(422);
      expect((await call("GET", `/v1/measures/${h.measureId}/closing`, undefined, finance)).status).toBe(404);
    });

    it("with pending, batched and sent orders: pending ones cancelled (a batch holding one dissolved), sent ones kept, the rest paid back in one final order; twice → 409", async () => {
      const h = await household();
      const other = await household();
      expect((await credit(h.id, 60000, "2026-01-02")).status).toBe(201);
      expect((await credit(h.id, 60000, "2026-02-02")).status).toBe(201);
      expect((await credit(other.id, 60000, "2026-02-02")).status).toBe(201);
      await runPayments({ db: database.db, kind: "rent", asOf: "2026-01-05", actor: "test" });
      const [january] = await orders(h.id);
      expect(january).toMatchObject({ kind: "rent", status: "pending" });
      // January goes to the bank; February waits in a prepared batch with the other person's order.
      await runText(database.db, "update payment_orders set status = 'sent' where id = $1::uuid", [january!.id]);
      await runPayments({ db: database.db, kind: "rent", asOf: "2026-02-05", actor: "test" });
      const batch = await call("POST", "/v1/payment-batches", { executionDate: "2026-03-02" }, finance);
      expect(batch.status, batch.text).toBe(201);
      const february = (await orders(h.id)).find((o) => o.id !== january!.id)!;
      expect(february).toMatchObject({ status: "batched" });
      await runPayments({ db: database.db, kind: "reversement", asOf: "2026-02-10", actor: "test" });
      const reversement = (await orders(h.id)).find((o) => o.kind === "reversement")!;
      expect(reversement).toMatchObject({ status: "pending" });
      const heldBefore = (await balances(h.id)).total;

      expect((await end(h.measureId, "2026-02-28")).status).toBe(200);
      const closed = await close(h.measureId, { pendingOrders: "cancel", finalPayment: "transfer" });
      expect(closed.status, closed.text).toBe(200);
      const paidBack = heldBefore + february.amount + reversement.amount;
      expect(closed.body).toMatchObject({
        measureId: h.measureId,
        cancelledOrders: 2,
        finalOrders: [{ amount: paidBack, method: "transfer" }],
        held: 0,
        statementUrl: `/mesures/${h.measureId}/releve-final`,
      });
      expect(closed.body.payerNotices.map((n: { payer: string }) => n.payer)).toContain("CAF");

      const after = await orders(h.id);
      expect(after.find((o) => o.id === january!.id)?.status).toBe("sent");
      expect(after.find((o) => o.id === february.id)?.status).toBe("cancelled");
      expect(after.find((o) => o.id === reversement.id)?.status).toBe("cancelled");
      expect(after.find((o) => o.kind === "final")).toMatchObject({ status: "pending", amount: paidBack, creditorIban: BENEFICIARY_IBAN });
      expect((await balances(h.id)).total).toBe(0);
      // The batch was dissolved: the other person's order is pending again, for the next batch.
      const [otherOrder] = (await orders(other.id)).filter((o) => o.kind === "rent" && o.status !== "sent");
      expect(otherOrder?.status).toBe("pending");
      const batchOf = await runText<{ status: string }>(
        database.db,
        "select b.status from payment_batches b join payment_batch_orders l on l.batch_id = b.id where l.order_id = $1::uuid",
        [february.id],
      );
      expect(batchOf).toEqual([{ status: "dissolved" }]);

      const again = await close(h.measureId, { pendingOrders: "cancel", finalPayment: "transfer" });
      expect(again.status).toBe(409);
      const read = await call("GET", `/v1/measures/${h.measureId}/closing`, undefined, finance);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ closedOn: today, pendingOrders: "cancel", finalPayment: "transfer", held: 0 });
      expect(read.body.statement.totals).toMatchObject({ credits: "120000", finalPaid: String(paidBack) });
      const audit = await runText<{ n: number }>(
        database.db,
        "select count(*)::int as n from audit_log where action = 'measure.close' and entity_id = $1::uuid",
        [h.measureId],
      );
      expect(audit[0]!.n).toBe(1);
      await expectLedgerSound(call, finance);
    });

    it("keeps pending orders when asked, and pays what the envelopes hold by cheque (no IBAN needed)", async () => {
      const h = await household({ iban: null });
      expect((await credit(h.id, 80000, "2026-01-02")).status).toBe(201);
      await runPayments({ db: database.db, kind: "rent", asOf: "2026-01-05", actor: "test" });
      const [rent] = await orders(h.id);
      expect((await end(h.measureId, "2026-02-28")).status).toBe(200);
      expect((await close(h.measureId, { pendingOrders: "keep", finalPayment: "transfer" })).body.error.details).toEqual([
        expect.objectContaining({ field: "finalPayment", code: "final_transfer_no_iban" }),
      ]);
      const held = (await balances(h.id)).total;
      const closed = await close(h.measureId, { pendingOrders: "keep", finalPayment: "cheque" });
      expect(closed.status, closed.text).toBe(200);
      expect(closed.body).toMatchObject({ cancelledOrders: 0, finalOrders: [{ amount: held, method: "cheque" }], held: 0 });
      expect((await orders(h.id)).find((o) => o.id === rent!.id)?.status).toBe("pending");
      expect((await orders(h.id)).find((o) => o.kind === "final")).toMatchObject({ method: "cheque", creditorIban: null });
      // Closed, the accounts take no credit even dated before the end: 409 naming the end date.
      const late = await credit(h.id, 30000, "2026-02-10");
      expect(late.status).toBe(409);
      expect(late.body.error).toMatchObject({ code: "measure_ended", details: expect.objectContaining({ endDate: "2026-02-28" }) });
    });

    it("on death the funds are held for the estate (422 otherwise), then paid to the notary named with an IBAN, approved by a second person; nothing held → 409", async () => {
      const h = await household();
      expect((await credit(h.id, 70000, "2026-01-02")).status).toBe(201);
      const total = (await balances(h.id)).total;
      expect((await end(h.measureId, "2026-02-14", "deceased")).status).toBe(200);
      const refused = await close(h.measureId, { pendingOrders: "cancel", finalPayment: "transfer" });
      expect(refused.status).toBe(422);
      expect(refused.body.error.details).toEqual([expect.objectContaining({ field: "finalPayment", code: "estate_held" })]);
      const closed = await close(h.measureId, { pendingOrders: "cancel", finalPayment: "hold" });
      expect(closed.status, closed.text).toBe(200);
      expect(closed.body).toMatchObject({ finalOrders: [], held: total });
      expect((await balances(h.id)).total).toBe(total);

      const pay = (body: Record<string, unknown>) =>
        call("POST", `/v1/measures/${h.measureId}/final-payments`, { date: today, method: "transfer", ...body }, finance);
      const toPerson = await pay({});
      expect(toPerson.status).toBe(422);
      expect(toPerson.body.error.details).toEqual([expect.objectContaining({ field: "creditor", code: "estate_creditor" })]);
      const noIban = await pay({ creditor: { name: "Maître Lefèvre, notaire" } });
      expect(noIban.status).toBe(422);
      // The notary's IBAN is new for this person: four eyes, like every IBAN not yet approved.
      const proposed = await pay({ creditor: { name: "Maître Lefèvre, notaire", iban: NOTARY_IBAN } });
      expect(proposed.status, proposed.text).toBe(202);
      expect((await balances(h.id)).total).toBe(total);
      const approve = (headers: Headers) => call("POST", `/v1/proposals/${proposed.body.proposalId}/approval`, { comment: "acte de notoriété vu" }, headers);
      expect((await approve(finance)).status).toBe(403);
      const paid = await approve(admin);
      expect(paid.status, paid.text).toBe(201);
      expect(paid.body).toMatchObject({ kind: "final", amount: total, creditorName: "Maître Lefèvre, notaire", creditorIban: NOTARY_IBAN, status: "pending" });
      expect((await balances(h.id)).total).toBe(0);
      // Approved once, the notary's IBAN applies at once: nothing is held any more.
      const nothing = await pay({ creditor: { name: "Maître Lefèvre, notaire", iban: NOTARY_IBAN } });
      expect(nothing.status).toBe(409);
      await expectLedgerSound(call, finance);
    });

    it("money that comes back after the closing is held, then paid to the person", async () => {
      const h = await household({ lease: null });
      expect((await credit(h.id, 40000, "2026-01-02")).status).toBe(201);
      expect((await end(h.measureId, "2026-02-28")).status).toBe(200);
      const closed = await close(h.measureId, { pendingOrders: "cancel", finalPayment: "transfer" });
      const finalId: string = closed.body.finalOrders[0].id;
      await runText(database.db, "update payment_orders set status = 'sent' where id = $1::uuid", [finalId]);
      const rejected = await call("POST", `/v1/payment-orders/${finalId}/rejection`, { date: today, reasonCode: "AC04" }, finance);
      expect(rejected.status, rejected.text).toBe(200);
      expect((await balances(h.id)).available).toBe(40000);
      const paid = await call("POST", `/v1/measures/${h.measureId}/final-payments`, { date: today, method: "cash" }, finance);
      expect(paid.status, paid.text).toBe(201);
      expect(paid.body).toMatchObject({ kind: "final", method: "cash", amount: 40000 });
      expect((await balances(h.id)).total).toBe(0);
    });

    it("two closings racing: one closes, the other gets 409, one final order", async () => {
      const h = await household({ lease: null });
      expect((await credit(h.id, 25000, "2026-01-02")).status).toBe(201);
      expect((await end(h.measureId, "2026-02-28")).status).toBe(200);
      const results = await Promise.all(Array.from({ length: 4 }, () => close(h.measureId, { pendingOrders: "cancel", finalPayment: "transfer" })));
      expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
      expect((await orders(h.id)).filter((o) => o.kind === "final")).toHaveLength(1);
      expect((await balances(h.id)).total).toBe(0);
      await expectLedgerSound(call, finance);
    });
  });

  describe("reminder", () => {
    it("alerts the caseworker 45 days before the end date (measure_ending), once; a renewal closes the reminder", async () => {
      const h = await household();
      const reminders = () =>
        runText<{ status: string; audience: string; evidence: { endDate: string; daysLeft: number } }>(
          database.db,
          "select status, audience, evidence from alerts where beneficiary_id = $1::uuid and type = 'measure_ending'",
          [h.id],
        );
      await checkUnpaidRent({ db: database.db, asOf: "2026-11-15" });
      expect(await reminders()).toEqual([]);
      for (const asOf of ["2026-11-16", "2026-11-16", "2026-11-20"]) await checkUnpaidRent({ db: database.db, asOf });
      expect(await reminders()).toEqual([
        { status: "open", audience: "caseworker", evidence: expect.objectContaining({ endDate: "2026-12-31", daysLeft: 45 }) },
      ]);
      today = "2026-11-20";
      const renewed = await call("POST", `/v1/measures/${h.measureId}/renewals`, { review: review("2026-11-20"), endDate: "2027-12-31" });
      expect(renewed.status, renewed.text).toBe(201);
      const summary = await checkUnpaidRent({ db: database.db, asOf: "2026-11-21" });
      expect(summary.measureEndingClosed).toBeGreaterThanOrEqual(1);
      expect((await reminders()).map((r) => r.status)).toEqual(["closed"]);
    });
  });
});
