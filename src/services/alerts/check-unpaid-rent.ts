import { v7 as uuidv7 } from "uuid";
import type { Db } from "../../db/client";
import { addMonthsToMonth, monthOf } from "../../domain/calendar";
import { isArrears, type RentPeriod } from "../../domain/rent-periods";
import { envelopeAccount } from "../../ledger/accounts";
import type { JobState } from "../credits/credit-state";
import { activeMasp2, leaseOn, periodsOf } from "../credits/plan-credit";
import { runByChunks } from "../payments/run-by-chunks";

type AlertType = "unpaid_rent" | "masp3_trigger";

interface AlertOp {
  kind: "insert" | "update" | "close";
  id?: string;
  beneficiaryId: string;
  measureId?: string;
  type: AlertType;
  episode?: string;
  periods?: string[];
  evidence?: Record<string, unknown>;
}

/** The last two consecutive months both unpaid, if any: the situation of L.271-5 CASF. */
export function lastConsecutivePair(arrears: readonly RentPeriod[]): [RentPeriod, RentPeriod] | undefined {
  for (let i = arrears.length - 1; i > 0; i--) {
    const [a, b] = [arrears[i - 1]!, arrears[i]!];
    if (addMonthsToMonth(a.period, 1) === b.period) return [a, b];
  }
  return undefined;
}

const periodEvidence = (state: JobState, p: RentPeriod) => ({
  period: p.period,
  dueDate: p.dueDate,
  due: Number(p.due),
  paid: Number(p.paid),
  creditsReceived: Number(state.creditsByMonth.get(p.period) ?? 0n),
});

/**
 * What the unpaid-rent check decides for one beneficiary on `asOf`. An episode lasts
 * from the first unpaid period until the arrears are paid in full: while it lasts there
 * is one `unpaid_rent` alert (its periods follow the arrears) and, once two consecutive
 * periods are unpaid, one `masp3_trigger` (L.271-5) that keeps the two periods and
 * the evidence that raised it. Both close themselves when nothing is owed any
 * more; an alert a caseworker closed is not raised again within the same episode.
 */
export function decideAlerts(state: JobState, asOf: string): AlertOp[] {
  const measure = activeMasp2(state, asOf);
  const lease = leaseOn(state, asOf);
  const periods = measure && lease ? periodsOf(state, lease, measure, monthOf(asOf), asOf) : [];
  const arrears = periods.filter((p) => isArrears(p.status));
  const owed = new Set(arrears.map((p) => p.period));
  const rentEnvelope = Number(state.balances.get(envelopeAccount(state.beneficiaryId, "rent").address) ?? 0n);
  const pair = lastConsecutivePair(arrears);
  const ops: AlertOp[] = [];
  for (const type of ["unpaid_rent", "masp3_trigger"] as const) {
    const open = state.alerts.find((a) => a.type === type && a.status !== "closed");
    if (arrears.length === 0) {
      if (open) ops.push({ kind: "close", id: open.id, beneficiaryId: state.beneficiaryId, type });
      continue;
    }
    const evidenceOf = (names: string[]) => ({ asOf, rentEnvelope, periods: periods.filter((p) => names.includes(p.period)).map((p) => periodEvidence(state, p)) });
    if (open) {
      // The unpaid_rent alert follows the arrears; a MASP 3 trigger keeps the periods and
      // the evidence that raised it (what the Département will be shown).
      const names = [...owed];
      if (type === "unpaid_rent" && open.periods.join() !== names.join()) {
        ops.push({ kind: "update", id: open.id, beneficiaryId: state.beneficiaryId, type, periods: names, evidence: evidenceOf(names) });
      }
      continue;
    }
    const names = type === "unpaid_rent" ? [...owed] : pair ? pair.map((p) => p.period) : [];
    if (names.length === 0) continue;
    // Still the episode of an alert the caseworker closed: its months are still owed.
    if (state.alerts.some((a) => a.type === type && a.periods.some((p) => owed.has(p)))) continue;
    ops.push({ kind: "insert", beneficiaryId: state.beneficiaryId, measureId: measure!.id, type, episode: names[0]!, periods: names, evidence: evidenceOf(names) });
  }
  return ops;
}

const APPLY_SQL = `with ops as (
    select * from jsonb_to_recordset($1::jsonb) as x(kind text, id uuid, beneficiary_id uuid, measure_id uuid, type text, episode text, periods text[], evidence jsonb)
  ), inserted as (
    insert into alerts (id, beneficiary_id, measure_id, type, episode, periods, evidence)
    select id, beneficiary_id, measure_id, type, episode, periods, evidence from ops where kind = 'insert'
    on conflict do nothing returning type
  ), updated as (
    update alerts a set periods = o.periods, evidence = o.evidence, updated_at = now()
      from ops o where o.kind = 'update' and a.id = o.id and a.status <> 'closed' returning a.type
  ), closed as (
    update alerts a set status = 'closed', closed_at = now(), closed_by = 'system', close_reason = 'arrears_paid', updated_at = now()
      from ops o where o.kind = 'close' and a.id = o.id and a.status <> 'closed' returning a.type
  )
  select (select count(*) from inserted where type = 'unpaid_rent')::int as unpaid_opened,
         (select count(*) from inserted where type = 'masp3_trigger')::int as masp3_opened,
         (select count(*) from updated)::int as updated,
         (select count(*) from closed)::int as closed`;

export interface UnpaidRentSummary {
  asOf: string;
  beneficiaries: number;
  unpaidRentOpened: number;
  masp3TriggersOpened: number;
  alertsUpdated: number;
  alertsClosed: number;
}

export async function checkUnpaidRent({ db, asOf, chunkSize, onProgress }: { db: Db; asOf: string; chunkSize?: number; onProgress?: (done: number, total: number) => Promise<void> | void }): Promise<UnpaidRentSummary> {
  const totals = { unpaid: 0, masp3: 0, updated: 0, closed: 0 };
  const { beneficiaries } = await runByChunks({ db, asOf, chunkSize, onProgress }, async (q, states) => {
    const ops = states.flatMap((s) => decideAlerts(s, asOf));
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
    }));
    const [r] = await q<{ unpaid_opened: number; masp3_opened: number; updated: number; closed: number }>(APPLY_SQL, [JSON.stringify(rows)]);
    totals.unpaid += Number(r?.unpaid_opened ?? 0);
    totals.masp3 += Number(r?.masp3_opened ?? 0);
    totals.updated += Number(r?.updated ?? 0);
    totals.closed += Number(r?.closed ?? 0);
  });
  return { asOf, beneficiaries, unpaidRentOpened: totals.unpaid, masp3TriggersOpened: totals.masp3, alertsUpdated: totals.updated, alertsClosed: totals.closed };
}
