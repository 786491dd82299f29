import type { JobFacts } from "./beneficiary-facts";
import { addMonthsToMonth, daysBetween, monthOf } from "./calendar";
import type { AlertKind } from "./finance-alerts";
import { activeMasp2, allPeriodsOf, chainOf, chainStart } from "./in-force";
import { centsToJson } from "./money";
import { isArrears, type RentPeriod } from "./rent-periods";

/** `unpaid_rent`: rent owed; `masp3_trigger`: two consecutive months unpaid (L.271-5). */
export const ALERT_TYPES = ["unpaid_rent", "masp3_trigger"] as const;

export const ALERT_STATUSES = ["open", "acknowledged", "closed"] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** Days after the MASP began without any managed prestation before the caseworker is told (rule 11). */
const NO_CREDIT_DAYS = 45;

export interface AlertOp {
  kind: "insert" | "update" | "close";
  /** The alert updated or closed. */
  id?: string;
  beneficiaryId: string;
  measureId?: string;
  type: AlertKind;
  episode?: string;
  periods?: string[];
  evidence?: Record<string, unknown>;
  /** Why a `close` closes. */
  closeReason?: "arrears_paid" | "credit_received" | "lease_or_nothing_held";
}

/**
 * The last two consecutive months both unpaid, if any: the situation of L.271-5 CASF
 * ("at least two consecutive months"). `arrears` are in month order.
 */
export function lastConsecutivePair<P extends { period: string }>(arrears: readonly P[]): [P, P] | undefined {
  const run = lastConsecutiveRun(arrears);
  return run ? [run.at(-2)!, run.at(-1)!] : undefined;
}

/**
 * The last run of consecutive unpaid months of at least two, from its first month: the
 * whole episode a MASP 3 request describes (three unpaid months name all three).
 */
export function lastConsecutiveRun<P extends { period: string }>(arrears: readonly P[]): P[] | undefined {
  for (let end = arrears.length - 1; end > 0; end--) {
    let start = end;
    while (start > 0 && addMonthsToMonth(arrears[start - 1]!.period, 1) === arrears[start]!.period) start--;
    if (start < end) return arrears.slice(start, end + 1);
  }
  return undefined;
}

/** The person as an alert names them, shown or sent: first name and the initial of the last name. */
export const personLabel = (p: { firstName: string; lastName: string }): string => {
  const initial = [...p.lastName.trim()][0];
  return initial ? `${p.firstName.trim()} ${initial.toUpperCase()}.` : p.firstName.trim();
};

const periodEvidence = (facts: JobFacts, p: RentPeriod) => ({
  period: p.period,
  dueDate: p.dueDate,
  due: centsToJson(p.due),
  paid: centsToJson(p.paid),
  creditsReceived: centsToJson(facts.creditsByMonth.get(p.period) ?? 0n),
});

/** Whether any measure of the chain has received a managed prestation (rule 11). */
const creditReceived = (facts: JobFacts, measure: JobFacts["measures"][number]): boolean =>
  chainOf(facts.measures, measure).some((m) => facts.creditedMeasureIds.includes(m.id));

/**
 * `no_credit_received` (rule 11): a MASP in force for 45 days or more that has never
 * received a managed prestation (the payer may still be processing the bon de commande).
 * One per measure chain (episode: the day the MASP began); closes at the first credit.
 */
function decideNoCredit(facts: JobFacts, asOf: string): AlertOp[] {
  const open = facts.alerts.find((a) => a.type === "no_credit_received" && a.status !== "closed");
  const measure = activeMasp2(facts.measures, asOf);
  if (!measure || creditReceived(facts, measure)) {
    return open ? [{ kind: "close", id: open.id, beneficiaryId: facts.beneficiaryId, type: "no_credit_received", closeReason: "credit_received" }] : [];
  }
  const began = chainStart(facts.measures, measure);
  const days = daysBetween(began, asOf);
  if (open || days < NO_CREDIT_DAYS || facts.alerts.some((a) => a.type === "no_credit_received" && a.episode === began)) return [];
  return [
    {
      kind: "insert",
      beneficiaryId: facts.beneficiaryId,
      measureId: measure.id,
      type: "no_credit_received",
      episode: began,
      periods: [],
      evidence: { asOf, person: personLabel(facts.beneficiary), measureStart: began, days },
    },
  ];
}

/**
 * What the unpaid-rent check decides for one beneficiary on `asOf`. An episode lasts
 * from the first unpaid period until the arrears are paid in full: while it lasts there
 * is one `unpaid_rent` alert (its periods follow the arrears) and, once two consecutive
 * periods are unpaid, one `masp3_trigger` (L.271-5) naming every consecutive unpaid
 * period of the episode from the first; it grows with the episode, never forgets a
 * month. No trigger while the measure has never received a managed prestation
 * (rule 11: `no_credit_received` instead). Both close themselves when nothing is owed
 * any more; an alert a caseworker closed is not raised again within the same episode.
 */
export function decideAlerts(facts: JobFacts, asOf: string): AlertOp[] {
  const measure = activeMasp2(facts.measures, asOf);
  const periods = measure ? allPeriodsOf(facts, measure, monthOf(asOf), asOf) : [];
  // A month is unpaid when any lease's period of it is (a move: lease A's arrears count).
  const arrears = [...new Map(periods.filter((p) => isArrears(p.status)).map((p) => [p.period, p])).values()];
  const owed = new Set(arrears.map((p) => p.period));
  const rentEnvelope = centsToJson(facts.held({ envelope: "rent" }));
  const run = measure && creditReceived(facts, measure) ? lastConsecutiveRun(arrears) : undefined;
  const person = personLabel(facts.beneficiary);
  const ops: AlertOp[] = [];
  for (const type of ALERT_TYPES) {
    const open = facts.alerts.find((a) => a.type === type && a.status !== "closed");
    if (arrears.length === 0) {
      if (open) ops.push({ kind: "close", id: open.id, beneficiaryId: facts.beneficiaryId, type, closeReason: "arrears_paid" });
      continue;
    }
    const evidenceOf = (names: string[]) => ({
      asOf,
      person,
      rentEnvelope,
      periods: periods.filter((p) => names.includes(p.period)).map((p) => periodEvidence(facts, p)),
    });
    if (open) {
      // The unpaid_rent alert follows the arrears; a MASP 3 trigger keeps the months that
      // raised it and takes in the later months of the same run (a judge sees them all).
      const names =
        type === "unpaid_rent"
          ? [...owed]
          : [...new Set([...open.periods, ...(run?.some((p) => open.periods.includes(p.period)) ? run.map((p) => p.period) : [])])].sort();
      if (open.periods.join() !== names.join()) {
        ops.push({ kind: "update", id: open.id, beneficiaryId: facts.beneficiaryId, type, periods: names, evidence: evidenceOf(names) });
      }
      continue;
    }
    const names = type === "unpaid_rent" ? [...owed] : run ? run.map((p) => p.period) : [];
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
  return [...ops, ...decideNoCredit(facts, asOf)];
}
