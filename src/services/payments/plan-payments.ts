import { daysInMonth, monthOf } from "../../domain/calendar";
import { dueDateOf } from "../../domain/rent-periods";
import { envelopeAccount } from "../../ledger/accounts";
import { chargeDueIn } from "../charges/charge-schedule";
import type { JobState } from "../credits/credit-state";
import { activeMasp2, leaseOn, periodsOf } from "../credits/plan-credit";

/** One payment order to write: the order, its creditor, and the envelope it is paid from. */
export interface PaymentItem {
  id?: string;
  naturalKey: string;
  beneficiaryId: string;
  measureId: string;
  kind: "rent" | "charge" | "reversement";
  period: string | null;
  chargeId: string | null;
  businessDate: string;
  amount: bigint;
  creditorName: string;
  creditorIban: string;
  envelope: string;
  description: string;
}

const balance = (s: JobState, address: string) => s.balances.get(address) ?? 0n;

/**
 * Rent on `asOf`: what the rent envelope holds goes to the periods due by then and not
 * fully paid, oldest first, each up to what is still due; one order per period.
 */
export function planRentPayments(state: JobState, asOf: string): PaymentItem[] {
  const measure = activeMasp2(state, asOf);
  const lease = leaseOn(state, asOf);
  if (!measure || !lease) return [];
  const envelope = envelopeAccount(state.beneficiaryId, "rent").address;
  let available = balance(state, envelope);
  const items: PaymentItem[] = [];
  for (const p of periodsOf(state, lease, measure, monthOf(asOf), asOf)) {
    if (available <= 0n) break;
    if (p.dueDate > asOf || p.paid >= p.due) continue;
    const amount = p.due - p.paid < available ? p.due - p.paid : available;
    available -= amount;
    items.push({
      naturalKey: `rent:${state.beneficiaryId}:${p.period}:${asOf}`,
      beneficiaryId: state.beneficiaryId,
      measureId: measure.id,
      kind: "rent",
      period: p.period,
      chargeId: null,
      businessDate: asOf,
      amount,
      creditorName: lease.landlordName,
      creditorIban: lease.landlordIban,
      envelope,
      description: `Loyer ${p.period}`,
    });
  }
  return items;
}

/** Charges falling due this month, by their due date, up to what their envelope holds. */
export function planChargePayments(state: JobState, asOf: string): PaymentItem[] {
  const measure = activeMasp2(state, asOf);
  if (!measure) return [];
  const month = monthOf(asOf);
  const items: PaymentItem[] = [];
  for (const c of [...state.charges].sort((a, b) => a.priority - b.priority)) {
    if (c.startDate > asOf || (c.endDate && c.endDate < asOf)) continue;
    if (!chargeDueIn(c, month) || dueDateOf(month, c.dueDay) > asOf) continue;
    const paid = state.chargePaid.filter((p) => p.chargeId === c.id && p.period === month).reduce((s, p) => s + p.paid, 0n);
    const envelope = envelopeAccount(state.beneficiaryId, "charge", c.id).address;
    const held = balance(state, envelope);
    const owed = c.amount - paid;
    const amount = owed < held ? owed : held;
    if (amount <= 0n) continue;
    items.push({
      naturalKey: `charge:${c.id}:${month}:${asOf}`,
      beneficiaryId: state.beneficiaryId,
      measureId: measure.id,
      kind: "charge",
      period: month,
      chargeId: c.id,
      businessDate: asOf,
      amount,
      creditorName: c.creditorName,
      creditorIban: c.creditorIban,
      envelope,
      description: `Charge ${month}`,
    });
  }
  return items;
}

/** ISO weekday of a date, 1 = Monday … 7 = Sunday. */
const isoWeekday = (date: string) => ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;

/** Whether the plan pays on `asOf`: its weekday, or its day (a shorter month pays on its last day). */
export function reversementDue(plan: JobState["plan"], asOf: string): boolean {
  const p = plan ?? { frequency: "monthly" as const, day: 10, weekday: null };
  if (p.frequency === "weekly") return isoWeekday(asOf) === p.weekday;
  const [y, m, d] = asOf.split("-").map(Number) as [number, number, number];
  return d === Math.min(p.day ?? 10, daysInMonth(y, m));
}

export type ReversementSkip = "no_iban" | null;

/** The remainder paid to the beneficiary, per their plan (default: monthly on the 10th, all available). */
export function planReversement(state: JobState, asOf: string): { item: PaymentItem | null; skipped: ReversementSkip } {
  const measure = activeMasp2(state, asOf);
  if (!measure || !reversementDue(state.plan, asOf)) return { item: null, skipped: null };
  const envelope = envelopeAccount(state.beneficiaryId, "available").address;
  const spendable = balance(state, envelope) - (state.plan?.buffer ?? 0n);
  const wanted = state.plan?.mode === "fixed" ? state.plan.amount! : spendable;
  const amount = wanted < spendable ? wanted : spendable;
  if (amount <= 0n) return { item: null, skipped: null };
  if (!state.beneficiary.iban) return { item: null, skipped: "no_iban" };
  return {
    skipped: null,
    item: {
      naturalKey: `reversement:${state.beneficiaryId}:${asOf}`,
      beneficiaryId: state.beneficiaryId,
      measureId: measure.id,
      kind: "reversement",
      period: null,
      chargeId: null,
      businessDate: asOf,
      amount,
      creditorName: `${state.beneficiary.firstName} ${state.beneficiary.lastName}`,
      creditorIban: state.beneficiary.iban,
      envelope,
      description: `Reversement ${asOf}`,
    },
  };
}
