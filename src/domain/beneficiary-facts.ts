import type { ChargeFrequency } from "./charge-schedule";
import type { EnvelopeRef } from "./envelopes";
import type { AlertKind } from "./finance-alerts";
import type { MeasureLevel } from "./measure-rules";
import type { ReversementPlan } from "./payment-plans";
import type { AlertStatus } from "./unpaid-rent-alerts";

/**
 * What the rules need to know about one beneficiary, as read from the database in one
 * go by the services: the domain states what it needs, never how it is read.
 */
export interface MeasureFacts {
  id: string;
  level: MeasureLevel;
  startDate: string;
  endDate: string;
  endedOn: string | null;
  status: string;
  managedPrestations: string[];
  previousMeasureId: string | null;
  /** Its accounts are closed (`measure_closings`): no job pays anything for it again, whatever the date. */
  closed?: boolean;
  /** Reste à vivre a month (rule 6); 0 or absent: none. */
  livingMonthly?: bigint;
  /** Rule 7 opt-out: the reversement is paid even while this month's rent is short. */
  reversementWhileRentShort?: boolean;
}

export interface AmendmentFacts {
  measureId: string;
  effectiveDate: string;
  /** Null when the amendment left the managed prestations as they were. */
  managedPrestations: string[] | null;
}

export interface LeaseFacts {
  id: string;
  dueDay: number;
  startDate: string;
  endDate: string | null;
  landlordName: string;
  landlordIban: string;
  /** The first period (`YYYY-MM`) the measure pays, when given with the lease (rule 1). */
  firstPeriod?: string | null;
  /** The first and last months are due pro rata of the days the lease covers (rule 2). */
  prorata?: boolean;
  /** Plan d'apurement agreed with the landlord: at most this much a month toward this lease's arrears (rule 4). */
  arrearsPlanMonthly?: bigint | null;
}

interface LeaseTermsFacts {
  leaseId: string;
  /** First day of the month from which these amounts apply. */
  effectiveMonth: string;
  rent: bigint;
  charges: bigint;
  housingBenefitToLandlord: bigint;
  personShare?: bigint;
}

/** Rule 3: a period's external payment (counts as paid) or housing-aid correction (signed: more aid, less due). */
export interface RentEntryFacts {
  leaseId: string;
  period: string;
  kind: "external_payment" | "housing_aid_adjustment";
  amount: bigint;
}

export interface ChargeFacts {
  id: string;
  category: string;
  priority: number;
  amount: bigint;
  frequency: ChargeFrequency;
  months: number[];
  startDate: string;
  endDate: string | null;
  dueDay: number;
  creditorName: string;
  creditorIban: string;
}

/** What a credit's allocation depends on. */
export interface CreditFacts {
  beneficiaryId: string;
  /** Oldest first. */
  measures: MeasureFacts[];
  /** In the order they take effect. */
  amendments: AmendmentFacts[];
  /** Oldest first. */
  leases: LeaseFacts[];
  terms: LeaseTermsFacts[];
  /**
   * Rent paid per lease and period (payment orders not rejected). No lease: an order
   * written before orders named theirs, counted for the lease that covered the period.
   */
  rentPaid: { leaseId?: string | null; period: string; paid: bigint }[];
  /** Rule 3: external payments and housing-aid adjustments per lease and period. */
  rentEntries?: RentEntryFacts[];
  charges: ChargeFacts[];
  /** Charges paid per charge and period (orders not rejected or returned): their arrears (rule 8). */
  chargePaid?: { chargeId: string; period: string; paid: bigint }[];
  /** What credits set aside in the `living` envelope per month (`YYYY-MM`): reste à vivre once a month (rule 6). */
  livingByMonth?: ReadonlyMap<string, bigint>;
  /** What an envelope holds now (0 when it never moved). */
  held(envelope: EnvelopeRef): bigint;
}

export interface AlertFacts {
  id: string;
  type: AlertKind;
  episode: string;
  status: AlertStatus;
  periods: string[];
}

/** What the scheduled jobs need beyond a credit's facts. */
export interface JobFacts extends CreditFacts {
  chargePaid: { chargeId: string; period: string; paid: bigint }[];
  /** Null: the default plan. */
  plan: ReversementPlan | null;
  /** Credits received per month (`YYYY-MM`): the MASP 3 evidence. */
  creditsByMonth: Map<string, bigint>;
  /** The measures that have received at least one credit (a managed prestation): L.271-5 waits for the first. */
  creditedMeasureIds: readonly string[];
  /** Rent paid toward arrears (a period before the month paid in), per lease and month paid: what a plan d'apurement caps. */
  arrearsPaid?: { leaseId: string | null; month: string; paid: bigint }[];
  alerts: AlertFacts[];
  /** IBANs the bank refused for this beneficiary's orders (closed, wrong...): paid no more until changed. */
  refusedIbans?: ReadonlySet<string>;
  beneficiary: { firstName: string; lastName: string; iban: string | null };
}
