import type { Executor } from "../../db/client";
import { parseJson, runText, toBigInt, uuidArray } from "../../db/sql";
import type { AlertFacts, ChargeFacts, CreditFacts, JobFacts, LeaseFacts, MeasureFacts, RentEntryFacts } from "../../domain/beneficiary-facts";
import { chargeIdOf, type EnvelopeRef } from "../../domain/envelopes";
import { UNPAID_STATUSES } from "../../domain/payment-order-life";
import type { RentFacts, ReversementFacts, ReversementPlan } from "../../domain/payment-plans";
import { PAYMENT_REASON_CODES, reasonRefusesIban } from "../../domain/payment-reasons";
import { envelopeAddress } from "../../ledger/accounts";

/**
 * Everything the allocation of a credit depends on, for a set of beneficiaries, read
 * in ONE round trip and with the beneficiaries' rows locked (in id order, so that
 * concurrent batches never deadlock): two credits for one person are allocated one
 * after the other, each seeing what the other did. `held` reads `balances`, by ledger
 * address: a batch that moves money in `balances` is seen by the next plan.
 */
export interface CreditState extends CreditFacts {
  balances: Map<string, bigint>;
}

const json = parseJson;

const quoted = (values: readonly string[]) => values.map((v) => `'${v}'`).join(", ");
/** Orders whose money came back: they pay no period. */
const UNPAID = quoted(UNPAID_STATUSES);
/** The reasons that bar an IBAN until it changes (src/domain/payment-reasons.ts). */
const REFUSING = quoted(PAYMENT_REASON_CODES.filter(reasonRefusesIban));

/**
 * The state's columns by name, each one correlated subquery on `b` (a beneficiary). The
 * credit path reads CREDIT_COLUMNS; each daily job reads only the columns its planner
 * uses (`JOB_READS` below): a reversement needs nine of the eighteen.
 */
