import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays, daysInMonth } from "../../src/domain/calendar";
import {
  DEFAULT_REVERSEMENT_PLAN,
  isoWeekday,
  planChargePayments,
  planRentPayments,
  planReversement,
  type ReversementPlan,
  reversementDue,
} from "../../src/domain/payment-plans";
import { facts as baseFacts, charge, facts, masp2 } from "./support/facts";

const paid = (...periods: string[]) => periods.map((period) => ({ period, paid: 35_000n }));

describe("rent payments", () => {
  it("pay the current period first, then the arrears oldest first (rule 4), each up to what it still lacks, from what the envelope holds", () => {
    const f = facts({ balances: { rent: 60_000n }, rentPaid: [{ period: "2026-01", paid: 35_000n }] });
    const items = planRentPayments(f, "2026-03-05");
    expect(items.map((i) => [i.period, i.amount, i.envelope, i.creditorName, i.naturalKey])).toEqual([
      ["2026-03", 35_000n, { envelope: "rent" }, "Office HLM", `rent:${f.beneficiaryId}:2026-03:2026-03-05:l1`],
      ["2026-02", 25_000n, { envelope: "rent" }, "Office HLM", `rent:${f.beneficiaryId}:2026-02:2026-03-05:l1`],
    ]);
    // The day before March falls due, there is no current period: the arrears, oldest first.
    expect(planRentPayments(f, "2026-03-04").map((i) => [i.period, i.amount])).toEqual([["2026-02", 35_000n]]);
  });

  it("a period is paid from its due date on, not the day before", () => {
    const f = facts({ balances: { rent: 35_000n }, rentPaid: paid("2026-01", "2026-02") });
    expect(planRentPayments(f, "2026-03-04")).toEqual([]);
    expect(planRentPayments(f, "2026-03-05").map((i) => i.period)).toEqual(["2026-03"]);
  });

  it("nothing without a measure in force, a lease or money", () => {
    expect(planRentPayments(facts({ balances: { rent: 35_000n }, measures: [masp2({ endedOn: "2026-02-01", status: "ended" })] }), "2026-03-05")).toEqual([]);
    expect(planRentPayments(facts({ balances: { rent: 35_000n }, leases: [] }), "2026-03-05")).toEqual([]);
    expect(planRentPayments(facts(), "2026-03-05")).toEqual([]);
  });

  it("property: never more than the envelope holds, nor than a period lacks", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 500_000n }), fc.integer({ min: 1, max: 28 }), (held, day) => {
        const asOf = `2026-06-${String(day).padStart(2, "0")}`;
        const items = planRentPayments(facts({ balances: { rent: held }, rentPaid: paid("2026-02") }), asOf);
        expect(items.reduce((s, i) => s + i.amount, 0n) <= held).toBe(true);
        for (const i of items) expect(i.amount > 0n && i.amount <= 35_000n).toBe(true);
        expect(new Set(items.map((i) => i.period)).size).toBe(items.length);
      }),
    );
  });
});

describe("charge payments", () => {
  it("a charge due this month, from its due day, by priority, up to what its envelope holds and it still lacks", () => {
    const f = facts({
      // Both start in March: no arrears (rule 8, charge-arrears.test.ts).
      charges: [charge({ id: "c2", priority: 20, amount: 3_000n, dueDay: 10, startDate: "2026-03-01" }), charge({ startDate: "2026-03-01" })],
      balances: { "charge:c1": 10_000n, "charge:c2": 1_000n },
      chargePaid: [{ chargeId: "c1", period: "2026-03", paid: 2_000n }],
    });
    expect(planChargePayments(f, "2026-03-09")).toEqual([]);
    expect(planChargePayments(f, "2026-03-10").map((i) => [i.chargeId, i.amount])).toEqual([["c2", 1_000n]]);
    expect(planChargePayments(f, "2026-03-15").map((i) => [i.chargeId, i.amount, i.envelope])).toEqual([
      ["c1", 4_000n, { envelope: "charge", chargeId: "c1" }],
      ["c2", 1_000n, { envelope: "charge", chargeId: "c2" }],
    ]);
  });

  it("not in a month it does not fall due, nor outside its dates", () => {
    const quarterly = charge({ frequency: "quarterly", months: [1, 4, 7, 10], startDate: "2026-02-01" });
    expect(planChargePayments(facts({ charges: [quarterly], balances: { "charge:c1": 6_000n } }), "2026-03-20")).toEqual([]);
    expect(planChargePayments(facts({ charges: [quarterly], balances: { "charge:c1": 6_000n } }), "2026-04-20")).toHaveLength(1);
    expect(planChargePayments(facts({ charges: [charge({ endDate: "2026-03-14" })], balances: { "charge:c1": 6_000n } }), "2026-03-15")).toEqual([]);
  });
});

