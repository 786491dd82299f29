import { type AllocationPlan, allocate, type ChargeNeed } from "./allocation";
import type { CreditFacts, MeasureFacts } from "./beneficiary-facts";
import { monthOf } from "./calendar";
import { type Catalogue, type Earmark, findPrestation } from "./catalogue";
import { chargeArrears, chargePeriods, owedOn } from "./charge-arrears";
import { chargeDueIn, chargeInForce } from "./charge-schedule";
import { DomainError } from "./errors";
import { activeMasp2, allPeriodsOf, chainStart, managedOn } from "./in-force";
import { livingNeed } from "./living-allowance";
import { dueDateOf, horizonMonth, rentNeed } from "./rent-periods";

export interface CreditRequest {
  beneficiaryId: string;
  prestation: string;
  amount: bigint;
  valueDate: string;
}

export interface CreditPlan {
  measure: MeasureFacts;
  plan: AllocationPlan;
  earmarked: Earmark;
}

/**
 * Where a credit goes, or why it cannot be taken. L.271-2: only a MASP 2 in force
 * manages money; D.271-2: only the prestations of the catalogue, and of those only the
 * ones the contract (as amended) manages; then allocation.ts shares it out.
 */
export function planCredit(facts: CreditFacts, request: CreditRequest, catalogue: Catalogue): CreditPlan {
  const measure = activeMasp2(facts.measures, request.valueDate);
  // The contract checks the measure before the prestation.
  if (!measure) {
    // Money after the end never enters a closed envelope: the 409 names the end date.
    const ended = endedBefore(facts.measures, request.valueDate);
    if (ended) {
      throw new DomainError("measure_ended", `the measure ended on ${ended.endedOn}: a credit of ${request.valueDate} is not taken`, {
        endDate: ended.endedOn,
        measureId: ended.id,
      });
    }
    throw new DomainError("no_active_measure", `no MASP 2 measure is in force on ${request.valueDate} for this beneficiary`);
  }
  // Its accounts closed, the measure takes nothing more, even dated before its end:
  // the envelopes were paid back or held, and a credit must not reopen them.
  if (measure.closed) {
    throw new DomainError("measure_ended", `the measure ended on ${measure.endedOn ?? measure.endDate} and its accounts are closed: a credit is not taken`, {
      endDate: measure.endedOn ?? measure.endDate,
      measureId: measure.id,
    });
  }
  const prestation = findPrestation(catalogue, request.prestation);
  if (!prestation) {
    throw new DomainError(
      "prestation_not_managed",
      `${request.prestation} is not a social prestation of art. D.271-2 CASF: it cannot enter the managed account`,
      [
        {
          field: "prestation",
          message: "not in the D.271-2 catalogue (salary, ARE/ASS, ordinary pensions, prime d'activité are refused)",
          code: "not_a_prestation",
        },
      ],
    );
  }
  if (!managedOn(facts.amendments, measure, request.valueDate).includes(prestation.code)) {
    throw new DomainError("prestation_not_managed", `${prestation.code} is not managed by the measure in force on ${request.valueDate}`, [
      { field: "prestation", message: "not among the measure's managed prestations", code: "not_managed" },
    ]);
  }
  // Every lease's arrears stay owed after a move (rule 2), with the next period due.
  const rent = rentNeed(allPeriodsOf(facts, measure, horizonMonth(request.valueDate), request.valueDate), request.valueDate, facts.held({ envelope: "rent" }));
  const month = monthOf(request.valueDate);
  const from = chainStart(facts.measures, measure);
  const charges: ChargeNeed[] = facts.charges
    .filter((c) => chargeInForce(c, request.valueDate))
    .map((c) => {
      // Like the rent: its unpaid past amounts (rule 8: an amount left unpaid stays owed),
      // plus its next amount due (this month's if not yet due, else next month's; a
      // quarterly or yearly charge saves toward its next amount), less what it holds.
      const held = facts.held({ envelope: "charge", chargeId: c.id });
      const arrears = owedOn(chargeArrears(chargePeriods(c, facts.chargePaid ?? [], from, month), request.valueDate));
      const notYetDue = chargeDueIn(c, month) && dueDateOf(month, c.dueDay) > request.valueDate;
      const dueSoon = notYetDue || chargeDueIn(c, horizonMonth(request.valueDate)) || c.frequency !== "monthly";
      const need = arrears + (dueSoon ? c.amount : 0n) - held;
      return { chargeId: c.id, category: c.category, priority: c.priority, need: need > 0n ? need : 0n };
    });
  const living = livingNeed(measure.livingMonthly ?? 0n, facts.livingByMonth?.get(month) ?? 0n, facts.held({ envelope: "living" }));
  const plan = allocate({ amount: request.amount, earmarked: prestation.earmarked, rentNeed: rent, livingNeed: living, charges });
  return { measure, plan, earmarked: prestation.earmarked };
}

/** The last MASP 2 ended before a date (since which no MASP 2 began). */
function endedBefore(measures: readonly MeasureFacts[], date: string): MeasureFacts | undefined {
  const before = measures.filter((m) => m.level === "MASP2" && m.startDate <= date).sort((a, b) => (a.startDate < b.startDate ? -1 : 1));
  const last = before.at(-1);
  return last?.endedOn && last.endedOn < date ? last : undefined;
}