const COLUMNS = {
  measures: `(select coalesce(json_agg(json_build_object('id', m.id, 'level', m.level, 'startDate', m.start_date, 'endDate', m.end_date,
      'endedOn', m.ended_on, 'status', m.status, 'managedPrestations', m.managed_prestations, 'previousMeasureId', m.previous_measure_id,
      'livingMonthly', m.living_monthly::text, 'reversementWhileRentShort', m.reversement_while_rent_short,
      'closed', exists (select 1 from measure_closings mc where mc.measure_id = m.id))
      order by m.start_date), '[]') from measures m where m.beneficiary_id = b.id) as measures`,
  amendments: `(select coalesce(json_agg(json_build_object('measureId', a.measure_id, 'effectiveDate', a.effective_date, 'managedPrestations', a.managed_prestations)
      order by a.effective_date, a.created_at), '[]')
     from measure_amendments a join measures m on m.id = a.measure_id where m.beneficiary_id = b.id) as amendments`,
  leases: `(select coalesce(json_agg(json_build_object('id', l.id, 'dueDay', l.due_day, 'startDate', l.start_date, 'endDate', l.end_date,
      'landlordName', l.landlord_name, 'landlordIban', l.landlord_iban, 'firstPeriod', l.first_period, 'prorata', l.prorata,
      'arrearsPlanMonthly', l.arrears_plan_monthly::text) order by l.start_date), '[]') from leases l where l.beneficiary_id = b.id) as leases`,
  terms: `(select coalesce(json_agg(json_build_object('leaseId', t.lease_id, 'effectiveMonth', t.effective_month, 'rent', t.rent::text,
      'charges', t.charges::text, 'housingBenefitToLandlord', t.housing_benefit_to_landlord::text, 'personShare', t.person_share::text)), '[]')
     from lease_terms t join leases l on l.id = t.lease_id where l.beneficiary_id = b.id) as terms`,
  rent_paid: `(select coalesce(json_agg(json_build_object('leaseId', x.lease_id, 'period', x.period, 'paid', x.paid::text)), '[]')
     from (select o.lease_id, o.period, sum(o.amount) as paid from payment_orders o
            where o.beneficiary_id = b.id and o.kind = 'rent' and o.status not in (${UNPAID}) group by o.lease_id, o.period) x) as rent_paid`,
  rent_entries: `(select coalesce(json_agg(json_build_object('leaseId', e.lease_id, 'period', e.period, 'kind', e.kind, 'amount', e.amount::text)), '[]')
     from rent_period_entries e where e.beneficiary_id = b.id) as rent_entries`,
  balances: `(select coalesce(json_agg(json_build_object('address', a.address, 'balance', a.balance::text)), '[]')
     from ledger_accounts a where a.beneficiary_id = b.id) as balances`,
  charges: `(select coalesce(json_agg(json_build_object('id', c.id, 'category', c.category, 'priority', c.priority, 'amount', c.amount::text,
      'frequency', c.frequency, 'months', c.months, 'startDate', c.start_date, 'endDate', c.end_date, 'dueDay', c.due_day,
      'creditorName', c.creditor_name, 'creditorIban', c.creditor_iban)), '[]') from charges c where c.beneficiary_id = b.id) as charges`,
  charge_paid: `(select coalesce(json_agg(json_build_object('chargeId', x.charge_id, 'period', x.period, 'paid', x.paid::text)), '[]')
     from (select o.charge_id, o.period, sum(o.amount) as paid from payment_orders o
            where o.beneficiary_id = b.id and o.kind = 'charge' and o.status not in (${UNPAID}) group by o.charge_id, o.period) x) as charge_paid`,
  plan: `(select row_to_json(p) from (select frequency, weekday, day, mode, amount::text as amount, buffer::text as buffer, method
     from reversement_plans r where r.beneficiary_id = b.id) p) as plan`,
  credits_by_month: `(select coalesce(json_agg(json_build_object('month', x.month, 'amount', x.amount::text)), '[]')
     from (select to_char(c.value_date, 'YYYY-MM') as month, sum(c.amount) as amount from credits c
            where c.beneficiary_id = b.id group by 1) x) as credits_by_month`,
  credited_measure_ids: `(select coalesce(json_agg(distinct c.measure_id), '[]') from credits c where c.beneficiary_id = b.id) as credited_measure_ids`,
  arrears_paid: `(select coalesce(json_agg(json_build_object('leaseId', x.lease_id, 'month', x.month, 'paid', x.paid::text)), '[]')
     from (select o.lease_id, to_char(o.business_date, 'YYYY-MM') as month, sum(o.amount) as paid from payment_orders o
            where o.beneficiary_id = b.id and o.kind = 'rent' and o.status not in (${UNPAID})
              and o.period < to_char(o.business_date, 'YYYY-MM') group by 1, 2) x) as arrears_paid`,
  alerts: `(select coalesce(json_agg(json_build_object('id', a.id, 'type', a.type, 'episode', a.episode, 'status', a.status, 'periods', a.periods)), '[]')
     from alerts a where a.beneficiary_id = b.id) as alerts`,
  refused_ibans: `(select coalesce(json_agg(distinct o.creditor_iban), '[]') from payment_orders o
    where o.beneficiary_id = b.id and o.status in ('rejected', 'returned') and o.reason_code in (${REFUSING})) as refused_ibans`,
  living_by_month: `(select coalesce(json_agg(json_build_object('month', x.month, 'amount', x.amount::text)), '[]')
     from (select to_char(p.value_date, 'YYYY-MM') as month, sum(p.amount) as amount
             from ledger_accounts a join ledger_postings p on p.account_id = a.id
            where a.address = 'beneficiary:' || b.id || ':living' and p.direction = 'credit' group by 1) x) as living_by_month`,
  beneficiary: "b.first_name, b.last_name, b.iban",
} as const;
type Column = keyof typeof COLUMNS;

const CREDIT_COLUMNS = [
  "measures",
  "amendments",
  "leases",
  "terms",
  "rent_paid",
  "rent_entries",
  "balances",
  "charges",
  "charge_paid",
  "living_by_month",
] as const satisfies readonly Column[];
/**
 * What the scheduled jobs need beyond a credit's state: charges already paid, the
 * reversement plan, credits received per month (the MASP 3 evidence), the beneficiary's
 * own name and IBAN (their reversement's creditor), and the alerts already raised.
 */
const JOB_COLUMNS = [
  ...CREDIT_COLUMNS,
  "plan",
  "credits_by_month",
  "credited_measure_ids",
  "arrears_paid",
  "alerts",
  "refused_ibans",
  "beneficiary",
] as const satisfies readonly Column[];

const selectState = (columns: readonly Column[]) =>
  `select b.id, ${columns.map((c) => COLUMNS[c]).join(",\n  ")}
from beneficiaries b where b.id = any($1::uuid[]) order by b.id`;

