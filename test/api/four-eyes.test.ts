import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../src/auth/tokens";
import { queryRows } from "../../src/db/sql";
import { apiCaller, bearer, createTestApp, type Headers, type TestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { BENEFICIARY_IBAN, chargeBody, householdMaker, LANDLORD, leaseBody } from "../support/household";
import { staffUser } from "../support/ui";

/**
 * Four eyes end to end through the API: a changed IBAN, a reversal and an overpayment
 * recovery are proposed (202) by one person and applied, by the same verb and with its
 * answer, when someone else approves them.
 */

const TODAY = "2026-11-23";
const NEW_IBAN = "FR1420041010050500013M02606";
const OTHER_IBAN = "DE89370400440532013000";

describe("four eyes (proposals)", () => {
  let database: TestDatabase;
  let app: TestApp;
  let admin: Headers;
  let finance: Headers;
  let finance2: Headers;
  let manager: Headers;
  let caseworker: Headers;

  const call = apiCaller(
    () => app,
    () => admin,
  );
  const household = householdMaker(call, { managed: ["RSA"], iban: BENEFICIARY_IBAN });
  const approve = (id: string, headers: Headers, comment = "vérifié sur le RIB") => call("POST", `/v1/proposals/${id}/approval`, { comment }, headers);
  const reject = (id: string, headers: Headers, comment = "RIB illisible") => call("POST", `/v1/proposals/${id}/rejection`, { comment }, headers);
  const proposal = async (id: string) => (await call("GET", `/v1/proposals/${id}`, undefined, manager)).body;
  const count = async (table: string) => Number((await queryRows<{ n: string }>(database.db, sql.raw(`select count(*)::text as n from ${table}`)))[0]!.n);

  async function credit(beneficiaryId: string, amount: number) {
    const res = await call(
      "POST",
      "/v1/credits",
      { beneficiaryId, payer: "CAF", prestation: "RSA", amount, valueDate: "2026-01-03", reference: null },
      { ...finance, "Idempotency-Key": randomUUID() },
    );
    expect(res.status, res.text).toBe(201);
    return res.body;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    app = createTestApp(database.db, { today: () => TODAY });
    [admin, finance, finance2, manager, caseworker] = await Promise.all([
      bearer(database.db, "admin"),
      bearer(database.db, "finance"),
      bearer(database.db, "finance"),
      bearer(database.db, "manager"),
      bearer(database.db, "caseworker"),
    ]);
    // A recovery is a transfer back to the payer (a return_to_payer order): the payer needs an IBAN.
    const payer = await call("PUT", `/v1/payers/${encodeURIComponent("CAF/MSA")}`, { name: "CAF de la Mayenne", iban: NEW_IBAN });
    expect(payer.status, payer.text).toBe(200);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  describe("a beneficiary's IBAN", () => {
    it("the first IBAN applies at once; a change is proposed (202), listed masked, and applied by someone else with the verb's answer", async () => {
      const h = await household();
      expect((await call("GET", `/v1/beneficiaries/${h.id}`)).body.iban).toBe(BENEFICIARY_IBAN);
      // A change without the IBAN applies at once.
      expect((await call("PATCH", `/v1/beneficiaries/${h.id}`, { firstName: "Maria" }, finance)).status).toBe(200);

      const proposed = await call("PATCH", `/v1/beneficiaries/${h.id}`, { iban: "fr14 2004 1010 0505 0001 3m02 606", msaNumber: "42" }, finance);
      expect(proposed.status, proposed.text).toBe(202);
      expect(proposed.body).toEqual({ proposalId: expect.any(String), status: "pending_approval" });
      const id = proposed.body.proposalId;
      // Nothing applied yet, not even the other field.
      expect((await call("GET", `/v1/beneficiaries/${h.id}`)).body).toMatchObject({ iban: BENEFICIARY_IBAN, msaNumber: null });

      const pending = await call("GET", "/v1/proposals?status=pending", undefined, manager);
      expect(pending.status).toBe(200);
      const listed = pending.body.items.find((p: any) => p.id === id);
      expect(listed).toMatchObject({
        kind: "beneficiary.update",
        status: "pending_approval",
        beneficiaryId: h.id,
        summary: { iban: { from: "FR76 **** **** **** **** ***0 189", to: "FR14 **** **** **** **** ***2 606" } },
        decidedBy: null,
      });
      // Lists never carry a full IBAN.
      expect(pending.text).not.toContain(NEW_IBAN);
      expect(pending.text).not.toContain(BENEFICIARY_IBAN);

      // The proposer (same token) may not approve nor reject; a caseworker is no approver.
      const self = await approve(id, finance);
      expect(self.status).toBe(403);
      expect(self.body.error.code).toBe("self_approval");
      expect((await reject(id, finance)).status).toBe(403);
      expect((await approve(id, caseworker)).status).toBe(403);

      const approved = await approve(id, finance2);
      expect(approved.status, approved.text).toBe(200);
      expect(approved.body).toMatchObject({ id: h.id, iban: NEW_IBAN, msaNumber: "42", firstName: "Maria" });
      expect((await call("GET", `/v1/beneficiaries/${h.id}`)).body).toEqual(approved.body);
      expect(await proposal(id)).toMatchObject({ status: "approved", comment: "vérifié sur le RIB", resultStatus: 200, decidedBy: { role: "finance" } });

      // Decided once: approving or rejecting again is a conflict.
      expect((await approve(id, manager)).status).toBe(409);
      expect((await reject(id, manager)).status).toBe(409);
      expect((await call("GET", "/v1/proposals?status=pending", undefined, manager)).body.items.some((p: any) => p.id === id)).toBe(false);

      // The business audit keeps the old and the new IBAN, and the proposal's story.
      const trail = await queryRows<{ action: string; changes: any }>(
        database.db,
        sql`select action, changes from audit_log where beneficiary_id = ${h.id}::uuid order by id`,
      );
      expect(trail.map((t) => t.action)).toEqual(expect.arrayContaining(["proposal.create", "beneficiary.update", "proposal.approve"]));
      expect(trail.find((t) => t.action === "beneficiary.update" && t.changes.iban)?.changes.iban).toEqual({ from: BENEFICIARY_IBAN, to: NEW_IBAN });
    });

    it("a rejected proposal applies nothing; a proposal invalid when made answers the verb's 4xx and records nothing", async () => {
      const h = await household();
      const proposed = await call("PATCH", `/v1/beneficiaries/${h.id}`, { iban: NEW_IBAN }, finance);
      expect(proposed.status).toBe(202);
      const rejected = await reject(proposed.body.proposalId, manager);
      expect(rejected.status, rejected.text).toBe(200);
      expect(rejected.body).toMatchObject({ status: "rejected", comment: "RIB illisible", decidedBy: { role: "manager" } });
      expect((await call("GET", `/v1/beneficiaries/${h.id}`)).body.iban).toBe(BENEFICIARY_IBAN);
      expect((await approve(proposed.body.proposalId, admin)).status).toBe(409);

      const before = await count("proposals");
      const underAge = await call("PATCH", `/v1/beneficiaries/${h.id}`, { iban: NEW_IBAN, birthDate: "2020-01-01" }, finance);
      expect(underAge.status).toBe(422);
      expect(underAge.body.error.details).toEqual([expect.objectContaining({ field: "birthDate", code: "under_18" })]);
      expect((await call("PATCH", `/v1/beneficiaries/${randomUUID()}`, { iban: NEW_IBAN }, finance)).status).toBe(404);
      expect((await call("PATCH", `/v1/beneficiaries/${h.id}`, { iban: "FR7630006000011234567890188" }, finance)).status).toBe(422);
      expect(await count("proposals")).toBe(before);
    });

    it("the same staff member with another token is still the proposer; a manager approves and writes nothing alone", async () => {
      const userId = await staffUser(database.db, "camille@four-eyes.example", "finance", "Camille");
      const [one, two] = await Promise.all([
        createToken(database.db, { role: "finance", name: "camille-1", userId }),
        createToken(database.db, { role: "finance", name: "camille-2", userId }),
      ]);
      const h = await household();
      const proposed = await call("PATCH", `/v1/beneficiaries/${h.id}`, { iban: NEW_IBAN }, { Authorization: `Bearer ${one.token}` });
      expect(proposed.status).toBe(202);
      expect((await approve(proposed.body.proposalId, { Authorization: `Bearer ${two.token}` })).status).toBe(403);
      // The manager cannot make the change themselves.
      expect((await call("PATCH", `/v1/beneficiaries/${h.id}`, { iban: OTHER_IBAN }, manager)).status).toBe(403);
      expect((await call("POST", `/v1/transactions/${randomUUID()}/reversal`, { reason: "essai" }, manager)).status).toBe(403);
      expect((await approve(proposed.body.proposalId, manager)).status).toBe(200);
    });
  });

  describe("landlord and creditor IBANs", () => {
    it("a lease with another landlord IBAN (update or move) is proposed; the same IBAN applies at once", async () => {
      const h = await household();
      expect((await call("PUT", `/v1/beneficiaries/${h.id}/lease`, leaseBody({ rent: 46000 }), finance)).status).toBe(200);
      const moved = await call(
        "PUT",
        `/v1/beneficiaries/${h.id}/lease`,
        leaseBody({ landlord: { name: "Foncia", iban: OTHER_IBAN }, startDate: "2026-09-01" }),
        finance,
      );
      expect(moved.status, moved.text).toBe(202);
      expect((await call("GET", `/v1/beneficiaries/${h.id}/lease`)).body.landlord).toEqual({ ...LANDLORD, address: null });
      const approved = await approve(moved.body.proposalId, manager);
      expect(approved.status, approved.text).toBe(200);
      expect(approved.body).toMatchObject({ landlord: { name: "Foncia", iban: OTHER_IBAN }, startDate: "2026-09-01" });
      expect((await call("GET", `/v1/beneficiaries/${h.id}/lease`)).body.landlord.iban).toBe(OTHER_IBAN);
    });

    it("a charge's creditor IBAN: given when added it applies at once, changed it is proposed", async () => {
      const h = await household({ charges: [chargeBody()] });
      const path = `/v1/beneficiaries/${h.id}/charges/${h.charges[0]}`;
      expect((await call("PATCH", path, { amount: 6500 }, finance)).status).toBe(200);
      const proposed = await call("PATCH", path, { creditor: { name: "EDF", iban: OTHER_IBAN } }, finance);
      expect(proposed.status).toBe(202);
      expect((await proposal(proposed.body.proposalId)).summary).toMatchObject({ iban: { to: "DE89 **** **** **** **30 00" }, charge: "EDF" });
      const approved = await approve(proposed.body.proposalId, admin);
      expect(approved.status, approved.text).toBe(200);
      expect(approved.body).toMatchObject({ id: h.charges[0], amount: 6500, creditor: { name: "EDF", iban: OTHER_IBAN } });
    });
  });

  describe("money: reversals and recoveries", () => {
    it("a reversal is proposed, then applied once even when two approvals race", async () => {
      const h = await household();
      const c = await credit(h.id, 60000);
      const proposed = await call("POST", `/v1/transactions/${c.transactionId}/reversal`, { reason: "doublon CAF" }, finance);
      expect(proposed.status, proposed.text).toBe(202);
      expect((await call("GET", `/v1/beneficiaries/${h.id}/balances`)).body.total).toBe(60000);
      const answers = await Promise.all([approve(proposed.body.proposalId, manager), approve(proposed.body.proposalId, admin)]);
      expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
      expect(answers.find((a) => a.status === 201)!.body).toMatchObject({ reversesId: c.transactionId, replayed: false });
      expect((await call("GET", `/v1/beneficiaries/${h.id}/balances`)).body.total).toBe(0);
      const reversals = await queryRows(database.db, sql`select id from ledger_transactions where reverses_id = ${c.transactionId}::uuid`);
      expect(reversals).toHaveLength(1);
    });

    it("a recovery that no longer holds at approval answers the verb's 409 and stays pending", async () => {
      const h = await household({ lease: null });
      await credit(h.id, 10000);
      const first = await call(
        "POST",
        `/v1/beneficiaries/${h.id}/overpayment-recoveries`,
        { amount: 8000, payer: "CAF", valueDate: "2026-02-05" },
        {
          ...finance,
          "Idempotency-Key": randomUUID(),
        },
      );
      const second = await call(
        "POST",
        `/v1/beneficiaries/${h.id}/overpayment-recoveries`,
        { amount: 5000, payer: "CAF", valueDate: "2026-02-05" },
        {
          ...finance,
          "Idempotency-Key": randomUUID(),
        },
      );
      expect([first.status, second.status]).toEqual([202, 202]);
      // More than the envelopes hold is refused when proposed, exactly as when applied.
      const tooMuch = await call(
        "POST",
        `/v1/beneficiaries/${h.id}/overpayment-recoveries`,
        { amount: 20000, payer: "CAF", valueDate: "2026-02-05" },
        {
          ...finance,
          "Idempotency-Key": randomUUID(),
        },
      );
      expect(tooMuch.status).toBe(409);
      expect(tooMuch.body.error.code).toBe("insufficient_funds");

      expect((await approve(first.body.proposalId, manager)).status).toBe(201);
      const late = await approve(second.body.proposalId, manager);
      expect(late.status).toBe(409);
      expect(late.body.error.code).toBe("insufficient_funds");
      expect(await proposal(second.body.proposalId)).toMatchObject({ status: "pending_approval", decidedBy: null });
      expect((await reject(second.body.proposalId, manager)).status).toBe(200);
      expect((await call("GET", `/v1/beneficiaries/${h.id}/balances`)).body.total).toBe(2000);
    });
  });

  it("lists: unknown proposal 404, a bad status 422, caseworkers only their caseload, unknown token 401", async () => {
    expect((await call("GET", `/v1/proposals/${randomUUID()}`, undefined, manager)).status).toBe(404);
    expect((await approve(randomUUID(), manager)).status).toBe(404);
    expect((await call("GET", "/v1/proposals?status=maybe", undefined, manager)).status).toBe(422);
    const mine = await call("GET", "/v1/proposals", undefined, caseworker);
    expect(mine.status).toBe(200);
    expect(mine.body.items).toEqual([]);
    expect((await call("GET", "/v1/proposals", undefined, {})).status).toBe(401);
  });
});
