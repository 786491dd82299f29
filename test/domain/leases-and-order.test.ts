import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allPeriodsOf } from "../../src/domain/in-force";
import { planRentPayments, rentPaymentOrder } from "../../src/domain/payment-plans";
import { prorated } from "../../src/domain/rent-periods";
import { facts, lease, masp2 } from "./support/facts";

/** A move: lease A (Office HLM) until 14 March, lease B (SCI Tilleuls) from 15 March, 35 000 due each. */
const leaseA = lease({ id: "A", endDate: "2026-03-14" });
const leaseB = lease({ id: "B", startDate: "2026-03-15", landlordName: "SCI Tilleuls", landlordIban: "FR1420041010050500013M02606" });
const terms = [
  { leaseId: "A", effectiveMonth: "2025-06-01", rent: 50_000n, charges: 5_000n, housingBenefitToLandlord: 20_000n },
  { leaseId: "B", effectiveMonth: "2026-03-01", rent: 50_000n, charges: 5_000n, housingBenefitToLandlord: 20_000n },
];
const moved = (over: Parameters<typeof facts>[0] = {}) => facts({ leases: [leaseA, leaseB], terms, ...over });

describe("rule 2: periods and what was paid are per lease", () => {
  it("a move: both leases' March periods, B's due the day it begins; A's arrears stay A's", () => {
    const f = moved({ rentPaid: [{ leaseId: "A", period: "2026-01", paid: 35_000n }] });
    const periods = allPeriodsOf(f, masp2(), "2026-04", "2026-04-10");
    expect(periods.map((p) => [p.lease.id, p.period, p.dueDate, p.status])).toEqual([
      ["A", "2026-01", "2026-01-05", "paid"],
      ["A", "2026-02", "2026-02-05", "unpaid"],
      ["A", "2026-03", "2026-03-05", "unpaid"],
      ["B", "2026-03", "2026-03-15", "unpaid"],
      ["B", "2026-04", "2026-04-05", "unpaid"],
    ]);
  });

  it("what was paid to A never counts for B (same month, other lease)", () => {
    const f = moved({ rentPaid: [{ leaseId: "A", period: "2026-03", paid: 35_000n }] });
    const march = allPeriodsOf(f, masp2(), "2026-03", "2026-03-20").filter((p) => p.period === "2026-03");
    expect(march.map((p) => [p.lease.id, p.paid])).toEqual([
      ["A", 35_000n],
      ["B", 0n],
    ]);
  });

  it("an order without a lease (written before) counts for the latest lease that covered its month", () => {
    const f = moved({
      rentPaid: [
        { period: "2026-02", paid: 35_000n },
        { period: "2026-03", paid: 1_000n },
      ],
    });
    const paid = allPeriodsOf(f, masp2(), "2026-03", "2026-03-20").map((p) => [p.lease.id, p.period, p.paid]);
    expect(paid).toContainEqual(["A", "2026-02", 35_000n]);
    expect(paid).toContainEqual(["B", "2026-03", 1_000n]);
    expect(paid).toContainEqual(["A", "2026-03", 0n]);
  });

  it("A's arrears are paid to landlord A, B's current rent to landlord B", () => {
    const f = moved({ balances: { rent: 70_000n }, rentPaid: [{ leaseId: "A", period: "2026-01", paid: 35_000n }] });
    const items = planRentPayments(f, "2026-04-05");
    expect(items.map((i) => [i.leaseId, i.period, i.amount, i.creditorName])).toEqual([
      ["B", "2026-04", 35_000n, "SCI Tilleuls"],
      ["A", "2026-02", 35_000n, "Office HLM"],
    ]);
  });

  it("prorata: the first and last months for the days covered, the day before, of and after a month's end", () => {
    expect(prorated(31_000n, "2026-03", "2026-03-15", null)).toBe(17_000n); // 17 of 31 days
    expect(prorated(31_000n, "2026-03", "2025-01-01", "2026-03-14")).toBe(14_000n);
    expect(prorated(31_000n, "2026-03", "2026-03-01", null)).toBe(31_000n);
    expect(prorated(31_000n, "2026-03", "2026-03-31", null)).toBe(1_000n);
    expect(prorated(28_000n, "2026-02", "2026-01-31", "2026-02-28")).toBe(28_000n);
    expect(prorated(10_000n, "2026-02", "2026-02-28", null)).toBe(357n); // 10 000 / 28 = 357.14
  });

  it("property: the last month of A plus the first of B, both prorated, owe one month's rent", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 28 }), fc.bigInt({ min: 0n, max: 500_000n }), (day, monthly) => {
        const start = `2026-03-${String(day).padStart(2, "0")}`;
        const end = `2026-03-${String(day - 1).padStart(2, "0")}`;
        const sum = prorated(monthly, "2026-03", "2025-01-01", end) + prorated(monthly, "2026-03", start, null);
        expect(sum - monthly <= 1n && monthly - sum <= 1n).toBe(true);
      }),
    );
  });
});

