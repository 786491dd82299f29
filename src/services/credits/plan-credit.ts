import { allocate, type AllocationPlan, type ChargeNeed } from "../../domain/allocation";
import { findPrestation, type Catalogue } from "../../domain/catalogue";
import { monthOf } from "../../domain/calendar";
import { DomainError } from "../../domain/errors";
import { horizonMonth, rentNeed, rentPeriods, type RentPeriod } from "../../domain/rent-periods";
import { envelopeAccount } from "../../ledger/accounts";
import { chargeDueIn } from "../charges/charge-schedule";
import { monthlyDue } from "../leases/lease-view";
import type { CreditState } from "./credit-state";

type Measure = CreditState["measures"][number];
type Lease = CreditState["leases"][number];

/** The MASP 2 measure in force on a date (a renewed period still covers its own dates). */
export function activeMasp2(state: CreditState, date: string): Measure | undefined {
  return state.measures.find((m) => m.level === "MASP2" && m.startDate <= date && date <= m.endDate && (!m.endedOn || date <= m.endedOn));
}

/** The prestations a measure manages on a date: the contract's, as amended since. */
export function managedOn(state: CreditState, measure: Measure, date: string): string[] {
  const amended = state.amendments.filter((a) => a.measureId === measure.id && a.effectiveDate <= date && a.managedPrestations !== null).at(-1);
  return amended?.managedPrestations ?? measure.managedPrestations;
}

/** The first day of the chain of renewals a measure belongs to: the MASP began then. */
export function chainStart(state: CreditState, measure: Measure): string {
  let current = measure;
  for (let i = 0; i < 10 && current.previousMeasureId; i++) {
    const previous = state.measures.find((m) => m.id === current.previousMeasureId);
    if (!previous) break;
    current = previous;
  }
  return current.startDate;
}

export function leaseOn(state: CreditState, date: string): Lease | undefined {
  return state.leases.filter((l) => l.startDate <= date && (!l.endDate || l.endDate >= date)).at(-1) ?? state.leases.filter((l) => l.startDate > date)[0];
}

/**
 * The rent periods the ledger answers for: those of the lease since the MASP began
 * (arrears from before the measure are not ours to pay from its credits).
 */
export function periodsOf(state: CreditState, lease: Lease, measure: Measure, toMonth: string, asOf: string): RentPeriod[] {
  const terms = state.terms
    .filter((t) => t.leaseId === lease.id)
    .map((t) => ({ effectiveFrom: monthOf(t.effectiveMonth), due: monthlyDue(t) }));
  const paid = new Map(state.rentPaid.map((r) => [r.period, r.paid]));
  return rentPeriods({ dueDay: lease.dueDay, startDate: lease.startDate, endDate: lease.endDate, terms }, paid, monthOf(chainStart(state, measure)), toMonth, asOf);
}

export interface CreditRequest {
  beneficiaryId: string;
  prestation: string;
  amount: bigint;
  valueDate: string;
}

export interface CreditPlan {
  measure: Measure;
  plan: AllocationPlan;
  earmarked: "housing" | "care" | null;
}

const balance = (state: CreditState, address: string) => state.balances.get(address) ?? 0n;

/** Where a credit goes, or why it cannot be taken: pure, from the state read under lock. */
export function planCredit(state: CreditState, request: CreditRequest, catalogue: Catalogue): CreditPlan {
  const measure = activeMasp2(state, request.valueDate);
  // The contract checks the measure before the prestation.
  if (!measure) throw new DomainError("no_active_measure", `no MASP 2 measure is in force on ${request.valueDate} for this beneficiary`);
  const prestation = findPrestation(catalogue, request.prestation);
  if (!prestation) {
    throw new DomainError("prestation_not_managed", `${request.prestation} is not a social prestation of art. D.271-2 CASF: it cannot enter the managed account`, [
      { field: "prestation", message: "not in the D.271-2 catalogue (salary, ARE/ASS, ordinary pensions, prime d'activité are refused)", code: "not_a_prestation" },
    ]);
  }
  if (!managedOn(state, measure, request.valueDate).includes(prestation.code)) {
    throw new DomainError("prestation_not_managed", `${prestation.code} is not managed by the measure in force on ${request.valueDate}`, [
      { field: "prestation", message: "not among the measure's managed prestations", code: "not_managed" },
    ]);
  }
  const lease = leaseOn(state, request.valueDate);
  const rent = lease
    ? rentNeed(periodsOf(state, lease, measure, horizonMonth(request.valueDate), request.valueDate), request.valueDate, balance(state, envelopeAccount(state.beneficiaryId, "rent").address))
    : 0n;
  const month = monthOf(request.valueDate);
  const charges: ChargeNeed[] = state.charges
    .filter((c) => c.startDate <= request.valueDate && (!c.endDate || c.endDate >= request.valueDate))
    .map((c) => {
      // Up to its next amount due: this month's if not yet due, else the next occurrence's.
      const held = balance(state, envelopeAccount(state.beneficiaryId, "charge", c.id).address);
      const dueSoon = chargeDueIn(c, month) || chargeDueIn(c, horizonMonth(request.valueDate)) || c.frequency !== "monthly";
      const need = dueSoon ? c.amount - held : 0n;
      return { chargeId: c.id, category: c.category, priority: c.priority, need: need > 0n ? need : 0n };
    });
  const plan = allocate({ amount: request.amount, earmarked: prestation.earmarked, rentNeed: rent, charges });
  return { measure, plan, earmarked: prestation.earmarked };
}
