import { spanCovers } from "./date-range";
import type { FieldIssue } from "./errors";

/** The priority charges of the budget plan, served after the rent (L.271-2 al. 2). */
export const CHARGE_CATEGORIES = ["energy", "water", "insurance", "debt_plan", "telecom", "care", "other"] as const;

export const CHARGE_FREQUENCIES = ["monthly", "quarterly", "yearly"] as const;
export type ChargeFrequency = (typeof CHARGE_FREQUENCIES)[number];

const monthNumber = (dateOrMonth: string): number => Number.parseInt(dateOrMonth.slice(5, 7), 10);

/**
 * The months (1-12) in which a charge falls due: every month; four months three
 * apart (quarterly); one month (yearly). Defaults follow the start month.
 */
export function resolveMonths(
  frequency: ChargeFrequency,
  months: readonly number[] | undefined,
  startDate: string,
): { months: number[]; issues: FieldIssue[] } {
  const startMonth = monthNumber(startDate);
  if (frequency === "monthly") {
    return months && months.length > 0
      ? { months: [], issues: [{ field: "months", message: "a monthly charge falls due every month: give no months", code: "not_allowed" }] }
      : { months: [], issues: [] };
  }
  if (frequency === "yearly") {
    const m = months ?? [startMonth];
    return m.length === 1
      ? { months: [...m], issues: [] }
      : { months: [...m], issues: [{ field: "months", message: "a yearly charge falls due in exactly one month", code: "one_month" }] };
  }
  const m = [...(months ?? [0, 3, 6, 9].map((k) => ((startMonth - 1 + k) % 12) + 1))].sort((a, b) => a - b);
  const spaced = m.length === 4 && m.every((v, i) => i === 0 || v - m[i - 1]! === 3);
  return spaced
    ? { months: m, issues: [] }
    : {
        months: m,
        issues: [{ field: "months", message: "a quarterly charge falls due in four months three apart (e.g. 1, 4, 7, 10)", code: "quarterly_months" }],
      };
}

interface ChargeSchedule {
  frequency: ChargeFrequency;
  months: readonly number[];
  startDate: string;
  endDate: string | null;
}

/** Whether a charge falls due in a month (`YYYY-MM`), within its start and end dates. */
export function chargeDueIn(charge: ChargeSchedule, month: string): boolean {
  if (month < charge.startDate.slice(0, 7)) return false;
  if (charge.endDate && month > charge.endDate.slice(0, 7)) return false;
  return charge.frequency === "monthly" || charge.months.includes(monthNumber(month));
}

/** Whether a charge is part of the budget plan on a date. */
export const chargeInForce = (charge: ChargeSchedule, date: string): boolean => spanCovers(charge, date);