describe("when a reversement is due", () => {
  it("the default plan: monthly on the 10th", () => {
    expect(reversementDue(null, "2026-03-09")).toBe(false);
    expect(reversementDue(null, "2026-03-10")).toBe(true);
    expect(DEFAULT_REVERSEMENT_PLAN).toMatchObject({ frequency: "monthly", day: 10, mode: "all_available", buffer: 0n });
  });

  it("a day past the end of a short month pays on its last day", () => {
    const plan = { frequency: "monthly", weekday: null, day: 31 } as const;
    expect(reversementDue(plan, "2026-02-28")).toBe(true);
    expect(reversementDue(plan, "2028-02-28")).toBe(false);
    expect(reversementDue(plan, "2028-02-29")).toBe(true);
    expect(reversementDue(plan, "2026-04-30")).toBe(true);
    expect(reversementDue(plan, "2026-05-30")).toBe(false);
  });

  it("weekly on its ISO weekday (2026-03-02 is a Monday)", () => {
    expect(isoWeekday("2026-03-02")).toBe(1);
    expect(isoWeekday("2026-03-08")).toBe(7);
    expect(reversementDue({ frequency: "weekly", weekday: 1, day: null }, "2026-03-02")).toBe(true);
    expect(reversementDue({ frequency: "weekly", weekday: 1, day: null }, "2026-03-03")).toBe(false);
  });

  const month = fc.record({ y: fc.integer({ min: 2000, max: 2100 }), m: fc.integer({ min: 1, max: 12 }) });
  it("property: a monthly plan pays on exactly one day of every month", () => {
    fc.assert(
      fc.property(month, fc.integer({ min: 1, max: 31 }), ({ y, m }, day) => {
        const days = Array.from({ length: daysInMonth(y, m) }, (_, i) => `${y}-${String(m).padStart(2, "0")}-${String(i + 1).padStart(2, "0")}`);
        expect(days.filter((d) => reversementDue({ frequency: "monthly", weekday: null, day }, d))).toHaveLength(1);
      }),
    );
  });
  it("property: a weekly plan pays on exactly one day of any seven in a row", () => {
    fc.assert(
      fc.property(month, fc.integer({ min: 1, max: 7 }), ({ y, m }, weekday) => {
        const days = Array.from({ length: 7 }, (_, i) => addDays(`${y}-${String(m).padStart(2, "0")}-01`, i));
        expect(days.filter((d) => reversementDue({ frequency: "weekly", weekday, day: null }, d))).toHaveLength(1);
      }),
    );
  });
});

describe("the reversement", () => {
  const plan = (over: Partial<ReversementPlan>): ReversementPlan => ({ ...DEFAULT_REVERSEMENT_PLAN, ...over });
  // March's rent is paid: rule 7 does not hold the reversement back (reversement-rules.test.ts).
  const facts = (over: Parameters<typeof baseFacts>[0] = {}) => baseFacts({ rentPaid: paid("2026-03"), ...over });
  it("pays all that is available to the beneficiary's own IBAN, less the buffer", () => {
    const r = planReversement(facts({ balances: { available: 12_000n }, plan: plan({ buffer: 2_000n }) }), "2026-03-10");
    expect(r.skipped).toBeNull();
    expect(r.item).toMatchObject({ kind: "reversement", amount: 10_000n, envelope: { envelope: "available" }, creditorName: "Marie Curie", period: null });
  });

  it("a fixed amount, never more than is available", () => {
    expect(planReversement(facts({ balances: { available: 12_000n }, plan: plan({ mode: "fixed", amount: 5_000n }) }), "2026-03-10").item?.amount).toBe(5_000n);
    expect(planReversement(facts({ balances: { available: 3_000n }, plan: plan({ mode: "fixed", amount: 5_000n }) }), "2026-03-10").item?.amount).toBe(3_000n);
  });

  it("nothing on another day, with nothing to pay, or without a measure; skipped without an IBAN", () => {
    expect(planReversement(facts({ balances: { available: 12_000n } }), "2026-03-11")).toEqual({ item: null, living: null, skipped: null });
    expect(planReversement(facts({ balances: { available: 2_000n }, plan: plan({ buffer: 2_000n }) }), "2026-03-10")).toEqual({
      item: null,
      living: null,
      skipped: null,
    });
    expect(planReversement(facts({ balances: { available: 2_000n }, measures: [] }), "2026-03-10")).toEqual({ item: null, living: null, skipped: null });
    const noIban = facts({ balances: { available: 2_000n }, beneficiary: { firstName: "A", lastName: "B", iban: null } });
    expect(planReversement(noIban, "2026-03-10")).toEqual({ item: null, living: null, skipped: "no_iban" });
  });
});
