import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../src/auth/tokens";
import { checkUnpaidRent } from "../../src/services/alerts/check-unpaid-rent";
import { runPayments } from "../../src/services/payments/run-payments";
import { apiCaller, bearer, createTestApp, type Headers, type TestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { householdMaker } from "../support/household";
import { staffUser } from "../support/ui";

/**
 * Who handles an alert (contract, *Alerts for finance staff*): finance staff acknowledge
 * and close `finance` alerts (about money), caseworkers `caseworker` alerts (about a
 * beneficiary); each refused the other's (403), the manager reads only, admins both.
 */
describe("alerts: finance staff handle the finance audience, caseworkers their own", () => {
  let database: TestDatabase;
  let app: TestApp;
  let admin: Headers;
  let finance: Headers;
  let caseworker: Headers;
  let caseworkerId: string;

  const call = apiCaller(
    () => app,
    () => admin,
  );
  const household = householdMaker(call, { managed: ["RSA"] });

  beforeAll(async () => {
    database = await createTestDatabase();
    app = createTestApp(database.db, { today: () => "2026-03-20" });
    admin = await bearer(database.db, "admin");
    finance = await bearer(database.db, "finance");
    caseworkerId = await staffUser(database.db, "lea@alerts.example", "caseworker", "Léa");
    const { token } = await createToken(database.db, { role: "caseworker", name: "lea", userId: caseworkerId });
    caseworker = { Authorization: `Bearer ${token}` };
  });
  afterAll(async () => database?.dispose());

  /** A beneficiary of the caseworker whose January rent was rejected (a finance alert) and whose February and March rents are unpaid (caseworker alerts). */
  async function alerts() {
    const b = await household({ caseworkerId });
    const credit = await call(
      "POST",
      "/v1/credits",
      { beneficiaryId: b.id, payer: "CAF", prestation: "RSA", amount: 50000, valueDate: "2026-01-03", reference: null },
      { ...finance, "Idempotency-Key": randomUUID() },
    );
    expect(credit.status, credit.text).toBe(201);
    await runPayments({ db: database.db, kind: "rent", asOf: "2026-01-05", actor: "test" });
    const [order] = (await call("GET", `/v1/payment-orders?beneficiaryId=${b.id}`, undefined, finance)).body.items;
    await database.db.$raw.query(`update payment_orders set status = 'sent' where id = $1`, [order.id]);
    expect((await call("POST", `/v1/payment-orders/${order.id}/rejection`, { date: "2026-01-08", reasonCode: "AC04" }, finance)).status).toBe(200);
    await checkUnpaidRent({ db: database.db, asOf: "2026-03-20" });
    const list = (await call("GET", `/v1/alerts?beneficiaryId=${b.id}`, undefined, finance)).body.items as { id: string; audience: string }[];
    const financeAlert = list.find((a) => a.audience === "finance")!;
    const caseworkerAlert = list.find((a) => a.audience === "caseworker")!;
    expect(financeAlert).toBeDefined();
    expect(caseworkerAlert).toBeDefined();
    return { financeAlert: financeAlert.id, caseworkerAlert: caseworkerAlert.id };
  }

  const act = (id: string, verb: "acknowledge" | "close", headers: Headers) =>
    call("POST", `/v1/alerts/${id}/${verb}`, verb === "close" ? { comment: "RIB corrigé, ordre réémis" } : undefined, headers);

  it("finance acknowledges and closes a finance alert; a caseworker may not (403)", async () => {
    const { financeAlert } = await alerts();
    const refused = await act(financeAlert, "acknowledge", caseworker);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: "forbidden", details: { audience: "finance" } });
    expect((await act(financeAlert, "close", caseworker)).status).toBe(403);
    const ack = await act(financeAlert, "acknowledge", finance);
    expect(ack.status, ack.text).toBe(200);
    expect(ack.body.status).toBe("acknowledged");
    const closed = await act(financeAlert, "close", finance);
    expect(closed.status, closed.text).toBe(200);
    expect(closed.body.status).toBe("closed");
  });

  it("a caseworker acknowledges and closes a caseworker alert; finance may not (403); the manager neither; an admin may", async () => {
    const { caseworkerAlert, financeAlert } = await alerts();
    expect((await act(caseworkerAlert, "acknowledge", finance)).status).toBe(403);
    expect((await act(caseworkerAlert, "close", finance)).status).toBe(403);
    expect((await act(caseworkerAlert, "close", await bearer(database.db, "manager"))).status).toBe(403);
    expect((await act(caseworkerAlert, "acknowledge", caseworker)).status).toBe(200);
    expect((await act(caseworkerAlert, "close", caseworker)).status).toBe(200);
    expect((await act(financeAlert, "close", admin)).status).toBe(200);
  });
});
