import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type JobsHarness, LANDLORD, leaseBody, MANAGED, startHarness } from "../jobs/fixtures/harness";
import { expectNarrowReadsPlanAlike } from "../jobs/fixtures/narrow-reads";

/**
 * The households of issue 15's domain review, end to end through the API and the jobs:
 * each one a real life the ledger must get right (who is paid, what stays owed, what
 * alert the caseworker sees).
 */
describe("households of the rent rules review", () => {
  let h: JobsHarness;

  beforeAll(async () => {
    h = await startHarness("households");
  });
  afterAll(async () => {
    await h?.close();
  });

  const check = (asOf: string) => h.ran("unpaid-rent-check", asOf);
  async function alerts(beneficiaryId: string): Promise<any[]> {
    const res = await h.call("GET", `/v1/alerts?beneficiaryId=${beneficiaryId}`);
    expect(res.status, res.text).toBe(200);
    return res.body.items;
  }
  const masp2From = (startDate: string, managed = MANAGED) => ({ level: "MASP2", startDate, endDate: "2026-12-31", managedPrestations: managed });

  it("mid-month start (rule 1): a MASP from 20 January, rent due on the 5th, does not owe January; the first RSA pays February", async () => {
    const b = await h.household({ measure: masp2From("2026-01-20"), lease: leaseBody({ startDate: "2025-09-01" }) });
    const periods = await h.rentPeriods(b.id, "2026-01-20");
    expect(periods.map((p) => p.period)).toEqual(["2026-02"]);
    await check("2026-01-20");
    expect(await alerts(b.id)).toEqual([]);
    // The first RSA: it fills February's rent, not a January the measure never owed.
    expect(await h.credit(b.id, 60000, "2026-02-03")).toEqual([
      { envelope: "rent", amount: 50000 },
      { envelope: "available", amount: 10000 },
    ]);
    await h.ran("rent-payments", "2026-02-05");
    expect((await h.rentPeriods(b.id, "2026-02-05")).map((p) => [p.period, p.status])).toEqual([
      ["2026-02", "paid"],
      ["2026-03", "upcoming"],
    ]);
    await check("2026-02-05");
    expect(await alerts(b.id)).toEqual([]);
  });

  it("mid-month start with the first period given when the lease is recorded", async () => {
    const b = await h.household({ measure: masp2From("2026-01-20"), lease: leaseBody({ startDate: "2025-09-01", firstPeriod: "2026-03" }) });
    const lease = await h.call("GET", `/v1/beneficiaries/${b.id}/lease`);
    expect(lease.body).toMatchObject({ firstPeriod: "2026-03" });
    expect((await h.rentPeriods(b.id, "2026-02-10")).map((p) => p.period)).toEqual(["2026-03"]);
  });

  it("a first month with no credit yet (rule 11): unpaid rent is flagged, no MASP 3 trigger, no_credit_received after 45 days", async () => {
    const b = await h.household({ measure: masp2From("2026-01-01") });
    await check("2026-02-05");
    expect((await alerts(b.id)).map((a) => [a.type, a.periods])).toEqual([["unpaid_rent", ["2026-01", "2026-02"]]]);
    await check("2026-02-15");
    const list = await alerts(b.id);
    expect(list.map((a) => a.type).sort()).toEqual(["no_credit_received", "unpaid_rent"]);
    expect(list.every((a) => a.person === "Marie D.")).toBe(true);
  });

  it("move with arrears (rules 2 and 4): lease A's arrears stay owed to A and are paid to A; B's rent goes to B, current period first", async () => {
    const b = await h.household({ measure: masp2From("2026-01-01") });
    await h.credit(b.id, 50000, "2026-01-02");
    await h.ran("rent-payments", "2026-01-05");
    // February goes unpaid; the person moves: A ends on 14 March (notice), B begins on 15 March, pro rata.
    const endA = await h.call("PUT", `/v1/beneficiaries/${b.id}/lease`, leaseBody({ endDate: "2026-03-14" }));
    expect(endA.status, endA.text).toBe(200);
    // (the same IBAN: a new one would wait for a second pair of eyes, tested elsewhere)
    const tilleuls = { name: "SCI Les Tilleuls", iban: LANDLORD.iban };
    const leaseB = await h.call(
      "PUT",
      `/v1/beneficiaries/${b.id}/lease`,
      leaseBody({ landlord: tilleuls, rent: 62000, charges: 0, startDate: "2026-03-15", prorata: true }),
    );
    expect(leaseB.status, leaseB.text).toBe(200);
    expect(leaseB.body).toMatchObject({ prorata: true, startDate: "2026-03-15" });
    const leases = await h.call("GET", `/v1/beneficiaries/${b.id}/lease`);
    expect(leases.body.previous).toEqual([expect.objectContaining({ endDate: "2026-03-14" })]);

    const periods = await h.rentPeriods(b.id, "2026-04-05");
    expect(periods.map((p) => [p.landlordName, p.period, p.dueDate, p.due, p.status])).toEqual([
      ["OPH Laval Habitat", "2026-01", "2026-01-05", 50000, "paid"],
      ["OPH Laval Habitat", "2026-02", "2026-02-05", 50000, "unpaid"],
      ["OPH Laval Habitat", "2026-03", "2026-03-05", 50000, "unpaid"],
      ["SCI Les Tilleuls", "2026-03", "2026-03-15", 34000, "unpaid"], // 17 days of 31
      ["SCI Les Tilleuls", "2026-04", "2026-04-05", 62000, "unpaid"],
      ["SCI Les Tilleuls", "2026-05", "2026-05-05", 62000, "upcoming"],
    ]);
    // 112 000 comes in April: B's April rent first, then the oldest arrears, A's February.
    await h.credit(b.id, 112000, "2026-04-02");
    await h.ran("rent-payments", "2026-04-05");
    const orders = (await h.orders(b.id, "rent")).filter((o) => o.period !== "2026-01");
    expect(orders.map((o) => [o.creditorName, o.period, o.amount]).sort()).toEqual([
      ["OPH Laval Habitat", "2026-02", 50000],
      ["SCI Les Tilleuls", "2026-04", 62000],
    ]);
    // A's arrears did not close because B began: March is still owed to A.
    const after = await h.rentPeriods(b.id, "2026-04-05");
    expect(after.filter((p) => p.status !== "paid" && p.status !== "upcoming").map((p) => [p.landlordName, p.period])).toEqual([
      ["OPH Laval Habitat", "2026-03"],
      ["SCI Les Tilleuls", "2026-03"],
    ]);
  });

  it("person's share (rule 3): the lease says the person pays 10 000 from their own wages; the ledger owes the rest", async () => {
    const b = await h.household({ measure: masp2From("2026-01-01"), lease: leaseBody({ personShare: 10000 }) });
    const lease = await h.call("GET", `/v1/beneficiaries/${b.id}/lease`);
    expect(lease.body).toMatchObject({ personShare: 10000, monthlyDue: 40000 });
    // The rent needs January's 40 000 only: the person pays the other 10 000 themselves.
    expect(await h.credit(b.id, 50000, "2026-01-02")).toEqual([
      { envelope: "rent", amount: 40000 },
      { envelope: "available", amount: 10000 },
    ]);
    await h.ran("rent-payments", "2026-01-05");
    expect((await h.orders(b.id, "rent")).map((o) => [o.period, o.amount])).toEqual([["2026-01", 40000]]);
    const bad = await h.call("PUT", `/v1/beneficiaries/${b.id}/lease`, leaseBody({ personShare: 50001 }));
    expect(bad.status).toBe(422);
  });

  it("an FSL payment (rule 3): recorded with its evidence, it pays February outside the ledger; no alert, nothing paid twice", async () => {
    const b = await h.household({ measure: masp2From("2026-01-01") });
    await h.credit(b.id, 50000, "2026-01-02");
    await h.ran("rent-payments", "2026-01-05");
    const fsl = await h.call("POST", `/v1/beneficiaries/${b.id}/rent-entries`, {
      period: "2026-02",
      kind: "external_payment",
      amount: 50000,
      source: "fsl",
      evidence: "Décision FSL n° 2026-118 du 2 février, versée au bailleur",
    });
    expect(fsl.status, fsl.text).toBe(201);
    expect(fsl.body).toMatchObject({ period: "2026-02", kind: "external_payment", amount: 50000, source: "fsl" });
    for (const body of [
      { period: "2026-02", kind: "external_payment", amount: 100, evidence: "reçu" },
      { period: "2026-02", kind: "external_payment", amount: -100, source: "person", evidence: "reçu" },
      { period: "2026-02", kind: "housing_aid_adjustment", amount: 100, source: "fsl", evidence: "notification CAF" },
      { period: "2026-02", kind: "external_payment", amount: 100, source: "person", evidence: "x" },
      { period: "2025-02", kind: "external_payment", amount: 100, source: "person", evidence: "reçu du 3 mars" },
    ]) {
      const res = await h.call("POST", `/v1/beneficiaries/${b.id}/rent-entries`, body);
      expect(res.status, `${JSON.stringify(body)} → ${res.text}`).toBe(422);
    }
    expect((await h.rentPeriods(b.id, "2026-02-05")).map((p) => [p.period, p.paid, p.status])).toEqual([
      ["2026-01", 50000, "paid"],
      ["2026-02", 50000, "paid"],
      ["2026-03", 0, "upcoming"],
    ]);
    await h.credit(b.id, 50000, "2026-02-03");
    await h.ran("rent-payments", "2026-02-05");
    expect((await h.orders(b.id, "rent")).map((o) => o.period)).toEqual(["2026-01"]);
    await h.ran("unpaid-rent-check", "2026-02-05");
    expect(await alerts(b.id)).toEqual([]);
    // The CAF recalculates February's aid to the landlord: 5 000 less reached them; February owes 5 000 again.
    const caf = await h.call("POST", `/v1/beneficiaries/${b.id}/rent-entries`, {
      period: "2026-02",
      kind: "housing_aid_adjustment",
      amount: -5000,
      evidence: "Notification CAF du 20 février",
    });
    expect(caf.status, caf.text).toBe(201);
    expect((await h.rentPeriods(b.id, "2026-02-21"))[1]).toMatchObject({ period: "2026-02", due: 55000, paid: 50000, status: "partial" });
    const listed = await h.call("GET", `/v1/beneficiaries/${b.id}/rent-entries`);
    expect(listed.body.items.map((e: { kind: string }) => e.kind)).toEqual(["external_payment", "housing_aid_adjustment"]);
  });

  it("the ledger is sound", async () => {
    await h.expectLedgerSound();
  });

  it("the rent and reversement jobs' own reads (only what their planners use) plan what the full job read plans, for every beneficiary above", async () => {
    await expectNarrowReadsPlanAlike(h.db, ["2026-01-05", "2026-02-05", "2026-03-05", "2026-04-10", "2026-06-05"]);
  });
});
