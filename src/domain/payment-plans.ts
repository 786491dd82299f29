import type { JobFacts } from "./beneficiary-facts";
import { daysInMonth, monthOf } from "./calendar";
import { chargePeriods } from "./charge-arrears";
import { chargeInForce } from "./charge-schedule";
import type { EnvelopeRef } from "./envelopes";
import { allPeriodsOf, chainStart, leaseOn, payableMasp2 } from "./in-force";

/**
 * Money out: to the landlord, to a creditor of the budget plan, to the beneficiary
 * (reversement); a one-off payment (an invoice, an advance); the final payment when a
 * measure closes; money that is not a managed prestation sent on to the person (forward);
 * a payment sent back to its payer (return_to_payer).
 */
export const PAYMENT_KINDS = ["rent", "charge", "reversement", "one_off", "final", "forward", "return_to_payer"] as const;
type PaymentKind = (typeof PAYMENT_KINDS)[number];

/** How an order reaches its creditor: only transfers go into SEPA files. */
export const PAYMENT_METHODS = ["transfer", "cash", "cheque"] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/**
 * The life of an order (src/domain/payment-order-life.ts): `pending` → `batched` (in a
 * batch not yet sent) → `sent` (the file went to the bank) → `settled` (the money left);
 * `rejected` (refused before it left), `returned` (came back), `cancelled`.
 */
export const PAYMENT_STATUSES = ["pending", "batched", "sent", "settled", "rejected", "returned", "cancelled"] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const REVERSEMENT_FREQUENCIES = ["weekly", "monthly"] as const;
export const REVERSEMENT_MODES = ["all_available", "fixed"] as const;

/** How the remainder is paid back to the beneficiary. */
export interface ReversementPlan {
  frequency: (typeof REVERSEMENT_FREQUENCIES)[number];
  /** ISO weekday, 1 = Monday … 7 = Sunday (weekly). */
  weekday: number | null;
  /** Day of the month, 1-31 (monthly). */
  day: number | null;
  mode: (typeof REVERSEMENT_MODES)[number];
  /** The fixed amount; null when all that is available is paid. */
  amount: bigint | null;
  /** Kept back in the available envelope. */
  buffer: bigint;
  /** A transfer needs the person's IBAN; cash and cheque are handed over (not in SEPA files). */
  method: PaymentMethod;
}

/** Without a plan of their own: monthly on the 10th, all that is available. */
export const DEFAULT_REVERSEMENT_PLAN = {
  frequency: "monthly",
  weekday: null,
  day: 10,
  mode: "all_available",
  amount: null,
  buffer: 0n,
  method: "transfer",
} as const satisfies ReversementPlan;

/** One payment order to write: the order, its creditor, and the envelope it is paid from. */
export interface PaymentItem {
  naturalKey: string;
  beneficiaryId: string;
  measureId: string;
  kind: PaymentKind;
  period: string | null;
  /** The lease a rent order pays (rule 2: arrears are paid to the landlord they are owed to). */
  leaseId?: string | null;
  chargeId: string | null;
  businessDate: string;
  amount: bigint;
  creditorName: string;
  /** Null for cash and cheque. */
  creditorIban: string | null;
  /** Default: transfer. */
  method?: PaymentMethod;
  envelope: EnvelopeRef;
  description: string;
}

const smaller = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/** What the rent planner reads of a beneficiary (the rent job reads no more: src/services/credits/credit-state.ts). */
export type RentFacts = Pick<JobFacts, "beneficiaryId" | "measures" | "leases" | "terms" | "rentPaid" | "rentEntries" | "arrearsPaid" | "held">;
/** What the reversement planner reads of a beneficiary (the reversement job reads no more). */
export type ReversementFacts = Pick<
  JobFacts,
  // Rule 7 reads this month's rent period: the lease facts the rent planner reads too.
  "beneficiaryId" | "measures" | "plan" | "held" | "beneficiary" | "leases" | "terms" | "rentPaid" | "rentEntries"
>;

/**
 * The order rent is paid in (rule 4): the current period of the lease in force (L.271-2
 * al. 2 speaks of the rent *en cours*: keeping up with it protects the tenancy and the
 * housing aid), then the arrears oldest first, each lease's to its own landlord (rule 2).
 * The current period is this month's, once its due date has come.
 */
