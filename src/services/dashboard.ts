import { sql } from "drizzle-orm";
import { queryRows, toBigInt } from "../db/sql";
import { monthOf } from "../domain/calendar";
import { caseloadOf } from "./access";
import type { ServiceContext } from "./context";
import { masp2InForceSql } from "./measures/in-force-sql";

/**
 * The finance dashboard's figures; a caseworker's are limited to their caseload. "Today"
 * is the business date (Europe/Paris): what was recorded that day, and, apart, what bears
 * that value date.
 */
export async function dashboardFigures(ctx: ServiceContext) {
  const today = ctx.today();
  const scope = caseloadOf(ctx);
  const caseload = scope === null ? sql`` : sql`and b.caseworker_id = ${scope}::uuid`;
  const [row] = await queryRows<Record<string, string>>(
    ctx.db,
    sql`select
      (select count(*) from measures m join beneficiaries b on b.id = m.beneficiary_id cross join (select ${today}::date as today) d
        where ${sql.raw(masp2InForceSql("m", "d.today"))} ${caseload})::text as active_measures,
      (select count(*) from credits c join beneficiaries b on b.id = c.beneficiary_id where (c.created_at at time zone 'Europe/Paris')::date = ${today}::date ${caseload})::text as credits_today,
      (select coalesce(sum(c.amount), 0) from credits c join beneficiaries b on b.id = c.beneficiary_id where (c.created_at at time zone 'Europe/Paris')::date = ${today}::date ${caseload})::text as credits_today_amount,
      (select count(*) from credits c join beneficiaries b on b.id = c.beneficiary_id where c.value_date = ${today}::date ${caseload})::text as credits_value_today,
      (select coalesce(sum(c.amount), 0) from credits c join beneficiaries b on b.id = c.beneficiary_id where c.value_date = ${today}::date ${caseload})::text as credits_value_today_amount,
      (select count(*) from credits c join beneficiaries b on b.id = c.beneficiary_id where to_char(c.value_date, 'YYYY-MM') = ${monthOf(today)} ${caseload})::text as credits_month,
      (select coalesce(sum(c.amount), 0) from credits c join beneficiaries b on b.id = c.beneficiary_id where to_char(c.value_date, 'YYYY-MM') = ${monthOf(today)} ${caseload})::text as credits_month_amount,
      (select count(*) from payment_orders o join beneficiaries b on b.id = o.beneficiary_id where o.status = 'pending' ${caseload})::text as payments_pending,
      (select coalesce(sum(o.amount), 0) from payment_orders o join beneficiaries b on b.id = o.beneficiary_id where o.status = 'pending' ${caseload})::text as payments_pending_amount,
      (select count(*) from job_runs where status = 'failed' and started_at > now() - interval '7 days')::text as failed_jobs`,
  );
  return {
    today,
    activeMeasures: Number(row?.active_measures ?? 0),
    /** Recorded today (Paris time), whatever their value date. */
    creditsToday: { count: Number(row?.credits_today ?? 0), amount: toBigInt(row?.credits_today_amount ?? "0") },
    /** Whose value date is today, whenever they were recorded. */
    creditsValueToday: { count: Number(row?.credits_value_today ?? 0), amount: toBigInt(row?.credits_value_today_amount ?? "0") },
    creditsMonth: { count: Number(row?.credits_month ?? 0), amount: toBigInt(row?.credits_month_amount ?? "0") },
    paymentsPending: { count: Number(row?.payments_pending ?? 0), amount: toBigInt(row?.payments_pending_amount ?? "0") },
    failedJobs: Number(row?.failed_jobs ?? 0),
  };
}

export async function recentJobRuns(ctx: ServiceContext, limit = 30) {
  return queryRows<{
    id: string;
    job: string;
    as_of: string;
    trigger: string;
    status: string;
    summary: unknown;
    error: string | null;
    started_at: string;
    finished_at: string | null;
  }>(
    ctx.db,
    sql`select id, job, as_of::text, trigger, status, summary, error, started_at::text, finished_at::text from job_runs order by started_at desc limit ${limit}`,
  );
}
