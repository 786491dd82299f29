import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addMonthsToMonth } from "../../src/domain/calendar";
import { chargeDueIn, chargeInForce, resolveMonths } from "../../src/domain/charge-schedule";

describe("the months a charge falls due", () => {
  it("monthly: every month, and no months may be given", () => {
    expect(resolveMonths("monthly", undefined, "2026-05-10")).toEqual({ months: [], issues: [] });
    expect(resolveMonths("monthly", [3], "2026-05-10").issues).toEqual([expect.objectContaining({ field: "months", code: "not_allowed" })]);
  });

  it("yearly: the start month by default, or exactly one month", () => {
    expect(resolveMonths("yearly", undefined, "2026-05-10")).toEqual({ months: [5], issues: [] });
    expect(resolveMonths("yearly", [11], "2026-05-10")).toEqual({ months: [11], issues: [] });
    expect(resolveMonths("yearly", [1, 7], "2026-05-10").issues).toEqual([expect.objectContaining({ code: "one_month" })]);
  });

  it("quarterly: four months three apart from the start month by default, wrapping the year; anything else refused", () => {
    expect(resolveMonths("quarterly", undefined, "2026-11-01")).toEqual({ months: [2, 5, 8, 11], issues: [] });
    expect(resolveMonths("quarterly", [10, 1, 7, 4], "2026-11-01")).toEqual({ months: [1, 4, 7, 10], issues: [] });
    expect(resolveMonths("quarterly", [1, 4, 7], "2026-11-01").issues).toEqual([expect.objectContaining({ code: "quarterly_months" })]);
    expect(resolveMonths("quarterly", [1, 2, 7, 10], "2026-11-01").issues).toEqual([expect.objectContaining({ code: "quarterly_months" })]);
  });

  it("property: the default quarterly months are valid and include the start month, whatever it is", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), (m) => {
        const r = resolveMonths("quarterly", undefined, `2026-${String(m).padStart(2, "0")}-15`);
        expect(r.issues).toEqual([]);
        expect(r.months).toContain(m);
      }),
    );
  });
});

describe("whether a charge falls due in a month", () => {
  const quarterly = { frequency: "quarterly" as const, months: [1, 4, 7, 10], startDate: "2026-02-15", endDate: "2026-12-31" };
  it("in its months only, from its start month to its end month", () => {
    expect(chargeDueIn(quarterly, "2026-01")).toBe(false); // before the start
    expect(chargeDueIn(quarterly, "2026-04")).toBe(true);
    expect(chargeDueIn(quarterly, "2026-05")).toBe(false);
    expect(chargeDueIn(quarterly, "2027-01")).toBe(false); // after the end
    expect(chargeDueIn({ ...quarterly, frequency: "monthly", months: [] }, "2026-02")).toBe(true); // the start month itself
  });

  it("property: a monthly charge falls due 12 times a year, a quarterly 4, a yearly once", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), (m) => {
        const year = Array.from({ length: 12 }, (_, k) => addMonthsToMonth("2027-01", k));
        const count = (c: Parameters<typeof chargeDueIn>[0]) => year.filter((month) => chargeDueIn(c, month)).length;
        const base = { startDate: "2026-01-01", endDate: null };
        expect(count({ ...base, frequency: "monthly", months: [] })).toBe(12);
        expect(count({ ...base, frequency: "quarterly", months: resolveMonths("quarterly", undefined, `2026-${String(m).padStart(2, "0")}-01`).months })).toBe(
          4,
        );
        expect(count({ ...base, frequency: "yearly", months: [m] })).toBe(1);
      }),
    );
  });

  it("a charge is part of the budget plan from its start date to its end date, both included", () => {
    expect(chargeInForce(quarterly, "2026-02-14")).toBe(false);
    expect(chargeInForce(quarterly, "2026-02-15")).toBe(true);
    expect(chargeInForce(quarterly, "2026-12-31")).toBe(true);
    expect(chargeInForce(quarterly, "2027-01-01")).toBe(false);
  });
});