export function rentPaymentOrder<P extends { period: string; dueDate: string; due: bigint; paid: bigint; lease: { id: string } }>(
  periods: readonly P[],
  currentLeaseId: string | undefined,
  asOf: string,
): P[] {
  const due = periods.filter((p) => p.dueDate <= asOf && p.paid < p.due);
  const month = monthOf(asOf);
  const current = due.filter((p) => p.period === month && p.lease.id === currentLeaseId);
  return [...current, ...due.filter((p) => !current.includes(p))];
}

/**
 * Rent on `asOf` (L.271-2 al. 2): what the rent envelope holds goes to the periods due
 * by then and not fully paid, in `rentPaymentOrder`, each up to what is still due; one
 * order per lease and period, to that lease's landlord. A plan d'apurement on a lease
 * caps what its arrears (periods before this month) take in the month.
 */
export function planRentPayments(facts: RentFacts, asOf: string): PaymentItem[] {
  const measure = payableMasp2(facts.measures, asOf);
  if (!measure || facts.leases.length === 0) return [];
  const envelope = { envelope: "rent" } as const;
  let available = facts.held(envelope);
  const month = monthOf(asOf);
  const planLeft = new Map<string, bigint>();
  for (const l of facts.leases) {
    if (l.arrearsPlanMonthly == null) continue;
    const spent = (facts.arrearsPaid ?? []).filter((a) => a.leaseId === l.id && a.month === month).reduce((s, a) => s + a.paid, 0n);
    planLeft.set(l.id, l.arrearsPlanMonthly - spent);
  }
  const items: PaymentItem[] = [];
  for (const p of rentPaymentOrder(allPeriodsOf(facts, measure, month, asOf), leaseOn(facts.leases, asOf)?.id, asOf)) {
    if (available <= 0n) break;
    const arrears = p.period < month;
    const cap = arrears ? planLeft.get(p.lease.id) : undefined;
    let amount = smaller(p.due - p.paid, available);
    if (cap !== undefined) amount = smaller(amount, cap);
    if (amount <= 0n) continue;
    available -= amount;
    if (cap !== undefined) planLeft.set(p.lease.id, cap - amount);
    items.push({
      naturalKey: `rent:${facts.beneficiaryId}:${p.period}:${asOf}:${p.lease.id}`,
      beneficiaryId: facts.beneficiaryId,
      measureId: measure.id,
      kind: "rent",
      period: p.period,
      leaseId: p.lease.id,
      chargeId: null,
      businessDate: asOf,
      amount,
      creditorName: p.lease.landlordName,
      creditorIban: p.lease.landlordIban,
      envelope,
      description: `Loyer ${p.period}`,
    });
  }
  return items;
}

/**
 * Charges by priority, each from its envelope: its arrears oldest first (rule 8: an
 * unpaid amount stays owed), then this month's amount once its due day is reached. A
 * care charge the care prestations could not fill in advance is paid from the care
 * envelope (R.271-4: care money pays care). One order per charge, period and source.
 */
export function planChargePayments(facts: JobFacts, asOf: string): PaymentItem[] {
  const measure = payableMasp2(facts.measures, asOf);
  if (!measure) return [];
  const month = monthOf(asOf);
  const from = chainStart(facts.measures, measure);
  const items: PaymentItem[] = [];
  let care = facts.held({ envelope: "care" });
  for (const c of [...facts.charges].sort((a, b) => a.priority - b.priority)) {
    if (!chargeInForce(c, asOf)) continue;
    const envelope = { envelope: "charge", chargeId: c.id } as const;
    let held = facts.held(envelope);
    const due = chargePeriods(c, facts.chargePaid, from, month).filter((p) => p.dueDate <= asOf && p.paid < p.due);
    for (const p of due) {
      const lacking = p.due - p.paid;
      const own = smaller(lacking, held);
      held -= own;
      const fromCare = c.category === "care" ? smaller(lacking - own, care) : 0n;
      care -= fromCare;
      const item = (amount: bigint, source: EnvelopeRef, suffix: string): PaymentItem => ({
        naturalKey: `charge:${c.id}:${p.period}:${asOf}${suffix}`,
        beneficiaryId: facts.beneficiaryId,
        measureId: measure.id,
        kind: "charge",
        period: p.period,
        chargeId: c.id,
        businessDate: asOf,
        amount,
        creditorName: c.creditorName,
        creditorIban: c.creditorIban,
        envelope: source,
        description: `Charge ${p.period}`,
      });
      if (own > 0n) items.push(item(own, envelope, ""));
      if (fromCare > 0n) items.push(item(fromCare, { envelope: "care" }, ":care"));
    }
  }
  return items;
}

