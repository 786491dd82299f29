import type { FieldIssue } from "../../domain/errors";

export type Frequency = "monthly" | "quarterly" | "yearly";

/**
 * The months (1-12) in which a charge falls due: every month; four months three
 * apart (quarterly); one month (yearly). Defaults follow the start month.
 */
export function resolveMonths(frequency: Frequency, months: readonly number[] | undefined, startDate: string): { months: number[]; issues: FieldIssue[] } {
  const startMonth = Number(startDate.slice(5, 7));
  if (frequency === "monthly") {
    return months && months.length > 0
      ? { months: [], issues: [{ field: "months", message: "a monthly charge falls due every month: give no months", code: "not_allowed" }] }
      : { months: [], issues: [] };
  }
  if (frequency === "yearly") {
    const m = months ?? [startMonth];
    return m.length === 1 ? { months: [...m], issues: [] } : { months: [...m], issues: [{ field: "months", message: "a yearly charge falls due in exactly one month", code: "one_month" }] };
  }
  const m = [...(months ?? [0, 3, 6, 9].map((k) => ((startMonth - 1 + k) % 12) + 1))].sort((a, b) => a - b);
  const spaced = m.length === 4 && m.every((v, i) => i === 0 || v - m[i - 1]! === 3);
  return spaced ? { months: m, issues: [] } : { months: m, issues: [{ field: "months", message: "a quarterly charge falls due in four months three apart (e.g. 1, 4, 7, 10)", code: "quarterly_months" }] };
}

/** Whether a charge falls due in a month (`YYYY-MM`), within its start and end dates. */
export function chargeDueIn(charge: { frequency: Frequency; months: readonly number[]; startDate: string; endDate: string | null }, month: string): boolean {
  if (month < charge.startDate.slice(0, 7)) return false;
  if (charge.endDate && month > charge.endDate.slice(0, 7)) return false;
  return charge.frequency === "monthly" || charge.months.includes(Number(month.slice(5, 7)));
}
