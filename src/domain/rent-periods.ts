import { addMonthsToMonth, daysInMonth, maxDate, monthOf, monthsBetween } from "./calendar";
import { termsForMonth } from "./lease-terms";

/**
 * Rent periods, derived per lease and month (never stored): the amount due is the
 * one in force that month (rent + charges − housing benefit paid to the landlord).
 */
export interface LeaseForPeriods {
  dueDay: number;
  startDate: string;
  endDate: string | null;
  /** Amounts by the month they take effect (`YYYY-MM` or its first day), any order. */
  terms: readonly { effectiveMonth: string; due: bigint }[];
  /** The first and last months due pro rata of the days covered (else in full: a notice month may owe two rents). */
  prorata?: boolean;
}

export type RentPeriodStatus = "upcoming" | "paid" | "partial" | "unpaid";

export interface RentPeriod {
  period: string;
  dueDate: string;
  /** From the managed funds, after any housing-aid adjustment (rule 3). */
  due: bigint;
  /** By the ledger's orders and by external payments. */
  paid: bigint;
  status: RentPeriodStatus;
}

/** Rule 3: what a rent period received outside the ledger, or a correction of its housing aid. */
export const RENT_ENTRY_KINDS = ["external_payment", "housing_aid_adjustment"] as const;
/** Who paid a period outside the ledger: the person, the FSL, the landlord (a waiver), a housing-aid back-payment. */
export const EXTERNAL_SOURCES = ["person", "fsl", "landlord_waiver", "housing_aid_backpay"] as const;

/** Rule 3: per period, what was paid outside the ledger and the housing-aid correction (more aid: less due). */
export interface PeriodAdjustment {
  external: bigint;
  housingAid: bigint;
}

export const dueOn = (lease: LeaseForPeriods, month: string): bigint => termsForMonth(lease.terms, month)?.due ?? 0n;

export const dueDateOf = (month: string, dueDay: number): string => `${month}-${String(dueDay).padStart(2, "0")}`;

/**
 * The first period a measure answers for: the month of the first due date on or after
 * the day it began. A measure that starts on the 20th with rent due on the 5th did not
 * owe that month's rent: it fell due before the measure existed.
 */
export const firstPeriodFrom = (measureStart: string, dueDay: number): string =>
  dueDateOf(monthOf(measureStart), dueDay) >= measureStart ? monthOf(measureStart) : addMonthsToMonth(monthOf(measureStart), 1);

/**
 * Status as of a date: `paid` when fully paid; `upcoming` before the due date;
 * after it, `partial` when something was paid and `unpaid` when nothing was. Both
 * `partial` and `unpaid` are impayés (a period past due and not fully paid).
 */
export function statusOf(due: bigint, paid: bigint, dueDate: string, asOf: string): RentPeriodStatus {
  if (paid >= due) return "paid";
  if (asOf < dueDate) return "upcoming";
  return paid > 0n ? "partial" : "unpaid";
}

export const isArrears = (s: RentPeriodStatus): boolean => s === "partial" || s === "unpaid";

/**
 * The periods of a lease from `fromMonth` (at the earliest the lease's first month)
 * to `toMonth` (at the latest its last), with what was paid toward each.
 */
export function rentPeriods(
  lease: LeaseForPeriods,
  paidByPeriod: ReadonlyMap<string, bigint>,
  fromMonth: string,
  toMonth: string,
  asOf: string,
  adjustments: ReadonlyMap<string, PeriodAdjustment> = new Map(),
): RentPeriod[] {
  const first = maxDate(`${monthOf(lease.startDate)}-01`, `${fromMonth}-01`).slice(0, 7);
  const last = lease.endDate && monthOf(lease.endDate) < toMonth ? monthOf(lease.endDate) : toMonth;
  if (first > last) return [];
  return monthsBetween(first, last).map((period) => {
    const base = lease.prorata ? prorated(dueOn(lease, period), period, lease.startDate, lease.endDate) : dueOn(lease, period);
    const adjustment = adjustments.get(period);
    const corrected = base - (adjustment?.housingAid ?? 0n);
    const due = corrected > 0n ? corrected : 0n;
    const paid = (paidByPeriod.get(period) ?? 0n) + (adjustment?.external ?? 0n);
    // A lease that begins after its due day in its first month: that rent falls due the day it begins.
    const dueDate = maxDate(dueDateOf(period, lease.dueDay), lease.startDate);
    return { period, dueDate, due, paid, status: statusOf(due, paid, dueDate, asOf) };
  });
}

/**
 * A month's rent for the days of it the lease covers (its first or last month), rounded
 * to the nearest cent, half up; a whole month is due in full.
 */
export function prorated(monthly: bigint, period: string, startDate: string, endDate: string | null): bigint {
  const [y, m] = period.split("-").map(Number) as [number, number];
  const days = BigInt(daysInMonth(y, m));
  const from = monthOf(startDate) === period ? BigInt(Number(startDate.slice(8, 10))) : 1n;
  const to = endDate && monthOf(endDate) === period ? BigInt(Number(endDate.slice(8, 10))) : days;
  const covered = to - from + 1n;
  if (covered >= days) return monthly;
  return (monthly * covered * 2n + days) / (days * 2n);
}

/**
 * L.271-2 al. 2: what the rent envelope must hold — every amount still unpaid of the past
 * periods (due date passed) plus the amount due for the next period not yet paid,
 * less what the envelope already holds.
 */
export function rentNeed(periods: readonly RentPeriod[], asOf: string, rentEnvelope: bigint): bigint {
  let need = 0n;
  for (const p of periods) if (p.dueDate <= asOf && p.paid < p.due) need += p.due - p.paid;
  const next = periods.find((p) => p.dueDate > asOf && p.paid < p.due);
  if (next) need += next.due - next.paid;
  const missing = need - rentEnvelope;
  return missing > 0n ? missing : 0n;
}

/** The month after which periods matter for a credit on `asOf`: through the next due date. */
export const horizonMonth = (asOf: string): string => addMonthsToMonth(monthOf(asOf), 1);
