import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chargeBody, type JobsHarness, leaseBody, startHarness } from "../jobs/fixtures/harness";

/**
 * Issue 15, rules 5 to 8, end to end through the API and the jobs: an ALF household,
 * housing aid with no lease, care money, a reste à vivre, a reversement held back while
 * the rent is short, and a charge left unpaid twice.
 */
describe("households of the rent rules review (rules 5-8)", () => {
  let h: JobsHarness;

  beforeAll(async () => {
    h = await startHarness("rent-rules2");
  });
  afterAll(async () => {
    await h?.close();
  });

  const check = (asOf: string) => h.ran("unpaid-rent-check", asOf);
  async function alerts(beneficiaryId: string, type: string): Promise<any[]> {
    const res = await h.call("GET", `/v1/alerts?beneficiaryId=${beneficiaryId}&type=${type}`);
    expect(res.status, res.text).toBe(200);
    return res.body.items;
  }
  const masp2 = (managedPrestations: string[], more: Record<string, unknown> = {}) => ({
    level: "MASP2",
    startDate: "2026-01-01",
    endDate: "2026-12-31",
    managedPrestations,
    ...more,
  });

  it("ALF household (rule 5): ALF (21°) is not earmarked; it pays the rent due like the RSA and the rest is available", async () => {
    const b = await h.household({ measure: masp2(["RSA", "ALF"], { extension: true, extensionReason: "trois enfants à charge" }) });
    // January's rent (50 000) first; the rest is the family's, not held in the rent envelope.
    expect(await h.credit(b.id, 70000, "2026-01-03", "ALF")).toEqual([
      { envelope: "rent", amount: 50000 },
      { envelope: "available", amount: 20000 },
    ]);
    const alf = (await h.call("GET", "/v1/prestations")).body.items.find((p: { code: string }) => p.code === "ALF");
    expect(alf).toMatchObject({ item: 21, earmarked: null });
    await h.ran("rent-payments", "2026-01-05");
    expect((await h.rentPeriods(b.id, "2026-01-05"))[0]).toMatchObject({ period: "2026-01", status: "paid" });
  });

  it("housing aid without a lease (rule 5) waits in the rent envelope and tells the caseworker; the alert closes once a lease is recorded", async () => {
    const b = await h.household({ measure: masp2(["RSA", "ALS"]), lease: null });
    expect(await h.credit(b.id, 25000, "2026-01-03", "ALS")).toEqual([{ envelope: "rent", amount: 25000 }]);
    const summary = await check("2026-01-04");
    expect(summary.housingAidWithoutLeaseOpened).toBeGreaterThanOrEqual(1);
    const [alert] = await alerts(b.id, "housing_aid_without_lease");
    expect(alert).toMatchObject({ type: "housing_aid_without_lease", status: "open", audience: "caseworker" });
    // Run again: one alert, not two.
    await check("2026-01-05");
    expect(await alerts(b.id, "housing_aid_without_lease")).toHaveLength(1);
    const lease = await h.call("PUT", `/v1/beneficiaries/${b.id}/lease`, leaseBody({ startDate: "2026-02-01" }));
    expect(lease.status, lease.text).toBe(200);
    await check("2026-02-01");
    expect((await alerts(b.id, "housing_aid_without_lease"))[0]).toMatchObject({ status: "closed" });
    // The waiting housing aid pays the first rent.
    const paid = await h.ran("rent-payments", "2026-02-05");
    expect(paid.ordersCreated).toBeGreaterThanOrEqual(1);
    expect((await h.orders(b.id, "rent")).map((o) => [o.period, o.amount])).toEqual([["2026-02", 25000]]);
  });

  it("care money (rule 5): APA fills the care charge, the charge job pays it, the care envelope pays a care invoice and the next month's charge", async () => {
    const aide = chargeBody({
      label: "ADMR",
      category: "care",
      amount: 30000,
      dueDay: 10,
      priority: 5,
      creditor: { name: "ADMR", iban: chargeBody().creditor.iban },
    });
    const b = await h.household({ measure: masp2(["RSA", "APA"]), charges: [aide] });
    const chargeId = b.charges[0]!;
    expect(await h.credit(b.id, 60000, "2026-01-03", "APA")).toEqual([
      { envelope: "charge", chargeId, amount: 30000 },
      { envelope: "care", amount: 30000 },
    ]);
    // A care invoice through a one-off payment from the care envelope.
    const invoice = await h.call(
      "POST",
      `/v1/beneficiaries/${b.id}/payments`,
      {
        envelope: "care",
        amount: 5000,
        method: "transfer",
        reason: "Facture portage de repas",
        executionDate: "2026-11-24",
        creditor: { name: "Portage 53", iban: chargeBody().creditor.iban },
      },
      { ...h.finance, "Idempotency-Key": randomUUID() },
    );
    expect(invoice.status, invoice.text).toBe(201);
    await h.ran("charge-payments", "2026-01-10");
    // February: the charge envelope is empty, the care envelope pays the charge.
    await h.ran("charge-payments", "2026-02-10");
    const orders = (await h.orders(b.id, "charge")).map((o) => [o.period, o.amount]).sort();
    expect(orders).toEqual([
      ["2026-01", 30000],
      ["2026-02", 25000],
    ]);
    expect(await h.balances(b.id)).toMatchObject({ care: 0, charges: 0, rent: 0 });
    // February's 5 000 still owed stays owed (rule 8): the next APA serves it first.
    expect(await h.credit(b.id, 5000, "2026-02-11", "APA")).toEqual([{ envelope: "charge", chargeId, amount: 5000 }]);
  });

  it("reste à vivre (rule 6): set aside after the rent and before the charges, once a month, paid out by the reversement job", async () => {
    const b = await h.household({ measure: masp2(["RSA"], { livingMonthly: 20000 }), charges: [chargeBody({ startDate: "2026-01-01" })] });
    const measure = await h.call("GET", `/v1/measures/${b.measureId}`);
    expect(measure.body).toMatchObject({ livingMonthly: 20000, reversementWhileRentShort: false });
    const [edf] = b.charges as [string];
    expect(await h.credit(b.id, 80000, "2026-01-03")).toEqual([
      { envelope: "rent", amount: 50000 },
      { envelope: "living", amount: 20000 },
      { envelope: "charge", chargeId: edf, amount: 6000 },
      { envelope: "available", amount: 4000 },
    ]);
    await h.ran("rent-payments", "2026-01-05");
    await h.ran("reversements", "2026-01-10");
    const paidOut = (await h.orders(b.id, "reversement")).map((o) => o.amount).sort((x, y) => x - y);
    expect(paidOut).toEqual([4000, 20000]);
    expect(await h.balances(b.id)).toMatchObject({ living: 0, available: 0 });
    // Later in January: the reste à vivre was set aside this month already.
    // (EDF: January, due on the 15th and not yet paid by the charge job, is held; February is next.)
    expect(await h.credit(b.id, 60000, "2026-01-20")).toEqual([
      { envelope: "rent", amount: 50000 },
      { envelope: "charge", chargeId: edf, amount: 6000 },
      { envelope: "available", amount: 4000 },
    ]);
    // February: topped up again. The caseworker lowers it to 15 000 first.
    const set = await h.call("PUT", `/v1/measures/${b.measureId}/budget-rules`, { livingMonthly: 15000 });
    expect(set.status, set.text).toBe(200);
    expect(set.body).toMatchObject({ livingMonthly: 15000 });
    const feb = await h.credit(b.id, 30000, "2026-02-03");
    expect(feb.find((a) => a.envelope === "living")).toEqual({ envelope: "living", amount: 15000 });
    expect((await h.call("PUT", `/v1/measures/${b.measureId}/budget-rules`, { livingMonthly: -1 })).status).toBe(422);
  });

  it("no reversement while this month's rent is short (rule 7): held back and said so; paid once the measure opts out", async () => {
    // Money received before the lease was recorded is available; then the lease makes January due.
    const b = await h.household({ lease: null });
    expect(await h.credit(b.id, 30000, "2026-01-03")).toEqual([{ envelope: "available", amount: 30000 }]);
    expect((await h.call("PUT", `/v1/beneficiaries/${b.id}/lease`, leaseBody())).status).toBe(200);
    const held = await h.ran("reversements", "2026-01-10");
    expect(held.heldBackRentShort).toBeGreaterThanOrEqual(1);
    expect(held.rentShortAmount).toBeGreaterThanOrEqual(50000);
    expect(await h.orders(b.id, "reversement")).toEqual([]);
    expect((await h.call("PUT", `/v1/measures/${b.measureId}/budget-rules`, { reversementWhileRentShort: true })).status).toBe(200);
    await h.ran("reversements", "2026-01-10");
    expect((await h.orders(b.id, "reversement")).map((o) => o.amount)).toEqual([30000]);
  });

  it("a charge left unpaid twice (rule 8): charge_arrears the day after the second due date; its arrears are paid first and the alert closes", async () => {
    const b = await h.household({ charges: [chargeBody({ startDate: "2026-01-01" })] });
    const [edf] = b.charges as [string];
    // Rent only: nothing for EDF in January or February.
    await h.credit(b.id, 50000, "2026-01-02");
    await h.credit(b.id, 50000, "2026-02-02");
    await h.ran("rent-payments", "2026-02-05");
    await check("2026-02-15");
    expect(await alerts(b.id, "charge_arrears")).toEqual([]);
    const summary = await check("2026-02-16");
    expect(summary.chargeArrearsOpened).toBeGreaterThanOrEqual(1);
    const [alert] = await alerts(b.id, "charge_arrears");
    expect(alert).toMatchObject({ status: "open", periods: ["2026-01", "2026-02"] });
    // The next RSA: March's rent is covered first, then EDF's January and February and its next amount.
    expect(await h.credit(b.id, 80000, "2026-02-20")).toEqual([
      { envelope: "rent", amount: 50000 },
      { envelope: "charge", chargeId: edf, amount: 18000 },
      { envelope: "available", amount: 12000 },
    ]);
    await h.ran("charge-payments", "2026-02-21");
    expect((await h.orders(b.id, "charge")).map((o) => [o.period, o.amount]).sort()).toEqual([
      ["2026-01", 6000],
      ["2026-02", 6000],
    ]);
    await check("2026-02-22");
    expect((await alerts(b.id, "charge_arrears"))[0]).toMatchObject({ status: "closed" });
  });

  it("the ledger is sound", async () => {
    await h.expectLedgerSound();
  });
});
