import { describe, expect, it } from "vitest";
import { firstPeriodFrom, type LeaseForPeriods, rentNeed, rentPeriods, statusOf } from "../../src/domain/rent-periods";

const lease: LeaseForPeriods = {
  dueDay: 5,
  startDate: "2026-01-01",
  endDate: null,
  terms: [
    { effectiveMonth: "2026-01", due: 50_000n },
    { effectiveMonth: "2026-04", due: 52_000n },
  ],
};

describe("rent periods", () => {
  it("derives each month's due from the terms in force that month", () => {
    const periods = rentPeriods(lease, new Map(), "2026-01", "2026-05", "2026-03-10");
    expect(periods.map((p) => [p.period, p.dueDate, p.due])).toEqual([
      ["2026-01", "2026-01-05", 50_000n],
      ["2026-02", "2026-02-05", 50_000n],
      ["2026-03", "2026-03-05", 50_000n],
      ["2026-04", "2026-04-05", 52_000n],
      ["2026-05", "2026-05-05", 52_000n],
    ]);
  });

  it("statuses: upcoming before the due date, then paid / partial / unpaid", () => {
    expect(statusOf(50_000n, 0n, "2026-02-05", "2026-02-04")).toBe("upcoming");
    expect(statusOf(50_000n, 0n, "2026-02-05", "2026-02-05")).toBe("unpaid");
    expect(statusOf(50_000n, 10n, "2026-02-05", "2026-02-06")).toBe("partial");
    expect(statusOf(50_000n, 50_000n, "2026-02-05", "2026-02-04")).toBe("paid");
    expect(statusOf(0n, 0n, "2026-02-05", "2026-03-01")).toBe("paid");
  });

  it("starts at the later of the lease start and the given month, ends with the lease", () => {
    const ended = { ...lease, endDate: "2026-03-15" };
    expect(rentPeriods(ended, new Map(), "2026-02", "2026-12", "2026-06-01").map((p) => p.period)).toEqual(["2026-02", "2026-03"]);
  });

  it("needs the arrears plus the next period, less what the envelope holds", () => {
    const paid = new Map([
      ["2026-01", 50_000n],
      ["2026-02", 20_000n],
    ]);
    const periods = rentPeriods(lease, paid, "2026-01", "2026-04", "2026-03-10");
    // Feb: 30 000 unpaid, Mar: 50 000 unpaid, next (Apr): 52 000.
    expect(rentNeed(periods, "2026-03-10", 0n)).toBe(132_000n);
    expect(rentNeed(periods, "2026-03-10", 100_000n)).toBe(32_000n);
    expect(rentNeed(periods, "2026-03-10", 500_000n)).toBe(0n);
  });
});

describe("rule 1: a measure that starts mid-month", () => {
  it("the first period is that of the first due date on or after the start: the day before, of and after the due date", () => {
    expect(firstPeriodFrom("2026-01-04", 5)).toBe("2026-01");
    expect(firstPeriodFrom("2026-01-05", 5)).toBe("2026-01");
    expect(firstPeriodFrom("2026-01-06", 5)).toBe("2026-02");
    expect(firstPeriodFrom("2026-12-20", 5)).toBe("2027-01");
  });
});
