import { daysInMonth } from "./calendar";

/** Business dates are calendar dates in Europe/Paris, whatever the server's clock zone. */
const PARIS_DATE = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Europe/Paris",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

export const BUSINESS_TIME_ZONE = "Europe/Paris";

/** `YYYY-MM-DD` of the given instant in Paris (around midnight UTC this differs from toISOString). */
export function businessDate(at: Date = new Date()): string {
  return PARIS_DATE.format(at);
}

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date in `YYYY-MM-DD` (rejects 2026-02-30); arithmetic, since every request's dates pass here. */
export function isCalendarDate(value: string): boolean {
  const parts = CALENDAR_DATE.exec(value);
  if (!parts) return false;
  const month = Number(parts[2]);
  const day = Number(parts[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(Number(parts[1]), month);
}
