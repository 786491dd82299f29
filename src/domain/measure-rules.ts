import { addDays, addMonths, addYears, daysBetween, minDate } from "./calendar";

/**
 * The law on MASP durations (L.271-2 CASF): a contract period lasts 6 months to
 * 2 years; the measure as a whole may not exceed 4 years. Periods are inclusive of
 * both dates: 2026-01-01 → 2026-06-30 is exactly 6 months.
 */
export const MIN_PERIOD_MONTHS = 6;
export const MAX_PERIOD_MONTHS = 24;
export const MAX_TOTAL_MONTHS = 48;
export const MAJORITY_YEARS = 18;

/** The last day of a period of `months` starting on `start`. */
export const periodEnd = (start: string, months: number): string => addDays(addMonths(start, months), -1);

export type DurationProblem = "end_before_start" | "too_short" | "too_long";

export function checkPeriodDuration(start: string, end: string): DurationProblem | null {
  if (end < start) return "end_before_start";
  if (end < periodEnd(start, MIN_PERIOD_MONTHS)) return "too_short";
  if (end > periodEnd(start, MAX_PERIOD_MONTHS)) return "too_long";
  return null;
}

export const isAdultOn = (birthDate: string, date: string): boolean => addYears(birthDate, MAJORITY_YEARS) <= date;

export interface PeriodSpan {
  startDate: string;
  /** The planned end date. */
  endDate: string;
  /** When the measure ended early, the day it ended. */
  endedOn?: string | null;
}

/** Days a measure actually covers (inclusive). */
export const spanDays = (p: PeriodSpan): number => daysBetween(p.startDate, p.endedOn ? minDate(p.endedOn, p.endDate) : p.endDate) + 1;

/**
 * Whether the beneficiary's measures, with a new one added, stay within 4 years. For
 * a chain of renewals this is exactly "the last end is at most 48 months after the
 * first start"; with gaps between measures, the days actually covered are counted.
 */
export function cumulatedWithinLimit(existing: readonly PeriodSpan[], added: PeriodSpan): { ok: boolean; usedDays: number; limitDays: number } {
  const all = [...existing, added];
  const firstStart = all.map((p) => p.startDate).sort()[0]!;
  const limitDays = daysBetween(firstStart, addMonths(firstStart, MAX_TOTAL_MONTHS));
  const usedDays = all.reduce((sum, p) => sum + spanDays(p), 0);
  return { ok: usedDays <= limitDays, usedDays, limitDays };
}

export const overlaps = (a: PeriodSpan, b: PeriodSpan): boolean => {
  const aEnd = a.endedOn ? minDate(a.endedOn, a.endDate) : a.endDate;
  const bEnd = b.endedOn ? minDate(b.endedOn, b.endDate) : b.endDate;
  return a.startDate <= bEnd && b.startDate <= aEnd;
};

/** End reasons (domain.md): each stops future allocation and scheduled payments. */
export const END_REASONS = [
  "objectives_reached",
  "no_longer_adheres",
  "no_longer_eligible",
  "four_year_limit",
  "worsened_orientation",
  "transfer",
] as const;
export type EndReason = (typeof END_REASONS)[number];

/** Where a worsened situation is oriented: MAJ, curatelle, tutelle, or a report to the procureur. */
export const ORIENTATIONS = ["MAJ", "curatelle", "tutelle", "procureur"] as const;
export type Orientation = (typeof ORIENTATIONS)[number];

export const REVIEW_OUTCOMES = ["renew", "continue", "end"] as const;
export type ReviewOutcome = (typeof REVIEW_OUTCOMES)[number];
