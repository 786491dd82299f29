import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { queryRows } from "../../db/sql";
import { ACCESS_TRACE_RETENTION_MONTHS, TECHNICAL_LOG_RETENTION_MONTHS } from "../../domain/access-traces";
import { BUSINESS_TIME_ZONE } from "../../domain/business-date";

/**
 * The retention rules the application applies itself (CNIL): access traces one year,
 * the technical trace it keeps (finished job runs and their error messages) six months,
 * both counted back from the start of `asOf` in Paris (never later than now, so a run
 * for a future date purges nothing the database would refuse). The business audit is
 * never purged: it stays with the accounts. Idempotent: a second run finds nothing.
 */
export async function purgeExpiredTraces(db: Db, asOf: string): Promise<{ accessTraces: number; jobRuns: number }> {
  const start = sql`least((${asOf})::date::timestamp at time zone ${BUSINESS_TIME_ZONE}, now())`;
  const [access] = await queryRows<{ n: string }>(
    db,
    sql`with gone as (delete from access_log where at < ${start} - make_interval(months => ${ACCESS_TRACE_RETENTION_MONTHS}) returning 1)
        select count(*)::text as n from gone`,
  );
  const [runs] = await queryRows<{ n: string }>(
    db,
    sql`with gone as (delete from job_runs where status <> 'running' and started_at < ${start} - make_interval(months => ${TECHNICAL_LOG_RETENTION_MONTHS}) returning 1)
        select count(*)::text as n from gone`,
  );
  return { accessTraces: Number(access?.n ?? 0), jobRuns: Number(runs?.n ?? 0) };
}
