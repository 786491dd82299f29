import Holidays from "date-holidays";
import { isCalendarDate } from "./business-date";
import { addDays, maxDate } from "./calendar";

/**
 * TARGET2 (T2) closing days, when no SEPA credit transfer settles: weekends and six
 * holidays fixed by the ECB. The rules are date-holidays' grammar, so Easter (Good Friday,
 * Easter Monday) comes from the library, never from a hand-written computus.
 */
const TARGET_CLOSING_RULES = ["01-01", "easter -2", "easter 1", "05-01", "12-25", "12-26"] as const;

const target = new Holidays();
for (const rule of TARGET_CLOSING_RULES) target.setHoliday(rule, { name: { en: `TARGET ${rule}` }, type: "public" });

const closingDaysByYear = new Map<number, ReadonlySet<string>>();

function closingDaysOf(year: number): ReadonlySet<string> {
  let days = closingDaysByYear.get(year);
  if (!days) {
    // `date` is "YYYY-MM-DD 00:00:00" in the calendar's own terms: no time zone involved.
    days = new Set(target.getHolidays(year).map((h) => h.date.slice(0, 10)));
    closingDaysByYear.set(year, days);
  }
  return days;
}

function assertDate(date: string): void {
  if (!isCalendarDate(date)) throw new RangeError(`not a calendar date: ${date}`);
}

/** True on a day TARGET2 is open (Monday to Friday, not one of its six holidays). */
export function isTargetBusinessDay(date: string): boolean {
  assertDate(date);
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  if (weekday === 0 || weekday === 6) return false;
  return !closingDaysOf(Number(date.slice(0, 4))).has(date);
}

/** The date itself when TARGET2 is open that day, else the next day it is. */
export function nextTargetBusinessDay(date: string): string {
  assertDate(date);
  let day = date;
  // At most four closed days in a row (Good Friday to Easter Monday), so this ends fast.
  while (!isTargetBusinessDay(day)) day = addDays(day, 1);
  return day;
}

/**
 * The execution date to write in a transfer file for a requested date: never before
 * `today` (a bank refuses a past date), moved to the next TARGET2 business day.
 */
export function targetExecutionDate(requested: string, today: string): string {
  assertDate(requested);
  assertDate(today);
  return nextTargetBusinessDay(maxDate(requested, today));
}
