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

/** A real calendar date in `YYYY-MM-DD` (rejects 2026-02-30). */
export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}
