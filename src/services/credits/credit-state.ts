import { toBigInt, type Executor } from "../../db/client";
import { runText } from "../../db/raw";

/**
 * Everything the allocation of a credit depends on, for a set of beneficiaries, read
 * in ONE round trip and with the beneficiaries' rows locked (in id order, so that
 * concurrent batches never deadlock): two credits for one person are allocated one
 * after the other, each seeing what the other did.
 */
export interface CreditState {
  beneficiaryId: string;
  measures: { id: string; level: "MASP1" | "MASP2"; startDate: string; endDate: string; endedOn: string | null; status: string; managedPrestations: string[]; previousMeasureId: string | null }[];
  amendments: { measureId: string; effectiveDate: string; managedPrestations: string[] | null }[];
  leases: { id: string; dueDay: number; startDate: string; endDate: string | null; landlordName: string; landlordIban: string }[];
  terms: { leaseId: string; effectiveMonth: string; rent: bigint; charges: bigint; housingBenefitToLandlord: bigint }[];
  /** Rent paid per lease and period (payment orders not rejected). */
  rentPaid: { leaseId: string | null; period: string; paid: bigint }[];
  balances: Map<string, bigint>;
  charges: { id: string; category: string; priority: number; amount: bigint; frequency: "monthly" | "quarterly" | "yearly"; months: number[]; startDate: string; endDate: string | null; dueDay: number; creditorName: string; creditorIban: string }[];
}

const json = <T>(value: unknown): T => (typeof value === "string" ? (JSON.parse(value) as T) : (value as T));

const STATE_SELECT = `select b.id,
  (select coalesce(json_agg(json_build_object('id', m.id, 'level', m.level, 'startDate', m.start_date, 'endDate', m.end_date,
      'endedOn', m.ended_on, 'status', m.status, 'managedPrestations', m.managed_prestations, 'previousMeasureId', m.previous_measure_id)
      order by m.start_date), '[]') from measures m where m.beneficiary_id = b.id) as measures,
  (select coalesce(json_agg(json_build_object('measureId', a.measure_id, 'effectiveDate', a.effective_date, 'managedPrestations', a.managed_prestations)
      order by a.effective_date, a.created_at), '[]')
     from measure_amendments a join measures m on m.id = a.measure_id where m.beneficiary_id = b.id) as amendments,
  (select coalesce(json_agg(json_build_object('id', l.id, 'dueDay', l.due_day, 'startDate', l.start_date, 'endDate', l.end_date,
      'landlordName', l.landlord_name, 'landlordIban', l.landlord_iban) order by l.start_date), '[]') from leases l where l.beneficiary_id = b.id) as leases,
  (select coalesce(json_agg(json_build_object('leaseId', t.lease_id, 'effectiveMonth', t.effective_month, 'rent', t.rent::text,
      'charges', t.charges::text, 'housingBenefitToLandlord', t.housing_benefit_to_landlord::text)), '[]')
     from lease_terms t join leases l on l.id = t.lease_id where l.beneficiary_id = b.id) as terms,
  (select coalesce(json_agg(json_build_object('period', x.period, 'paid', x.paid::text)), '[]')
     from (select o.period, sum(o.amount) as paid from payment_orders o
            where o.beneficiary_id = b.id and o.kind = 'rent' and o.status <> 'rejected' group by o.period) x) as rent_paid,
  (select coalesce(json_agg(json_build_object('address', a.address, 'balance', a.balance::text)), '[]')
     from ledger_accounts a where a.beneficiary_id = b.id) as balances,
  (select coalesce(json_agg(json_build_object('id', c.id, 'category', c.category, 'priority', c.priority, 'amount', c.amount::text,
      'frequency', c.frequency, 'months', c.months, 'startDate', c.start_date, 'endDate', c.end_date, 'dueDay', c.due_day,
      'creditorName', c.creditor_name, 'creditorIban', c.creditor_iban)), '[]') from charges c where c.beneficiary_id = b.id) as charges
from beneficiaries b where b.id = any($1::uuid[]) order by b.id`;

/**
 * `$1`: the beneficiaries' ids as a PostgreSQL array literal. Lock first, read after,
 * in two statements: a statement that waits for a lock still reads with the snapshot
 * it took before waiting, so a single locking read would allocate on balances that a
 * concurrent credit has since changed.
 */
export const CREDIT_STATE_SQL = { state: STATE_SELECT, lock: `select id from beneficiaries where id = any($1::uuid[]) order by id for update` } as const;

export const uuidArray = (ids: Iterable<string>): string => `{${[...new Set(ids)].join(",")}}`;

export function parseCreditStates(rows: readonly Record<string, unknown>[]): Map<string, CreditState> {
  const states = new Map<string, CreditState>();
  for (const row of rows) {
    const id = row.id as string;
    states.set(id, {
      beneficiaryId: id,
      measures: json(row.measures),
      amendments: json(row.amendments),
      leases: json(row.leases),
      terms: json<Record<string, string>[]>(row.terms).map((t) => ({
        leaseId: t.leaseId!,
        effectiveMonth: t.effectiveMonth!,
        rent: toBigInt(t.rent),
        charges: toBigInt(t.charges),
        housingBenefitToLandlord: toBigInt(t.housingBenefitToLandlord),
      })),
      rentPaid: json<{ period: string; paid: string }[]>(row.rent_paid).map((r) => ({ leaseId: null, period: r.period, paid: toBigInt(r.paid) })),
      balances: new Map(json<{ address: string; balance: string }[]>(row.balances).map((b) => [b.address, toBigInt(b.balance)])),
      charges: json<Record<string, unknown>[]>(row.charges).map((c) => ({ ...(c as never as CreditState["charges"][number]), amount: toBigInt(c.amount) })),
    });
  }
  return states;
}

export async function loadCreditStates(executor: Executor, beneficiaryIds: readonly string[], options: { lock: boolean } = { lock: true }): Promise<Map<string, CreditState>> {
  if (beneficiaryIds.length === 0) return new Map();
  if (options.lock) await runText(executor, CREDIT_STATE_SQL.lock, [uuidArray(beneficiaryIds)]);
  const rows = await runText<Record<string, unknown>>(executor, CREDIT_STATE_SQL.state, [uuidArray(beneficiaryIds)]);
  return parseCreditStates(rows);
}