/**
 * `$1`: the beneficiaries' ids as a PostgreSQL array literal. Lock first, read after,
 * in two statements: a statement that waits for a lock still reads with the snapshot
 * it took before waiting, so a single locking read would allocate on balances that a
 * concurrent credit has since changed.
 */
export const CREDIT_STATE_SQL = {
  state: selectState(CREDIT_COLUMNS),
  lock: `select id from beneficiaries where id = any($1::uuid[]) order by id for update`,
} as const;

type Row = Record<string, unknown>;

/** Each column's JSON as the domain reads it (amounts as bigint). */
const parse = {
  measures: (v: unknown): MeasureFacts[] =>
    json<Record<string, unknown>[]>(v).map((m) => ({
      ...(m as never as MeasureFacts),
      livingMonthly: toBigInt((m.livingMonthly as string | undefined) ?? "0"),
      reversementWhileRentShort: m.reversementWhileRentShort === true,
    })),
  balances: (v: unknown) => new Map(json<{ address: string; balance: string }[]>(v).map((b) => [b.address, toBigInt(b.balance)])),
  leases: (v: unknown): LeaseFacts[] =>
    json<Record<string, unknown>[]>(v).map((l) => ({
      ...(l as never as LeaseFacts),
      arrearsPlanMonthly: l.arrearsPlanMonthly == null ? null : toBigInt(l.arrearsPlanMonthly as string),
    })),
  terms: (v: unknown) =>
    json<Record<string, string>[]>(v).map((t) => ({
      leaseId: t.leaseId!,
      effectiveMonth: t.effectiveMonth!,
      rent: toBigInt(t.rent),
      charges: toBigInt(t.charges),
      housingBenefitToLandlord: toBigInt(t.housingBenefitToLandlord),
      personShare: toBigInt(t.personShare),
    })),
  rentEntries: (v: unknown) =>
    json<{ leaseId: string; period: string; kind: RentEntryFacts["kind"]; amount: string }[]>(v).map((e) => ({
      ...e,
      amount: toBigInt(e.amount),
    })),
  rentPaid: (v: unknown) =>
    json<{ leaseId: string | null; period: string; paid: string }[]>(v).map((r) => ({
      leaseId: r.leaseId,
      period: r.period,
      paid: toBigInt(r.paid),
    })),
  arrearsPaid: (v: unknown) => json<{ leaseId: string | null; month: string; paid: string }[]>(v).map((a) => ({ ...a, paid: toBigInt(a.paid) })),
  plan: (v: unknown): ReversementPlan | null => {
    const plan = v ? json<Record<string, string | number | null>>(v) : null;
    return plan
      ? {
          frequency: plan.frequency as ReversementPlan["frequency"],
          weekday: plan.weekday as number | null,
          day: plan.day as number | null,
          mode: plan.mode as ReversementPlan["mode"],
          amount: plan.amount === null ? null : toBigInt(plan.amount),
          buffer: toBigInt(plan.buffer),
          method: (plan.method ?? "transfer") as ReversementPlan["method"],
        }
      : null;
  },
  refusedIbans: (v: unknown) => new Set(json<string[]>(v)),
  beneficiary: (row: Row) => ({ firstName: row.first_name as string, lastName: row.last_name as string, iban: (row.iban as string | null) ?? null }),
};

const heldIn =
  (id: string, balances: Map<string, bigint>) =>
  (e: EnvelopeRef): bigint =>
    balances.get(envelopeAddress(id, e.envelope, chargeIdOf(e))) ?? 0n;

export function parseCreditStates(rows: readonly Row[]): Map<string, CreditState> {
  const states = new Map<string, CreditState>();
  for (const row of rows) {
    const id = row.id as string;
    const balances = parse.balances(row.balances);
    states.set(id, {
      beneficiaryId: id,
      measures: parse.measures(row.measures),
      amendments: json(row.amendments),
      leases: parse.leases(row.leases),
      terms: parse.terms(row.terms),
      rentEntries: parse.rentEntries(row.rent_entries),
      rentPaid: parse.rentPaid(row.rent_paid),
      balances,
      held: heldIn(id, balances),
      charges: json<Record<string, unknown>[]>(row.charges).map((c) => ({ ...(c as never as ChargeFacts), amount: toBigInt(c.amount) })),
      chargePaid: json<{ chargeId: string; period: string; paid: string }[]>(row.charge_paid).map((c) => ({ ...c, paid: toBigInt(c.paid) })),
      livingByMonth: new Map(json<{ month: string; amount: string }[]>(row.living_by_month).map((l) => [l.month, toBigInt(l.amount)])),
    });
  }
  return states;
}

