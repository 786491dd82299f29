import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isCalendarDate } from "../../src/domain/business-date";
import { daysInMonth } from "../../src/domain/calendar";

/** The arithmetic versions against what a `Date` says, over the years the ledger accepts and beyond. */
describe("calendar arithmetic", () => {
  it("daysInMonth agrees with the Date of the month's last day", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1000, max: 9999 }), fc.integer({ min: 1, max: 12 }), (year, month) => {
        expect(daysInMonth(year, month)).toBe(new Date(Date.UTC(year, month, 0)).getUTCDate());
      }),
    );
    expect(daysInMonth(2000, 2)).toBe(29);
    expect(daysInMonth(1900, 2)).toBe(28);
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(() => daysInMonth(2026, 13)).toThrow(RangeError);
  });

  it("isCalendarDate accepts exactly the dates a Date round-trips", () => {
    const viaDate = (value: string) => {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
      const d = new Date(`${value}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
    };
    const pad = (n: number, w: number) => String(n).padStart(w, "0");
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), (y, m, d) => {
        const value = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
        expect(isCalendarDate(value)).toBe(viaDate(value));
      }),
      { numRuns: 5000 },
    );
    for (const bad of ["2026-2-01", "2026-02-30", "26-02-01", "2026-02-01T00:00", " 2026-02-01", "2026-00-10"]) expect(isCalendarDate(bad)).toBe(false);
    expect(isCalendarDate("2024-02-29")).toBe(true);
  });
});