/** ISO weekday of a date, 1 = Monday … 7 = Sunday. */
export const isoWeekday = (date: string): number => ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;

/** Whether the plan pays on `asOf`: its weekday, or its day (a shorter month pays on its last day). */
export function reversementDue(plan: Pick<ReversementPlan, "frequency" | "weekday" | "day"> | null, asOf: string): boolean {
  const p = plan ?? DEFAULT_REVERSEMENT_PLAN;
  if (p.frequency === "weekly") return isoWeekday(asOf) === p.weekday;
  const [y, m, d] = asOf.split("-").map(Number) as [number, number, number];
  return d === Math.min(p.day ?? DEFAULT_REVERSEMENT_PLAN.day, daysInMonth(y, m));
}

/** `no_iban`: a transfer without the person's IBAN; `rent_short`: this month's rent is not covered (rule 7). */
export type ReversementSkip = "no_iban" | "rent_short" | null;

/**
 * What this month's rent still lacks once the rent envelope has paid what it can (rule
 * 7): the period of this month on the lease in force, due or not yet, less what was
 * paid on it and what the rent envelope holds. 0 when covered, or without a lease.
 */
export function currentRentShortfall(facts: ReversementFacts, asOf: string): bigint {
  const measure = payableMasp2(facts.measures, asOf);
  const lease = leaseOn(facts.leases, asOf);
  if (!measure || !lease) return 0n;
  const month = monthOf(asOf);
  const current = allPeriodsOf(facts, measure, month, asOf).find((p) => p.period === month && p.lease.id === lease.id);
  if (!current) return 0n;
  const short = current.due - current.paid - facts.held({ envelope: "rent" });
  return short > 0n ? short : 0n;
}

/**
 * Paid back to the beneficiary on their plan's day: the reste à vivre set aside
 * (`living`, rule 6), all of it; and the remainder (`available`), per their plan, keeping
 * the plan's buffer back, but only while this month's rent is covered (rule 7), unless
 * the measure opted out (`reversementWhileRentShort`).
 */
export function planReversement(
  facts: ReversementFacts,
  asOf: string,
): { item: PaymentItem | null; living: PaymentItem | null; skipped: ReversementSkip; shortfall?: bigint } {
  const none = { item: null, living: null, skipped: null } as const;
  const measure = payableMasp2(facts.measures, asOf);
  if (!measure || !reversementDue(facts.plan, asOf)) return none;
  const envelope = { envelope: "available" } as const;
  const plan = facts.plan ?? DEFAULT_REVERSEMENT_PLAN;
  const spendable = facts.held(envelope) - plan.buffer;
  let amount = plan.mode === "fixed" && plan.amount !== null ? smaller(plan.amount, spendable) : spendable;
  const livingAmount = facts.held({ envelope: "living" });
  if (amount <= 0n && livingAmount <= 0n) return none;
  const method = plan.method ?? "transfer";
  // Without an IBAN only a transfer is impossible: cash and cheques are handed over.
  if (method === "transfer" && !facts.beneficiary.iban) return { ...none, skipped: "no_iban" };
  const shortfall = amount > 0n && !measure.reversementWhileRentShort ? currentRentShortfall(facts, asOf) : 0n;
  if (shortfall > 0n) amount = 0n;
  const order = (value: bigint, source: EnvelopeRef, key: string, description: string): PaymentItem => ({
    naturalKey: key,
    beneficiaryId: facts.beneficiaryId,
    measureId: measure.id,
    kind: "reversement",
    period: null,
    chargeId: null,
    businessDate: asOf,
    amount: value,
    creditorName: `${facts.beneficiary.firstName} ${facts.beneficiary.lastName}`,
    creditorIban: method === "transfer" ? facts.beneficiary.iban : null,
    method,
    envelope: source,
    description,
  });
  return {
    skipped: shortfall > 0n ? "rent_short" : null,
    ...(shortfall > 0n ? { shortfall } : {}),
    item: amount > 0n ? order(amount, envelope, `reversement:${facts.beneficiaryId}:${asOf}`, `Reversement ${asOf}`) : null,
    living:
      livingAmount > 0n ? order(livingAmount, { envelope: "living" }, `reversement:living:${facts.beneficiaryId}:${asOf}`, `Reste à vivre ${asOf}`) : null,
  };
}
