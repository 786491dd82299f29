import { describe, expect, it } from "vitest";
import { decideChargeArrears, decideHousingAidWithoutLease } from "../../src/domain/budget-alerts";
import { chargeArrears, chargePeriods, unpaidDueDates } from "../../src/domain/charge-arrears";
import { planCredit } from "../../src/domain/credit-plan";
import { livingNeed } from "../../src/domain/living-allowance";
import { currentRentShortfall, planChargePayments, planReversement } from "../../src/domain/payment-plans";
import { BENEFICIARY, catalogue, charge, facts, lease, masp2 } from "./support/facts";

/** Issue 15, rules 5 to 8: each at its boundary (the day before, of and after). */
const credit = (over: Partial<{ prestation: string; amount: bigint; valueDate: string }> = {}) => ({
  beneficiaryId: BENEFICIARY,
  prestation: "RSA",
  amount: 60_000n,
  valueDate: "2026-03-06",
  ...over,
});
// Rent due 35 000 a month on the 5th (facts' lease terms), paid through March.
const paidThrough = (...months: string[]) => months.map((period) => ({ period, paid: 35_000n }));
const rentPaidQ1 = paidThrough("2026-01", "2026-02", "2026-03");

describe("rule 5: housing aid without a lease", () => {
  const endedLease = lease({ endDate: "2026-03-15" });
  it("is raised the day after the lease ended, not the day it ends, while the rent envelope holds money", () => {
    const f = facts({ leases: [endedLease], balances: { rent: 20_000n }, rentPaid: rentPaidQ1 });
    expect(decideHousingAidWithoutLease(f, "2026-03-14")).toEqual([]);
    expect(decideHousingAidWithoutLease(f, "2026-03-15")).toEqual([]);
    const [op] = decideHousingAidWithoutLease(f, "2026-03-16");
    expect(op).toMatchObject({ kind: "insert", type: "housing_aid_without_lease", episode: "2026-03-15", periods: [] });
    expect(op?.evidence).toMatchObject({ person: "Marie C.", rentEnvelope: 20_000, lastLeaseEnded: "2026-03-15" });
  });

  it("not with an empty envelope; with no lease ever, its episode is the day the MASP began; closed once a lease is recorded", () => {
    expect(decideHousingAidWithoutLease(facts({ leases: [] }), "2026-03-16")).toEqual([]);
    expect(decideHousingAidWithoutLease(facts({ leases: [], balances: { rent: 1n } }), "2026-03-16")[0]).toMatchObject({ episode: "2026-01-01" });
    const open = { id: "a1", type: "housing_aid_without_lease" as const, episode: "2026-01-01", status: "open" as const, periods: [] };
    expect(decideHousingAidWithoutLease(facts({ leases: [], balances: { rent: 1n }, alerts: [open] }), "2026-03-17")).toEqual([]);
    expect(decideHousingAidWithoutLease(facts({ balances: { rent: 1n }, alerts: [open] }), "2026-03-17")).toEqual([
      { kind: "close", id: "a1", beneficiaryId: BENEFICIARY, type: "housing_aid_without_lease", closeReason: "lease_or_nothing_held" },
    ]);
    // A caseworker closed it: not raised again for the same episode.
    const closed = { ...open, status: "closed" as const };
    expect(decideHousingAidWithoutLease(facts({ leases: [], balances: { rent: 1n }, alerts: [closed] }), "2026-03-17")).toEqual([]);
  });

  it("the housing aid still goes wholly to the rent envelope without a lease; ALF is not earmarked (R.271-4)", () => {
    const noLease = facts({ leases: [] });
    expect(planCredit(noLease, credit({ prestation: "APL", amount: 25_000n }), catalogue).plan).toEqual([{ envelope: "rent", amount: 25_000n }]);
    const withAlf = {
      ...catalogue,
      items: [
        ...catalogue.items,
        { code: "ALF", item: 21, label: "ALF", payer: "CAF", scope: "extension" as const, earmarked: null, masp3: "extension" as const },
      ],
    };
    const f = facts({ measures: [masp2({ managedPrestations: ["ALF"] })], rentPaid: rentPaidQ1 });
    // Like any non-earmarked prestation: the rent it needs (April's, the next), the rest available.
    expect(planCredit(f, credit({ prestation: "ALF", amount: 50_000n }), withAlf).plan).toEqual([
      { envelope: "rent", amount: 35_000n },
      { envelope: "available", amount: 15_000n },
    ]);
  });

  it("care money pays care charges: a care charge the care prestations did not fill is paid from the care envelope", () => {
    const care = charge({ id: "aide", category: "care", amount: 8_000n, dueDay: 10, startDate: "2026-03-01" });
    const f = facts({ charges: [care], balances: { "charge:aide": 3_000n, care: 20_000n } });
    expect(planChargePayments(f, "2026-03-09")).toEqual([]);
    expect(planChargePayments(f, "2026-03-10").map((i) => [i.amount, i.envelope, i.naturalKey.endsWith(":care")])).toEqual([
      [3_000n, { envelope: "charge", chargeId: "aide" }, false],
      [5_000n, { envelope: "care" }, true],
    ]);
    // Never an energy charge from the care envelope.
    const energy = facts({ charges: [charge({ startDate: "2026-03-01" })], balances: { care: 20_000n } });
    expect(planChargePayments(energy, "2026-03-15")).toEqual([]);
  });
});

