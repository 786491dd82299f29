import { v7 as uuidv7 } from "uuid";
import type { Db } from "../../db/client";
import { decideBudgetAlerts } from "../../domain/budget-alerts";
import { decideAlerts } from "../../domain/unpaid-rent-alerts";
import { runByChunks } from "../payments/run-by-chunks";
import { remindMeasureEnding } from "./measure-ending";

const APPLY_SQL = `with ops as (
    select * from jsonb_to_recordset($1::jsonb) as x(kind text, id uuid, beneficiary_id uuid, measure_id uuid, type text, episode text, periods text[], evidence jsonb, close_reason text)
  ), inserted as (
    insert into alerts (id, beneficiary_id, measure_id, type, episode, periods, evidence)
    select id, beneficiary_id, measure_id, type, episode, periods, evidence from ops where kind = 'insert'
    on conflict do nothing returning type
  ), updated as (
    update alerts a set periods = o.periods, evidence = o.evidence, updated_at = now()
      from ops o where o.kind = 'update' and a.id = o.id and a.status <> 'closed' returning a.type
  ), closed as (
    update alerts a set status = 'closed', closed_at = now(), closed_by = 'system', close_reason = o.close_reason, updated_at = now()
      from ops o where o.kind = 'close' and a.id = o.id and a.status <> 'closed' returning a.type
  )
  select (select count(*) from inserted where type = 'unpaid_rent')::int as unpaid_opened,
         (select count(*) from inserted where type = 'masp3_trigger')::int as masp3_opened,
         (select count(*) from inserted where type = 'no_credit_received')::int as no_credit_opened,
         (select count(*) from inserted where type = 'housing_aid_without_lease')::int as housing_aid_opened,
         (select count(*) from inserted where type = 'charge_arrears')::int as charge_arrears_opened,
         (select count(*) from updated)::int as updated,
         (select count(*) from closed)::int as closed`;

export interface UnpaidRentSummary {
  asOf: string;
  beneficiaries: number;
  unpaidRentOpened: number;
  masp3TriggersOpened: number;
  /** Rule 11: measures 45 days old without a managed prestation. */
  noCreditReceivedOpened: number;
  /** Rule 5: housing aid waiting in the rent envelope with no lease in force. */
  housingAidWithoutLeaseOpened: number;
  /** Rule 8: energy or home insurance with two unpaid due dates. */
  chargeArrearsOpened: number;
  alertsUpdated: number;
  alertsClosed: number;
  /** The reminders 45 days before a period's end (measure-ending.ts). */
  measureEndingOpened: number;
  measureEndingClosed: number;
}

export async function checkUnpaidRent({
  db,
  asOf,
  chunkSize,
  onProgress,
}: {
  db: Db;
  asOf: string;
  chunkSize?: number;
  onProgress?: (done: number, total: number) => Promise<void> | void;
}): Promise<UnpaidRentSummary> {
  const totals = { unpaid: 0, masp3: 0, noCredit: 0, housingAid: 0, chargeArrears: 0, updated: 0, closed: 0 };
  const { beneficiaries } = await runByChunks({ db, asOf, chunkSize, onProgress }, async (q, states) => {
    const ops = states.flatMap((s) => [...decideAlerts(s, asOf), ...decideBudgetAlerts(s, asOf)]);
    if (ops.length === 0) return;
    const rows = ops.map((o) => ({
      kind: o.kind,
      id: o.id ?? uuidv7(),
      beneficiary_id: o.beneficiaryId,
      measure_id: o.measureId ?? null,
      type: o.type,
      episode: o.episode ?? null,
      periods: o.periods ?? null,
      evidence: o.evidence ?? null,
      close_reason: o.closeReason ?? null,
    }));
    const [r] = await q<{
      unpaid_opened: number;
      masp3_opened: number;
      no_credit_opened: number;
      housing_aid_opened: number;
      charge_arrears_opened: number;
      updated: number;
      closed: number;
    }>(APPLY_SQL, [JSON.stringify(rows)]);
    totals.unpaid += Number(r?.unpaid_opened ?? 0);
    totals.masp3 += Number(r?.masp3_opened ?? 0);
    totals.noCredit += Number(r?.no_credit_opened ?? 0);
    totals.housingAid += Number(r?.housing_aid_opened ?? 0);
    totals.chargeArrears += Number(r?.charge_arrears_opened ?? 0);
    totals.updated += Number(r?.updated ?? 0);
    totals.closed += Number(r?.closed ?? 0);
  });
  const reminders = await remindMeasureEnding(db, asOf);
  return {
    asOf,
    beneficiaries,
    unpaidRentOpened: totals.unpaid,
    masp3TriggersOpened: totals.masp3,
    noCreditReceivedOpened: totals.noCredit,
    housingAidWithoutLeaseOpened: totals.housingAid,
    chargeArrearsOpened: totals.chargeArrears,
    alertsUpdated: totals.updated,
    alertsClosed: totals.closed,
    ...reminders,
  };
}
