import type { FieldIssue } from "./errors";

/** A span of dates, both included; no end date means open-ended. */
interface DateSpan {
  startDate: string;
  endDate: string | null;
}

/** Whether `date` falls within the span (a lease, a charge, a measure's planned dates). */
export const spanCovers = (span: DateSpan, date: string): boolean => span.startDate <= date && (span.endDate === null || date <= span.endDate);

export const endsBeforeStart = (startDate: string, endDate: string | null | undefined): boolean => endDate != null && endDate < startDate;

/** The field issue of an end date before its start date, or none. */
export function endBeforeStartIssues(startDate: string, endDate: string | null | undefined, field = "endDate"): FieldIssue[] {
  return endsBeforeStart(startDate, endDate) ? [{ field, message: "the end date is before the start date", code: "end_before_start" }] : [];
}