describe("rule 4: the current period before the arrears, then oldest first; a plan d'apurement caps the arrears", () => {
  const p = (period: string, dueDate: string, leaseId = "l1") => ({ period, dueDate, due: 10n, paid: 0n, lease: { id: leaseId } });
  it("the current period first from its due date; the day before, arrears only", () => {
    const periods = [p("2026-01", "2026-01-05"), p("2026-02", "2026-02-05"), p("2026-03", "2026-03-05")];
    expect(rentPaymentOrder(periods, "l1", "2026-03-04").map((x) => x.period)).toEqual(["2026-01", "2026-02"]);
    expect(rentPaymentOrder(periods, "l1", "2026-03-05").map((x) => x.period)).toEqual(["2026-03", "2026-01", "2026-02"]);
    expect(rentPaymentOrder(periods, "l1", "2026-03-06").map((x) => x.period)).toEqual(["2026-03", "2026-01", "2026-02"]);
  });

  it("a plan of 10 000 a month: the current rent in full, the arrears 10 000 this month, less what they already took", () => {
    const f = facts({ leases: [lease({ arrearsPlanMonthly: 10_000n })], balances: { rent: 100_000n } });
    expect(planRentPayments(f, "2026-03-05").map((i) => [i.period, i.amount])).toEqual([
      ["2026-03", 35_000n],
      ["2026-01", 10_000n],
    ]);
    const later = facts({
      leases: [lease({ arrearsPlanMonthly: 10_000n })],
      balances: { rent: 100_000n },
      rentPaid: [
        { period: "2026-03", paid: 35_000n },
        { period: "2026-01", paid: 4_000n },
      ],
      arrearsPaid: [{ leaseId: "l1", month: "2026-03", paid: 4_000n }],
    });
    expect(planRentPayments(later, "2026-03-20").map((i) => [i.period, i.amount])).toEqual([["2026-01", 6_000n]]);
    // Once the plan's 10 000 are taken this month, the arrears wait for next month.
    expect(planRentPayments({ ...later, arrearsPaid: [{ leaseId: "l1", month: "2026-03", paid: 10_000n }] }, "2026-03-20")).toEqual([]);
  });
});

describe("rule 3: the person's share, external payments, dated housing-aid adjustments", () => {
  const withShare = (share: bigint) => [
    { leaseId: "l1", effectiveMonth: "2025-06-01", rent: 50_000n, charges: 5_000n, housingBenefitToLandlord: 20_000n, personShare: share },
  ];
  it("due from the managed funds = rent + charges − housing aid to the landlord − the person's share", () => {
    const f = facts({ terms: withShare(10_000n) });
    expect(allPeriodsOf(f, masp2(), "2026-01", "2026-01-10").map((p) => p.due)).toEqual([25_000n]);
  });

  it("an external payment counts as paid (an FSL payment pays the month; part of it leaves part)", () => {
    const f = facts({
      rentEntries: [
        { leaseId: "l1", period: "2026-01", kind: "external_payment", amount: 35_000n },
        { leaseId: "l1", period: "2026-02", kind: "external_payment", amount: 34_999n },
      ],
    });
    expect(allPeriodsOf(f, masp2(), "2026-02", "2026-02-05").map((p) => [p.period, p.paid, p.status])).toEqual([
      ["2026-01", 35_000n, "paid"],
      ["2026-02", 34_999n, "partial"],
    ]);
    // Nothing left to pay for January from the managed funds.
    expect(planRentPayments({ ...f, held: () => 100_000n }, "2026-02-05").map((i) => [i.period, i.amount])).toEqual([["2026-02", 1n]]);
  });

  it("a housing-aid adjustment changes what a begun month owes, never below zero; other months keep their terms", () => {
    const f = facts({
      rentEntries: [
        { leaseId: "l1", period: "2026-02", kind: "housing_aid_adjustment", amount: 5_000n },
        { leaseId: "l1", period: "2026-03", kind: "housing_aid_adjustment", amount: -2_000n },
        { leaseId: "l1", period: "2026-04", kind: "housing_aid_adjustment", amount: 99_000n },
      ],
    });
    expect(allPeriodsOf(f, masp2(), "2026-05", "2026-05-10").map((p) => [p.period, p.due])).toEqual([
      ["2026-01", 35_000n],
      ["2026-02", 30_000n],
      ["2026-03", 37_000n],
      ["2026-04", 0n],
      ["2026-05", 35_000n],
    ]);
  });
});