export interface JobState extends JobFacts {
  balances: Map<string, bigint>;
}

function parseJobStates(rows: readonly Row[]): Map<string, JobState> {
  const base = parseCreditStates(rows);
  const states = new Map<string, JobState>();
  for (const row of rows) {
    states.set(row.id as string, {
      ...base.get(row.id as string)!,
      chargePaid: base.get(row.id as string)!.chargePaid ?? [],
      plan: parse.plan(row.plan),
      creditsByMonth: new Map(json<{ month: string; amount: string }[]>(row.credits_by_month).map((c) => [c.month, toBigInt(c.amount)])),
      creditedMeasureIds: json<string[]>(row.credited_measure_ids),
      arrearsPaid: parse.arrearsPaid(row.arrears_paid),
      alerts: json<AlertFacts[]>(row.alerts),
      refusedIbans: parse.refusedIbans(row.refused_ibans),
      beneficiary: parse.beneficiary(row),
    });
  }
  return states;
}

/** What the rent job reads of a beneficiary: every fact its planner may use (optional ones too), and the IBANs the bank refused. */
export type RentJobState = Required<RentFacts> & Required<Pick<JobFacts, "refusedIbans">>;
/** What the reversement job reads: every fact its planner may use, and the IBANs the bank refused. */
export type ReversementJobState = Required<ReversementFacts> & Required<Pick<JobFacts, "refusedIbans">>;

/** A chunk's state read for one job: its statement, and how its rows become states (in id order). */
export interface StateRead<S> {
  sql: string;
  parse(rows: readonly Row[]): S[];
}

/** What the rent and reversement reads share: the measures, the leases and their periods, the balances and the refused IBANs. */
const tenancy = (row: Record<string, unknown>) => {
  const id = row.id as string;
  return {
    beneficiaryId: id,
    measures: parse.measures(row.measures),
    leases: parse.leases(row.leases),
    terms: parse.terms(row.terms),
    rentPaid: parse.rentPaid(row.rent_paid),
    rentEntries: parse.rentEntries(row.rent_entries),
    held: heldIn(id, parse.balances(row.balances)),
    refusedIbans: parse.refusedIbans(row.refused_ibans),
  };
};

/**
 * The state read of each daily job. The rent and reversement jobs read only the columns
 * their planners use (types `RentFacts`, `ReversementFacts` in the domain keep them
 * honest); the other jobs read everything (`JobState`).
 */
export const JOB_READS = {
  job: { sql: selectState(JOB_COLUMNS), parse: (rows) => [...parseJobStates(rows).values()] } satisfies StateRead<JobState>,
  rent: {
    sql: selectState(["measures", "leases", "terms", "rent_paid", "rent_entries", "arrears_paid", "balances", "refused_ibans"]),
    parse: (rows) =>
      rows.map((row) => {
        return { ...tenancy(row), arrearsPaid: parse.arrearsPaid(row.arrears_paid) };
      }),
  } satisfies StateRead<RentJobState>,
  reversement: {
    sql: selectState(["measures", "plan", "balances", "refused_ibans", "beneficiary", "leases", "terms", "rent_paid", "rent_entries"]),
    parse: (rows) =>
      rows.map((row) => {
        return { ...tenancy(row), plan: parse.plan(row.plan), beneficiary: parse.beneficiary(row) };
      }),
  } satisfies StateRead<ReversementJobState>,
};

export async function loadCreditStates(
  executor: Executor,
  beneficiaryIds: readonly string[],
  options: { lock: boolean } = { lock: true },
): Promise<Map<string, CreditState>> {
  if (beneficiaryIds.length === 0) return new Map();
  if (options.lock) await runText(executor, CREDIT_STATE_SQL.lock, [uuidArray(beneficiaryIds)]);
  const rows = await runText<Record<string, unknown>>(executor, CREDIT_STATE_SQL.state, [uuidArray(beneficiaryIds)]);
  return parseCreditStates(rows);
}
