/**
 * An ISO 20022 amount (`1234.5`, `0.07`) as integer cents, or null when it is not a
 * non-negative decimal with at most two significant decimals (EUR has cents, no less).
 */
export function decimalToCents(text: string): bigint | null {
  const match = /^(\d{1,15})(?:\.(\d{1,5}))?$/.exec(text);
  if (!match) return null;
  const fraction = (match[2] ?? "").padEnd(2, "0");
  if (/[^0]/.test(fraction.slice(2))) return null;
  return BigInt(match[1]!) * 100n + BigInt(fraction.slice(0, 2));
}

/** `YYYY-MM-DD` from an ISO date or date-time, or null when it is not a real date within 1900–2100. */
export function isoDate(text: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (!match) return null;
  return realDate(Number(match[1]), Number(match[2]), Number(match[3]));
}

/** `YYYY-MM-DD` of a calendar date, or null when the day does not exist or is outside 1900–2100. */
export function realDate(year: number, month: number, day: number): string | null {
  if (year < 1900 || year > 2100 || month < 1 || month > 12 || day < 1) return null;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > last) return null;
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}
