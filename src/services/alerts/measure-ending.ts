import type { Db } from "../../db/client";
import { runText } from "../../db/sql";
import { MEASURE_ENDING_NOTICE_DAYS } from "../../domain/measure-closing";

/**
 * The reminder `measure_ending` (issue 16): MEASURE_ENDING_NOTICE_DAYS days before a
 * period's end date, its caseworker is asked to renew or close. One alert per period's
 * end date (an avenant that moves the date starts a new episode once the old alert is
 * closed); a period renewed or ended since has its open reminder closed. Idempotent for
 * an `asOf`: the unique episode and `on conflict do nothing`.
 */
const OPEN_SQL = `with due as (
    select m.id, m.beneficiary_id, m.end_date
      from measures m
     where m.status = 'active' and m.ended_on is null
       and m.end_date >= $1::date and m.end_date - $2::int <= $1::date
  ), inserted as (
    insert into alerts (id, beneficiary_id, measure_id, type, audience, episode, periods, evidence)
    select gen_random_uuid(), d.beneficiary_id, d.id, 'measure_ending', 'caseworker', d.id::text || ':' || d.end_date::text, '{}'::text[],
           jsonb_build_object('measureId', d.id, 'endDate', d.end_date::text, 'daysLeft', d.end_date - $1::date)
      from due d
    on conflict do nothing
    returning 1
  )
  select count(*)::int as n from inserted`;

const CLOSE_SQL = `with closed as (
    update alerts a set status = 'closed', closed_at = now(), closed_by = 'system', close_reason = 'measure_renewed_or_ended', updated_at = now()
      from measures m
     where a.type = 'measure_ending' and a.status <> 'closed' and a.measure_id = m.id
       and (m.status <> 'active' or m.ended_on is not null)
    returning 1
  )
  select count(*)::int as n from closed`;

export async function remindMeasureEnding(db: Db, asOf: string): Promise<{ measureEndingOpened: number; measureEndingClosed: number }> {
  const [closed] = await runText<{ n: number }>(db, CLOSE_SQL, []);
  const [opened] = await runText<{ n: number }>(db, OPEN_SQL, [asOf, MEASURE_ENDING_NOTICE_DAYS]);
  return { measureEndingOpened: Number(opened?.n ?? 0), measureEndingClosed: Number(closed?.n ?? 0) };
}