describe("rule 6: reste à vivre", () => {
  it("topped up to the monthly amount once a month: what credits set aside this month and what the envelope holds both count", () => {
    expect(livingNeed(0n, 0n, 0n)).toBe(0n);
    expect(livingNeed(20_000n, 0n, 0n)).toBe(20_000n);
    expect(livingNeed(20_000n, 5_000n, 5_000n)).toBe(15_000n);
    // Paid out on the 10th (held 0), a credit of the 15th sets nothing more aside this month.
    expect(livingNeed(20_000n, 20_000n, 0n)).toBe(0n);
    // Last month's not paid out (no IBAN) still counts.
    expect(livingNeed(20_000n, 0n, 20_000n)).toBe(0n);
  });

  it("served after the rent and before the charges", () => {
    const f = facts({
      measures: [masp2({ livingMonthly: 20_000n })],
      rentPaid: rentPaidQ1,
      charges: [charge({ startDate: "2026-03-01" })],
    });
    expect(planCredit(f, credit({ amount: 60_000n }), catalogue).plan).toEqual([
      { envelope: "rent", amount: 35_000n },
      { envelope: "living", amount: 20_000n },
      { envelope: "charge", chargeId: "c1", amount: 5_000n },
    ]);
    const second = facts({
      measures: [masp2({ livingMonthly: 20_000n })],
      rentPaid: rentPaidQ1,
      livingByMonth: new Map([["2026-03", 20_000n]]),
      balances: { rent: 35_000n },
    });
    expect(planCredit(second, credit({ amount: 10_000n, valueDate: "2026-03-20" }), catalogue).plan).toEqual([{ envelope: "available", amount: 10_000n }]);
    // A new month: topped up again.
    expect(planCredit(second, credit({ amount: 10_000n, valueDate: "2026-04-02" }), catalogue).plan).toEqual([{ envelope: "living", amount: 10_000n }]);
  });

  it("paid out by the reversement, all of it, even while the rent is short", () => {
    const f = facts({ balances: { living: 20_000n, available: 5_000n }, rentPaid: paidThrough("2026-01", "2026-02") });
    const r = planReversement(f, "2026-03-10");
    expect(r.living).toMatchObject({ kind: "reversement", amount: 20_000n, envelope: { envelope: "living" }, description: "Reste à vivre 2026-03-10" });
    expect(r.item).toBeNull();
    expect(r.skipped).toBe("rent_short");
    expect(planReversement(f, "2026-03-09").living).toBeNull();
  });
});

describe("rule 7: no reversement while this month's rent is short", () => {
  const short = { balances: { available: 12_000n, rent: 30_000n }, rentPaid: paidThrough("2026-01", "2026-02") };
  it("held back when the rent envelope does not cover this month's period, with how much it lacks", () => {
    expect(currentRentShortfall(facts(short), "2026-03-10")).toBe(5_000n);
    expect(planReversement(facts(short), "2026-03-10")).toEqual({ item: null, living: null, skipped: "rent_short", shortfall: 5_000n });
  });

  it("paid when the envelope covers it (due date not yet come), or it is paid, or the measure opted out", () => {
    const covered = facts({ ...short, balances: { available: 12_000n, rent: 35_000n } });
    expect(planReversement(covered, "2026-03-10").item?.amount).toBe(12_000n);
    expect(planReversement(facts({ ...short, rentPaid: paidThrough("2026-01", "2026-02", "2026-03") }), "2026-03-10").item?.amount).toBe(12_000n);
    const optOut = facts({ ...short, measures: [masp2({ reversementWhileRentShort: true })] });
    expect(planReversement(optOut, "2026-03-10")).toMatchObject({ skipped: null, item: { amount: 12_000n } });
    // Without a lease there is no rent to cover.
    expect(planReversement(facts({ ...short, leases: [] }), "2026-03-10").item?.amount).toBe(12_000n);
  });
});

