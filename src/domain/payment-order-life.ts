import type { PaymentStatus } from "./payment-plans";

/**
 * The transitions an order may take after it was written (the batch's own steps,
 * pending ⇄ batched → sent, are the batch's), where each moves its money, and from which
 * states. The ledger side of each: `in_transit` is `payments:in-transit`, `bank` the
 * account the order leaves from, `envelope` the envelope it was paid from.
 */
export const ORDER_TRANSITIONS = {
  /** The money left the bank. `outside`: paid by hand before go-live, so straight from pending. */
  settle: { to: "settled", from: ["sent"], debit: "in_transit", credit: "bank" },
  /** Refused by the bank before it left. */
  reject: { to: "rejected", from: ["sent"], debit: "in_transit", credit: "envelope" },
  /** Left, then came back. */
  return: { to: "returned", from: ["settled"], debit: "bank", credit: "envelope" },
  /** Never handed to the bank: the money goes back to the envelope. */
  cancel: { to: "cancelled", from: ["pending", "batched"], debit: "in_transit", credit: "envelope" },
} as const satisfies Record<string, { to: PaymentStatus; from: readonly PaymentStatus[]; debit: "in_transit" | "bank"; credit: "bank" | "envelope" }>;
export type OrderTransition = keyof typeof ORDER_TRANSITIONS;

/** Orders settled outside the software (go-live) were never batched nor sent. */
const OUTSIDE_SETTLEMENT_FROM: readonly PaymentStatus[] = ["pending"];

/** A rent or charge order counts as paid toward its period unless its money came back. */
export const UNPAID_STATUSES = ["rejected", "returned", "cancelled"] as const satisfies readonly PaymentStatus[];

export function allowedFrom(transition: OrderTransition, outside = false): readonly PaymentStatus[] {
  return outside && transition === "settle" ? OUTSIDE_SETTLEMENT_FROM : ORDER_TRANSITIONS[transition].from;
}
