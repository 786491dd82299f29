import fc from "fast-check";
import { isValidIBAN, ValidationErrorsIBAN, validateIBAN } from "ibantools";
import { describe, expect, it } from "vitest";
import { isCalendarDate } from "../../src/domain/business-date";
import { addDays, addMonths, addYears, daysBetween, daysInMonth } from "../../src/domain/calendar";
import { normalizeIban } from "../../src/domain/iban";
import {
  birthDateIssue,
  checkPeriodDuration,
  cumulatedWithinLimit,
  fourYearLimit,
  isAdultOn,
  MAX_PERIOD_MONTHS,
  MIN_PERIOD_MONTHS,
  periodEnd,
  spanDays,
} from "../../src/domain/measure-rules";

/** Any real calendar date between 1900 and 2199, as `YYYY-MM-DD`. */
const calendarDate = fc
  .date({ min: new Date("1900-01-01T00:00:00Z"), max: new Date("2199-12-31T00:00:00Z"), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

describe("calendar: addMonths", () => {
  it("clamps to the last day of a shorter month", () => {
    expect(addMonths("2026-01-31", 1)).toBe("2026-02-28");
    expect(addMonths("2028-01-31", 1)).toBe("2028-02-29"); // leap year
    expect(addMonths("2026-03-31", 1)).toBe("2026-04-30");
    expect(addMonths("2026-03-31", -1)).toBe("2026-02-28");
    expect(addMonths("2026-08-31", 6)).toBe("2027-02-28");
    expect(addMonths("2028-02-29", 12)).toBe("2029-02-28");
    expect(addMonths("2028-02-29", 48)).toBe("2032-02-29");
  });

  it("crosses year boundaries both ways and keeps the day when it exists", () => {
    expect(addMonths("2026-12-15", 1)).toBe("2027-01-15");
    expect(addMonths("2026-01-15", -1)).toBe("2025-12-15");
    expect(addMonths("2026-01-15", -13)).toBe("2024-12-15");
    expect(addMonths("2026-01-15", 24)).toBe("2028-01-15");
    expect(addMonths("2026-05-20", 0)).toBe("2026-05-20");
  });

  it("addYears is twelve months at a time (29 Feb → 28 Feb)", () => {
    expect(addYears("2008-02-29", 18)).toBe("2026-02-28");
    expect(addYears("2008-03-01", 18)).toBe("2026-03-01");
  });

  it("property: never yields an invalid date, lands in the right month, keeps or clamps the day", () => {
    fc.assert(
      fc.property(calendarDate, fc.integer({ min: -1200, max: 1200 }), (date, n) => {
        const out = addMonths(date, n);
        expect(isCalendarDate(out)).toBe(true);
        const [y, m, d] = date.split("-").map(Number) as [number, number, number];
        const [oy, om, od] = out.split("-").map(Number) as [number, number, number];
        expect(oy * 12 + om - (y * 12 + m)).toBe(n);
        expect(od).toBe(Math.min(d, daysInMonth(oy, om)));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("measure rules: checkPeriodDuration (6 to 24 months, both dates included)", () => {
  it("accepts exactly 6 months and refuses one day less", () => {
    expect(checkPeriodDuration("2026-01-01", "2026-06-30")).toBeNull();
    expect(checkPeriodDuration("2026-01-01", "2026-06-29")).toBe("too_short");
    expect(checkPeriodDuration("2026-01-01", "2026-07-01")).toBeNull();
  });

  it("accepts exactly 24 months and refuses one day more", () => {
    expect(checkPeriodDuration("2026-01-01", "2027-12-31")).toBeNull();
    expect(checkPeriodDuration("2026-01-01", "2028-01-01")).toBe("too_long");
    expect(checkPeriodDuration("2026-01-01", "2027-12-30")).toBeNull();
  });

  it("reports an end before the start", () => {
    expect(checkPeriodDuration("2026-01-01", "2025-12-31")).toBe("end_before_start");
    expect(checkPeriodDuration("2026-01-01", "2026-01-01")).toBe("too_short");
  });

  it("handles month-end starts by clamping (31 Aug + 6 months is 28 Feb: the period ends the day before)", () => {
    // 2026-08-31 + 6 months = 2027-02-28, so the shortest period ends 2027-02-27.
    expect(periodEnd("2026-08-31", 6)).toBe("2027-02-27");
    expect(checkPeriodDuration("2026-08-31", "2027-02-27")).toBeNull();
    expect(checkPeriodDuration("2026-08-31", "2027-02-26")).toBe("too_short");
    // 2026-08-31 + 24 months = 2028-08-31, so the longest period ends 2028-08-30.
    expect(periodEnd("2026-08-31", 24)).toBe("2028-08-30");
    expect(checkPeriodDuration("2026-08-31", "2028-08-30")).toBeNull();
    expect(checkPeriodDuration("2026-08-31", "2028-08-31")).toBe("too_long");
    // Into a leap February.
    expect(periodEnd("2027-08-31", 6)).toBe("2028-02-28");
    expect(checkPeriodDuration("2027-08-31", "2028-02-27")).toBe("too_short");
    // A 31 January start.
    expect(checkPeriodDuration("2026-01-31", "2026-07-30")).toBeNull();
    expect(checkPeriodDuration("2026-01-31", "2026-07-29")).toBe("too_short");
  });

  it("property: periodEnd(start, 6..24) always passes; a day less than 6 or more than 24 months never does", () => {
    fc.assert(
      fc.property(calendarDate, fc.integer({ min: MIN_PERIOD_MONTHS, max: MAX_PERIOD_MONTHS }), (start, months) => {
        expect(checkPeriodDuration(start, periodEnd(start, months))).toBeNull();
        expect(checkPeriodDuration(start, addDays(periodEnd(start, MIN_PERIOD_MONTHS), -1))).toBe("too_short");
        expect(checkPeriodDuration(start, addDays(periodEnd(start, MAX_PERIOD_MONTHS), 1))).toBe("too_long");
      }),
      { numRuns: 2000 },
    );
  });
});

describe("measure rules: isAdultOn (18 years)", () => {
  it("is adult when the 18th birthday is the day before or the day of the date, not the day after", () => {
    expect(isAdultOn("2007-12-31", "2026-01-01")).toBe(true); // birthday the day before
    expect(isAdultOn("2008-01-01", "2026-01-01")).toBe(true); // birthday that day
    expect(isAdultOn("2008-01-02", "2026-01-01")).toBe(false); // birthday the day after
    expect(isAdultOn("1950-06-15", "2026-01-01")).toBe(true);
  });

  it("someone born on 29 February is 18 on 28 February of a non-leap year", () => {
    expect(isAdultOn("2008-02-29", "2026-02-27")).toBe(false);
    expect(isAdultOn("2008-02-29", "2026-02-28")).toBe(true);
    expect(isAdultOn("2008-02-29", "2026-03-01")).toBe(true);
    // 18 years after a leap birthday in a leap year: the birthday itself.
    expect(isAdultOn("2012-02-29", "2030-02-28")).toBe(true);
    expect(isAdultOn("2012-02-29", "2030-02-27")).toBe(false);
  });
});

describe("measure rules: cumulatedWithinLimit (48 months in all)", () => {
  it("accepts 24 + 24 months chained (exactly 48 months) and refuses one day more", () => {
    const first = { startDate: "2026-01-01", endDate: "2027-12-31" };
    const ok = cumulatedWithinLimit([first], { startDate: "2028-01-01", endDate: "2029-12-31" });
    expect(ok).toEqual({ ok: true, usedDays: 1461, limitDays: 1461 });
    const over = cumulatedWithinLimit([first], { startDate: "2028-01-01", endDate: "2030-01-01" });
    expect(over).toEqual({ ok: false, usedDays: 1462, limitDays: 1461 });
  });

  it("accepts 4 × 12 months chained and refuses a fifth period", () => {
    const periods = [
      { startDate: "2026-03-01", endDate: "2027-02-28" },
      { startDate: "2027-03-01", endDate: "2028-02-29" },
      { startDate: "2028-03-01", endDate: "2029-02-28" },
    ];
    expect(cumulatedWithinLimit(periods, { startDate: "2029-03-01", endDate: "2030-02-28" }).ok).toBe(true);
    expect(cumulatedWithinLimit([...periods, { startDate: "2029-03-01", endDate: "2030-02-28" }], { startDate: "2030-03-01", endDate: "2030-08-31" }).ok).toBe(
      false,
    );
  });

  it("with gaps, counts the days actually covered", () => {
    const first = { startDate: "2026-01-01", endDate: "2027-12-31" }; // 730 days
    // A year without a measure, then 24 more months: 60 months after the first start, 1460 days covered.
    const gap = cumulatedWithinLimit([first], { startDate: "2029-01-01", endDate: "2030-12-31" });
    expect(gap).toMatchObject({ ok: true, usedDays: 1460, limitDays: 1461 });
    // Two more days than the limit leaves.
    expect(cumulatedWithinLimit([first, { startDate: "2029-01-01", endDate: "2030-12-31" }], { startDate: "2032-01-01", endDate: "2032-01-02" }).ok).toBe(
      false,
    );
    expect(cumulatedWithinLimit([first, { startDate: "2029-01-01", endDate: "2030-12-31" }], { startDate: "2032-01-01", endDate: "2032-01-01" }).ok).toBe(true);
  });

  it("counts an ended measure up to the day it ended", () => {
    const ended = { startDate: "2026-01-01", endDate: "2027-12-31", endedOn: "2026-06-30" };
    expect(spanDays(ended)).toBe(181);
    const next = cumulatedWithinLimit([ended], { startDate: "2027-01-01", endDate: "2028-12-31" });
    expect(next).toMatchObject({ ok: true, usedDays: 181 + 731 });
  });

  it("property: two maximal periods chained always fit within 48 months", () => {
    fc.assert(
      fc.property(calendarDate, (start) => {
        const first = { startDate: start, endDate: periodEnd(start, 24) };
        const secondStart = addDays(first.endDate, 1);
        const result = cumulatedWithinLimit([first], { startDate: secondStart, endDate: periodEnd(secondStart, 24) });
        expect(result.ok).toBe(true);
        expect(result.limitDays).toBe(daysBetween(start, addMonths(start, 48)));
      }),
      { numRuns: 1000 },
    );
  });
});

describe("the four-year limit as shown (L.271-2)", () => {
  it("none without a measure; else from the first start, 48 months, the days used and left", () => {
    expect(fourYearLimit([])).toBeNull();
    expect(
      fourYearLimit([
        { startDate: "2026-01-01", endDate: "2026-12-31" },
        { startDate: "2027-01-01", endDate: "2027-06-30", endedOn: "2027-03-31" },
      ]),
    ).toEqual({
      firstStart: "2026-01-01",
      limitDate: "2029-12-31",
      usedDays: 365 + 90,
      limitDays: 1461,
      daysLeft: 1461 - 455,
    });
  });

  it("property: what it shows and what a new measure is checked against are one computation", () => {
    fc.assert(
      fc.property(calendarDate, fc.integer({ min: 6, max: 24 }), fc.integer({ min: 6, max: 24 }), (start, a, b) => {
        const first = { startDate: start, endDate: periodEnd(start, a) };
        const next = { startDate: addDays(first.endDate, 1), endDate: periodEnd(addDays(first.endDate, 1), b) };
        const shown = fourYearLimit([first, next])!;
        const checked = cumulatedWithinLimit([first], next);
        expect([checked.usedDays, checked.limitDays]).toEqual([shown.usedDays, shown.limitDays]);
        expect(checked.ok).toBe(shown.usedDays <= shown.limitDays);
        expect(shown.limitDate).toBe(periodEnd(start, 48));
      }),
    );
  });
});

describe("IBAN normalisation", () => {
  /** ISO 7064 MOD 97-10 over a string of digits (letters → 10..35). */
  const mod97 = (s: string): number => {
    const digits = s.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
    let r = 0;
    for (const ch of digits) r = (r * 10 + Number(ch)) % 97;
    return r;
  };
  const frIban = (bban: string): string => `FR${String(98 - mod97(`${bban}FR00`)).padStart(2, "0")}${bban}`;

  it("gives the electronic format of a valid French IBAN typed with spaces and in lower case", () => {
    expect(normalizeIban("fr76 3000 6000 0112 3456 7890 189")).toBe("FR7630006000011234567890189");
    expect(normalizeIban("FR76 3000 6000 0112 3456 7890 189")).toBe("FR7630006000011234567890189");
    expect(normalizeIban("FR7630006000011234567890189")).toBe("FR7630006000011234567890189");
    expect(normalizeIban("de89 3704 0044 0532 0130 00")).toBe("DE89370400440532013000");
  });

  it("refuses a wrong ISO checksum, garbage and the empty string", () => {
    expect(normalizeIban("FR7730006000011234567890189")).toBeNull();
    expect(normalizeIban("FR7630006000011234567890180")).toBeNull();
    expect(normalizeIban("not an iban")).toBeNull();
    expect(normalizeIban("")).toBeNull();
  });

  it("refuses a French IBAN whose ISO checksum is valid but whose RIB key is wrong", () => {
    // The sample account's RIB key is 89; 88 is wrong. Check digits computed for that BBAN.
    const bban = "30006000011234567890188";
    const iban = frIban(bban);
    expect(iban).toBe("FR0630006000011234567890188");
    // The ISO 7064 checksum of this IBAN is right...
    expect(mod97(`${bban}FR${iban.slice(2, 4)}`)).toBe(1);
    // ...and the control: our own construction gives the real IBAN for the right key.
    expect(frIban("30006000011234567890189")).toBe("FR7630006000011234567890189");
    // ibantools rejects it for the French RIB key alone.
    expect(validateIBAN(iban)).toEqual({ valid: false, errorCodes: [ValidationErrorsIBAN.WrongAccountBankBranchChecksum] });
    expect(isValidIBAN(iban)).toBe(false);
    expect(normalizeIban(iban)).toBeNull();
    expect(normalizeIban(iban.toLowerCase().replace(/(.{4})/g, "$1 "))).toBeNull();
  });
});

describe("birthDateIssue (L.271-1: the MASP is for adults)", () => {
  it("names what is wrong with a birth date on a day: in the future, under 18, or nothing", () => {
    expect(birthDateIssue("2026-11-28", "2026-11-27")).toBe("in_the_future");
    expect(birthDateIssue("2008-11-28", "2026-11-27")).toBe("under_18");
    expect(birthDateIssue("2008-11-27", "2026-11-27")).toBeNull();
    expect(birthDateIssue("2026-11-27", "2026-11-27")).toBe("under_18");
  });
});
