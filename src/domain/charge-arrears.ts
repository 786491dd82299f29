import type { ChargeFacts } from "./beneficiary-facts";
import { addMonthsToMonth, maxDate, monthOf } from "./calendar";
import { chargeDueIn } from "./charge-schedule";
import { dueDateOf } from "./rent-periods";

/**
 * Charges carry their arrears (rule 8 of issue 15): an amount of the budget plan that
 * fell due and was not paid stays owed, like rent. A charge's periods are the months it
 * falls due in, from its first due date on or after both its own start and the day the
 * measure (its first period, before renewals) began: what fell due before the measure
 * is not the measure's to pay (as rule 1 says of rent).
 */
export interface ChargePeriod {
  chargeId: string;
  period: string;
  dueDate: string;
  due: bigint;
  paid: bigint;
}

/** Energy and home insurance (the lease requires it): two unpaid due dates raise `charge_arrears`. */
export const ARREARS_ALERT_CATEGORIES: readonly string[] = ["energy", "insurance"];

/** How many unpaid due dates raise `charge_arrears`. */
export const ARREARS_ALERT_DUE_DATES = 2;

type Schedule = Pick<ChargeFacts, "id" | "amount" | "frequency" | "months" | "startDate" | "endDate" | "dueDay">;

/** The charge's periods from its first due date on or after `from` through `throughMonth`, with what was paid on each. */
export function chargePeriods(
  charge: Schedule,
  paid: readonly { chargeId: string; period: string; paid: bigint }[],
  from: string,
  throughMonth: string,
): ChargePeriod[] {
  const start = maxDate(charge.startDate, from);
  const own = paid.filter((p) => p.chargeId === charge.id);
  const periods: ChargePeriod[] = [];
  for (let month = monthOf(start); month <= throughMonth; month = addMonthsToMonth(month, 1)) {
    if (!chargeDueIn(charge, month)) continue;
    const dueDate = dueDateOf(month, charge.dueDay);
    if (dueDate < start) continue;
    const p = own.reduce((s, x) => (x.period === month ? s + x.paid : s), 0n);
    periods.push({ chargeId: charge.id, period: month, dueDate, due: charge.amount, paid: p });
  }
  return periods;
}

/** The periods due by `asOf` (its due date reached) and not fully paid, oldest first: what the charge still owes. */
export const chargeArrears = (periods: readonly ChargePeriod[], asOf: string): ChargePeriod[] => periods.filter((p) => p.dueDate <= asOf && p.paid < p.due);

/** The unpaid part of periods. */
export const owedOn = (periods: readonly ChargePeriod[]): bigint => periods.reduce((s, p) => s + (p.due - p.paid), 0n);

/** Periods whose due date has passed (strictly before `asOf`) and that are not fully paid: what `charge_arrears` counts. */
export const unpaidDueDates = (periods: readonly ChargePeriod[], asOf: string): ChargePeriod[] => periods.filter((p) => p.dueDate < asOf && p.paid < p.due);
