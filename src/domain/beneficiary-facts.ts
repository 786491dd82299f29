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
}

interface LeaseTermsFacts {
  leaseId: string;
  /** First day of the month from which these amounts apply. */
  effectiveMonth: string;
  rent: bigint;
  charges: bigint;
  housingBenefitToLandlord: bigint;
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
  /** Rent paid per period (payment orders not rejected). */
  rentPaid: { period: string; paid: bigint }[];
  charges: ChargeFacts[];
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
  alerts: AlertFacts[];
  /** IBANs the bank refused for this beneficiary's orders (closed, wrong...): paid no more until changed. */
  refusedIbans?: ReadonlySet<string>;
  beneficiary: { firstName: string; lastName: string; iban: string | null };
}