describe("rule 8: charges carry their arrears", () => {
  const edf = charge({ startDate: "2026-01-01" });
  it("periods from the first due date on or after the measure began; arrears are the earlier months left unpaid", () => {
    const periods = chargePeriods(edf, [{ chargeId: "c1", period: "2026-01", paid: 6_000n }], "2026-01-20", "2026-03");
    // January fell due on the 15th, before the measure: not its to pay.
    expect(periods.map((p) => p.period)).toEqual(["2026-02", "2026-03"]);
    expect(chargeArrears(periods, "2026-03-14").map((p) => p.period)).toEqual(["2026-02"]);
    expect(unpaidDueDates(periods, "2026-03-15").map((p) => p.period)).toEqual(["2026-02"]);
    expect(unpaidDueDates(periods, "2026-03-16").map((p) => p.period)).toEqual(["2026-02", "2026-03"]);
  });

  it("a credit serves a charge's arrears with its next amount, in its priority place, never before the rent", () => {
    const f = facts({
      rentPaid: rentPaidQ1,
      charges: [edf, charge({ id: "c2", priority: 20, amount: 3_000n, startDate: "2026-03-01" })],
      chargePaid: [{ chargeId: "c1", period: "2026-01", paid: 6_000n }],
    });
    // Rent (April's, the next period) first; then EDF: February's arrears 6 000 and its next amount 6 000; then c2.
    expect(planCredit(f, credit({ amount: 60_000n }), catalogue).plan).toEqual([
      { envelope: "rent", amount: 35_000n },
      { envelope: "charge", chargeId: "c1", amount: 12_000n },
      { envelope: "charge", chargeId: "c2", amount: 3_000n },
      { envelope: "available", amount: 10_000n },
    ]);
  });

  it("the charge job pays the arrears oldest first, then this month's amount from its due day", () => {
    const f = facts({ charges: [edf], balances: { "charge:c1": 15_000n }, chargePaid: [{ chargeId: "c1", period: "2026-01", paid: 2_000n }] });
    expect(planChargePayments(f, "2026-03-14").map((i) => [i.period, i.amount])).toEqual([
      ["2026-01", 4_000n],
      ["2026-02", 6_000n],
    ]);
    expect(planChargePayments(f, "2026-03-15").map((i) => [i.period, i.amount])).toEqual([
      ["2026-01", 4_000n],
      ["2026-02", 6_000n],
      ["2026-03", 5_000n],
    ]);
  });

  it("charge_arrears the day after the second unpaid due date, for energy and home insurance only", () => {
    const f = (c = edf) => facts({ charges: [c], chargePaid: [{ chargeId: c.id, period: "2026-01", paid: 6_000n }] });
    expect(decideChargeArrears(f(), "2026-03-15")).toEqual([]);
    const [op] = decideChargeArrears(f(), "2026-03-16");
    expect(op).toMatchObject({ kind: "insert", type: "charge_arrears", episode: "2026-02", periods: ["2026-02", "2026-03"] });
    expect(op?.evidence).toMatchObject({ person: "Marie C.", charges: [{ chargeId: "c1", category: "energy", creditorName: "EDF" }] });
    expect(decideChargeArrears(f(charge({ category: "insurance" })), "2026-03-16")).toHaveLength(1);
    expect(decideChargeArrears(f(charge({ category: "telecom" })), "2026-03-16")).toEqual([]);
    const open = { id: "a1", type: "charge_arrears" as const, episode: "2026-02", status: "open" as const, periods: ["2026-02", "2026-03"] };
    const paidUp = facts({
      charges: [edf],
      alerts: [open],
      chargePaid: ["2026-01", "2026-02", "2026-03"].map((period) => ({ chargeId: "c1", period, paid: 6_000n })),
    });
    expect(decideChargeArrears(paidUp, "2026-03-16")).toEqual([
      { kind: "close", id: "a1", beneficiaryId: BENEFICIARY, type: "charge_arrears", closeReason: "arrears_paid" },
    ]);
  });
});
