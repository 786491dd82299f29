import type { JobFacts } from "./beneficiary-facts";
import { addMonthsToMonth, monthOf } from "./calendar";
import { activeMasp2, leaseOn, periodsOf } from "./in-force";
import { centsToJson } from "./money";
import { isArrears, type RentPeriod } from "./rent-periods";

/** `unpaid_rent`: rent owed; `masp3_trigger`: two consecutive months unpaid (L.271-5). */
export const ALERT_TYPES = ["unpaid_rent", "masp3_trigger"] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

export const ALERT_STATUSES = ["open", "acknowledged", "closed"] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export interface AlertOp {
  kind: "insert" | "update" | "close";
  /** The alert updated or closed. */
  id?: string;
  beneficiaryId: string;
  measureId?: string;
  type: AlertType;
  episode?: string;
  periods?: string[];
  evidence?: Record<string, unknown>;
}

/**
 * The last two consecutive months both unpaid, if any: the situation of L.271-5 CASF
 * ("at least two consecutive months"). `arrears` are in month order.
 */
export function lastConsecutivePair<P extends { period: string }>(arrears: readonly P[]): [P, P] | undefined {
  for (let i = arrears.length - 1; i > 0; i--) {
    const [a, b] = [arrears[i - 1]!, arrears[i]!];
    if (addMonthsToMonth(a.period, 1) === b.period) return [a, b];
  }
  return undefined;
}

const periodEvidence = (facts: JobFacts, p: RentPeriod) => ({
  period: p.period,
  dueDate: p.dueDate,
  due: centsToJson(p.due),
  paid: centsToJson(p.paid),
  creditsReceived: centsToJson(facts.creditsByMonth.get(p.period) ?? 0n),
});

/**
 * What the unpaid-rent check decides for one beneficiary on `asOf`. An episode lasts
 * from the first unpaid period until the arrears are paid in full: while it lasts there
 * is one `unpaid_rent` alert (its periods follow the arrears) and, once two consecutive
 * periods are unpaid, one `masp3_trigger` (L.271-5) that keeps the two periods and
 * the evidence that raised it. Both close themselves when nothing is owed any
 * more; an alert a caseworker closed is not raised again within the same episode.
 */
export function decideAlerts(facts: JobFacts, asOf: string): AlertOp[] {
  const measure = activeMasp2(facts.measures, asOf);
  const lease = leaseOn(facts.leases, asOf);
  const periods = measure && lease ? periodsOf(facts, lease, measure, monthOf(asOf), asOf) : [];
  const arrears = periods.filter((p) => isArrears(p.status));
  const owed = new Set(arrears.map((p) => p.period));
  const rentEnvelope = centsToJson(facts.held({ envelope: "rent" }));
  const pair = lastConsecutivePair(arrears);
  const ops: AlertOp[] = [];
  for (const type of ALERT_TYPES) {
    const open = facts.alerts.find((a) => a.type === type && a.status !== "closed");
    if (arrears.length === 0) {
      if (open) ops.push({ kind: "close", id: open.id, beneficiaryId: facts.beneficiaryId, type });
      continue;
    }
    const evidenceOf = (names: string[]) => ({
      asOf,
      rentEnvelope,
      periods: periods.filter((p) => names.includes(p.period)).map((p) => periodEvidence(facts, p)),
    });
    if (open) {
      // The unpaid_rent alert follows the arrears; a MASP 3 trigger keeps the periods and
      // the evidence that raised it (what the Département will be shown).
      const names = [...owed];
      if (type === "unpaid_rent" && open.periods.join() !== names.join()) {
        ops.push({ kind: "update", id: open.id, beneficiaryId: facts.beneficiaryId, type, periods: names, evidence: evidenceOf(names) });
      }
      continue;
    }
    const names = type === "unpaid_rent" ? [...owed] : pair ? pair.map((p) => p.period) : [];
    if (names.length === 0) continue;
    // Still the episode of an alert the caseworker closed: its months are still owed.
    if (facts.alerts.some((a) => a.type === type && a.periods.some((p) => owed.has(p)))) continue;
    ops.push({
      kind: "insert",
      beneficiaryId: facts.beneficiaryId,
      measureId: measure!.id,
      type,
      episode: names[0]!,
      periods: names,
      evidence: evidenceOf(names),
    });
  }
  return ops;
}
