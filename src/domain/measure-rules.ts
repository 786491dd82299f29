import { addDays, addMonths, addYears, daysBetween, minDate } from "./calendar";
import { endsBeforeStart } from "./date-range";

/**
 * The law on MASP durations (L.271-2 CASF): a contract period lasts 6 months to
 * 2 years; the measure as a whole may not exceed 4 years. Periods are inclusive of
 * both dates: 2026-01-01 → 2026-06-30 is exactly 6 months.
 */
export const MIN_PERIOD_MONTHS = 6;
export const MAX_PERIOD_MONTHS = 24;
export const MAX_TOTAL_MONTHS = 48;
const MAJORITY_YEARS = 18;

/** MASP 1: support only; MASP 2: the provider also manages prestations (L.271-2). */
export const MEASURE_LEVELS = ["MASP1", "MASP2"] as const;
export type MeasureLevel = (typeof MEASURE_LEVELS)[number];

/** A renewal starts a new period and marks the previous one `renewed`. */
export const MEASURE_STATUSES = ["active", "renewed", "ended"] as const;

/** The last day of a period of `months` starting on `start`. */
export const periodEnd = (start: string, months: number): string => addDays(addMonths(start, months), -1);

export type DurationProblem = "end_before_start" | "too_short" | "too_long";

export function checkPeriodDuration(start: string, end: string): DurationProblem | null {
  if (endsBeforeStart(start, end)) return "end_before_start";
  if (end < periodEnd(start, MIN_PERIOD_MONTHS)) return "too_short";
  if (end > periodEnd(start, MAX_PERIOD_MONTHS)) return "too_long";
  return null;
}

export const isAdultOn = (birthDate: string, date: string): boolean => addYears(birthDate, MAJORITY_YEARS) <= date;

/** L.271-1: what is wrong with a beneficiary's birth date on `today` (the MASP is for adults), as a stable issue code. */
export function birthDateIssue(birthDate: string, today: string): "in_the_future" | "under_18" | null {
  if (birthDate > today) return "in_the_future";
  return isAdultOn(birthDate, today) ? null : "under_18";
}

export interface PeriodSpan {
  startDate: string;
  /** The planned end date. */
  endDate: string;
  /** When the measure ended early, the day it ended. */
  endedOn?: string | null;
}

/** Days a measure actually covers (inclusive). */
export const spanDays = (p: PeriodSpan): number => daysBetween(p.startDate, p.endedOn ? minDate(p.endedOn, p.endDate) : p.endDate) + 1;

interface FourYearLimit {
  /** The first day of the first measure: the 48 months count from it. */
  firstStart: string;
  /** The last day the measures may cover in all. */
  limitDate: string;
  usedDays: number;
  limitDays: number;
  daysLeft: number;
}

/**
 * Where a beneficiary's measures stand against the 4 years of L.271-2. For a chain of
 * renewals this is exactly "the last end is at most 48 months after the first start";
 * with gaps between measures, the days actually covered are counted.
 */
export function fourYearLimit(spans: readonly PeriodSpan[]): FourYearLimit | null {
  if (spans.length === 0) return null;
  const firstStart = spans.map((p) => p.startDate).sort()[0]!;
  const limitDays = daysBetween(firstStart, addMonths(firstStart, MAX_TOTAL_MONTHS));
  const usedDays = spans.reduce((sum, p) => sum + spanDays(p), 0);
  return { firstStart, limitDate: periodEnd(firstStart, MAX_TOTAL_MONTHS), usedDays, limitDays, daysLeft: Math.max(0, limitDays - usedDays) };
}

/** Whether the beneficiary's measures, with a new one added, stay within 4 years. */
export function cumulatedWithinLimit(existing: readonly PeriodSpan[], added: PeriodSpan): { ok: boolean; usedDays: number; limitDays: number } {
  const { usedDays, limitDays } = fourYearLimit([...existing, added])!;
  return { ok: usedDays <= limitDays, usedDays, limitDays };
}

export const overlaps = (a: PeriodSpan, b: PeriodSpan): boolean => {
  const aEnd = a.endedOn ? minDate(a.endedOn, a.endDate) : a.endDate;
  const bEnd = b.endedOn ? minDate(b.endedOn, b.endDate) : b.endDate;
  return a.startDate <= bEnd && b.startDate <= aEnd;
};

/** End reasons (docs/domain.md): each stops future allocation and scheduled payments. */
export const END_REASONS = [
  "objectives_reached",
  "no_longer_adheres",
  "no_longer_eligible",
  "four_year_limit",
  "worsened_orientation",
  "transfer",
  /** The funds are then held for the estate, never paid back to the person. */
  "deceased",
  /** The person never came, or refused. */
  "not_started",
  "failure",
] as const;

/** Where a worsened situation is oriented: MAJ, curatelle, tutelle, or a report to the procureur. */
export const ORIENTATIONS = ["MAJ", "curatelle", "tutelle", "procureur"] as const;

export const REVIEW_OUTCOMES = ["renew", "continue", "end"] as const;
