import type { JobFacts } from "./beneficiary-facts";
import { monthOf } from "./calendar";
import { ARREARS_ALERT_CATEGORIES, ARREARS_ALERT_DUE_DATES, chargePeriods, unpaidDueDates } from "./charge-arrears";
import { chargeInForce } from "./charge-schedule";
import { activeMasp2, chainStart, leaseOn } from "./in-force";
import { centsToJson } from "./money";
import { type AlertOp, personLabel } from "./unpaid-rent-alerts";

/**
 * `housing_aid_without_lease` (rule 5 of issue 15): housing aid is earmarked for the rent
 * (R.271-4) and waits in the rent envelope when there is no lease to pay, so the
 * caseworker is told rather than the money sitting there silently. Raised while a MASP 2
 * is in force, no lease is in force and the rent envelope holds money; one per episode
 * (the day the last lease ended, or the day the MASP began without one); closed when a
 * lease is recorded or the envelope is empty.
 */
export function decideHousingAidWithoutLease(facts: JobFacts, asOf: string): AlertOp[] {
  const type = "housing_aid_without_lease" as const;
  const open = facts.alerts.find((a) => a.type === type && a.status !== "closed");
  const measure = activeMasp2(facts.measures, asOf);
  const held = facts.held({ envelope: "rent" });
  const waiting = measure !== undefined && held > 0n && leaseOn(facts.leases, asOf) === undefined;
  if (!waiting) {
    return open ? [{ kind: "close", id: open.id, beneficiaryId: facts.beneficiaryId, type, closeReason: "lease_or_nothing_held" }] : [];
  }
  if (open) return [];
  const ended = facts.leases
    .map((l) => l.endDate)
    .filter((d): d is string => d !== null && d < asOf)
    .sort()
    .at(-1);
  const episode = ended ?? chainStart(facts.measures, measure);
  if (facts.alerts.some((a) => a.type === type && a.episode === episode)) return [];
  return [
    {
      kind: "insert",
      beneficiaryId: facts.beneficiaryId,
      measureId: measure.id,
      type,
      episode,
      periods: [],
      evidence: { asOf, person: personLabel(facts.beneficiary), rentEnvelope: centsToJson(held), lastLeaseEnded: ended ?? null },
    },
  ];
}

/**
 * `charge_arrears` (rule 8): an energy or home-insurance charge with two due dates passed
 * and not fully paid (the lease requires the insurance; a cut-off of energy threatens
 * the home). One per beneficiary while it lasts (episode: the first unpaid month); its
 * periods follow the unpaid months; it closes when they are paid. A caseworker's close
 * is not undone within the same episode.
 */
export function decideChargeArrears(facts: JobFacts, asOf: string): AlertOp[] {
  const type = "charge_arrears" as const;
  const open = facts.alerts.find((a) => a.type === type && a.status !== "closed");
  const measure = activeMasp2(facts.measures, asOf);
  const late = measure
    ? facts.charges
        .filter((c) => ARREARS_ALERT_CATEGORIES.includes(c.category) && chargeInForce(c, asOf))
        .map((c) => ({ charge: c, unpaid: unpaidDueDates(chargePeriods(c, facts.chargePaid, chainStart(facts.measures, measure), monthOf(asOf)), asOf) }))
        .filter((x) => x.unpaid.length >= ARREARS_ALERT_DUE_DATES)
    : [];
  if (late.length === 0) {
    return open ? [{ kind: "close", id: open.id, beneficiaryId: facts.beneficiaryId, type, closeReason: "arrears_paid" }] : [];
  }
  const periods = [...new Set(late.flatMap((x) => x.unpaid.map((p) => p.period)))].sort();
  const evidence = {
    asOf,
    person: personLabel(facts.beneficiary),
    charges: late.map((x) => ({
      chargeId: x.charge.id,
      category: x.charge.category,
      creditorName: x.charge.creditorName,
      periods: x.unpaid.map((p) => ({ period: p.period, dueDate: p.dueDate, due: centsToJson(p.due), paid: centsToJson(p.paid) })),
    })),
  };
  if (open) {
    return open.periods.join() === periods.join() ? [] : [{ kind: "update", id: open.id, beneficiaryId: facts.beneficiaryId, type, periods, evidence }];
  }
  if (facts.alerts.some((a) => a.type === type && a.periods.some((p) => periods.includes(p)))) return [];
  return [{ kind: "insert", beneficiaryId: facts.beneficiaryId, measureId: measure!.id, type, episode: periods[0]!, periods, evidence }];
}

/** The budget alerts the daily check decides beside the unpaid rent's. */
export const decideBudgetAlerts = (facts: JobFacts, asOf: string): AlertOp[] => [
  ...decideHousingAidWithoutLease(facts, asOf),
  ...decideChargeArrears(facts, asOf),
];
