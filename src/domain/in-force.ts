import type { AmendmentFacts, CreditFacts, LeaseFacts, MeasureFacts } from "./beneficiary-facts";
import { spanCovers } from "./date-range";
import { monthlyDue } from "./lease-terms";
import { firstPeriodFrom, type PeriodAdjustment, type RentPeriod, rentPeriods } from "./rent-periods";

/**
 * A MASP 2 in force on a date: within its planned dates and not ended before (a
 * renewed period still covers its own dates). services/measures/in-force-sql.ts says
 * the same in SQL; a test checks that both agree.
 */
export const isMasp2InForce = (m: Pick<MeasureFacts, "level" | "startDate" | "endDate" | "endedOn">, date: string): boolean =>
  m.level === "MASP2" && spanCovers(m, date) && (m.endedOn === null || date <= m.endedOn);

/** The MASP 2 measure in force on a date. */
export function activeMasp2<M extends MeasureFacts>(measures: readonly M[], date: string): M | undefined {
  return measures.find((m) => isMasp2InForce(m, date));
}

/**
 * The MASP 2 measure a payment job may pay for on a date: in force then, and its
 * accounts not closed. A job re-run for a date before the end, after the closing, pays
 * nothing from what the closing held or paid back.
 */
export function payableMasp2<M extends MeasureFacts>(measures: readonly M[], date: string): M | undefined {
  const measure = activeMasp2(measures, date);
  return measure?.closed ? undefined : measure;
}

/**
 * The prestations a measure manages on a date: the contract's, as changed by the last
 * amendment in effect that changed them (amendments in the order they take effect).
 */
export function managedOn(amendments: readonly AmendmentFacts[], measure: Pick<MeasureFacts, "id" | "managedPrestations">, date: string): string[] {
  const amended = amendments.filter((a) => a.measureId === measure.id && a.effectiveDate <= date && a.managedPrestations !== null).at(-1);
  return amended?.managedPrestations ?? measure.managedPrestations;
}

/** Whether the contract is extended on a date (R.271-3): the contract's choice, as amended since. */
export function extensionOn(
  amendments: readonly { measureId: string; effectiveDate: string; extension: boolean | null; extensionReason: string | null }[],
  measure: { id: string; extension: boolean; extensionReason: string | null },
  date: string,
): { extension: boolean; extensionReason: string | null } {
  const a = amendments.filter((a) => a.measureId === measure.id && a.effectiveDate <= date && a.extension !== null).at(-1);
  return a ? { extension: a.extension!, extensionReason: a.extensionReason } : { extension: measure.extension, extensionReason: measure.extensionReason };
}

/** Renewals chained further back than this are not followed (a chain is at most 4 years of 6-month periods). */
const MAX_CHAIN = 10;

/** The measures of the chain of renewals a measure belongs to, the measure first. */
export function chainOf(measures: readonly MeasureFacts[], measure: MeasureFacts): MeasureFacts[] {
  const chain = [measure];
  let current = measure;
  for (let i = 0; i < MAX_CHAIN && current.previousMeasureId; i++) {
    const previous = measures.find((m) => m.id === current.previousMeasureId);
    if (!previous) break;
    chain.push(previous);
    current = previous;
  }
  return chain;
}

/** The first day of the chain of renewals a measure belongs to: the MASP began then. */
export const chainStart = (measures: readonly MeasureFacts[], measure: MeasureFacts): string => chainOf(measures, measure).at(-1)!.startDate;

/** The lease in force on a date (the latest begun), else the next one to begin. */
export function leaseOn<L extends LeaseFacts>(leases: readonly L[], date: string): L | undefined {
  return leases.filter((l) => spanCovers(l, date)).at(-1) ?? leases.filter((l) => l.startDate > date)[0];
}

/**
 * The first period the ledger answers for on a lease: the one given when the lease was
 * recorded, else the first due date on or after the day the MASP began (arrears from
 * before the measure are not ours to pay from its credits).
 */
const firstPeriodOf = (facts: Pick<CreditFacts, "measures">, lease: Pick<LeaseFacts, "dueDay" | "firstPeriod">, measure: MeasureFacts): string =>
  lease.firstPeriod ?? firstPeriodFrom(chainStart(facts.measures, measure), lease.dueDay);

/** Whether a lease covers any day of a month (`YYYY-MM`). */
const coversMonth = (lease: Pick<LeaseFacts, "startDate" | "endDate">, month: string): boolean =>
  lease.startDate.slice(0, 7) <= month && (lease.endDate === null || lease.endDate.slice(0, 7) >= month);

/**
 * What was paid toward a lease's periods: its own orders, never another lease's (rule 2:
 * a move does not merge periods by month). An order that names no lease (written
 * before orders named theirs) counts for the latest lease that covered its month.
 */
function paidFor(facts: Pick<CreditFacts, "leases" | "rentPaid">, lease: LeaseFacts): Map<string, bigint> {
  const paid = new Map<string, bigint>();
  for (const r of facts.rentPaid) {
    const owner = r.leaseId ?? facts.leases.filter((l) => coversMonth(l, r.period)).at(-1)?.id;
    if (owner === lease.id) paid.set(r.period, (paid.get(r.period) ?? 0n) + r.paid);
  }
  return paid;
}

/** The rent periods the ledger answers for on a lease (see `firstPeriodOf`). */
export function periodsOf(
  facts: Pick<CreditFacts, "measures" | "terms" | "rentPaid" | "leases" | "rentEntries">,
  lease: LeaseFacts,
  measure: MeasureFacts,
  toMonth: string,
  asOf: string,
): RentPeriod[] {
  const terms = facts.terms.filter((t) => t.leaseId === lease.id).map((t) => ({ effectiveMonth: t.effectiveMonth, due: monthlyDue(t) }));
  const adjustments = new Map<string, PeriodAdjustment>();
  for (const e of facts.rentEntries ?? []) {
    if (e.leaseId !== lease.id) continue;
    const a = adjustments.get(e.period) ?? { external: 0n, housingAid: 0n };
    if (e.kind === "external_payment") a.external += e.amount;
    else a.housingAid += e.amount;
    adjustments.set(e.period, a);
  }
  return rentPeriods(
    { dueDay: lease.dueDay, startDate: lease.startDate, endDate: lease.endDate, terms, prorata: lease.prorata ?? false },
    paidFor(facts, lease),
    firstPeriodOf(facts, lease, measure),
    toMonth,
    asOf,
    adjustments,
  );
}

export interface LeasePeriod extends RentPeriod {
  lease: LeaseFacts;
}

/**
 * Every lease's periods the measure answers for, in period order (a month of notice
 * overlapping the next lease has two): lease A's arrears stay A's after a move.
 */
export function allPeriodsOf(
  facts: Pick<CreditFacts, "measures" | "terms" | "rentPaid" | "leases" | "rentEntries">,
  measure: MeasureFacts,
  toMonth: string,
  asOf: string,
): LeasePeriod[] {
  return facts.leases
    .filter((l) => l.startDate <= `${toMonth}-31`)
    .flatMap((lease) => periodsOf(facts, lease, measure, toMonth, asOf).map((p) => ({ ...p, lease })))
    .sort((a, b) => a.period.localeCompare(b.period) || a.lease.startDate.localeCompare(b.lease.startDate));
}
