import type { PAYMENT_KINDS } from "../../domain/payment-plans";
import { epcText } from "./epc-text";

/**
 * An order's EndToEndId: its UUID without hyphens (32 characters, ≤ 35), unique because
 * the id is, and the bank returns it on statements and rejections so it finds the order again.
 */
export function endToEndIdFor(orderId: string): string {
  const compact = orderId.replace(/-/g, "").toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(compact)) throw new RangeError("an order id is a UUID");
  return compact;
}

/** The order id back from an EndToEndId written by endToEndIdFor(), or null. */
export function orderIdFromEndToEndId(endToEndId: string): string | null {
  const id = endToEndId.trim().toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(id)) return null;
  return `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`;
}

export const REMITTANCE_MAX = 140;
/** How much of a name a remittance text keeps before it is cut. */
export const REMITTANCE_NAME_MAX = 70;

/** What each kind of order is called on the creditor's statement (prepare-batches.ts hands it to SQL too). */
export const REMITTANCE_LABELS = {
  rent: "LOYER",
  charge: "CHARGE",
  reversement: "REVERSEMENT",
  // Every kind of order may be a transfer in a remise: without a label its line would have no text.
  one_off: "PAIEMENT",
  final: "SOLDE",
  forward: "REVERSEMENT",
  return_to_payer: "REMBOURSEMENT",
} as const satisfies Record<(typeof PAYMENT_KINDS)[number], string>;
const LABELS = REMITTANCE_LABELS;

/**
 * The text a landlord or creditor recognises on the statement: what is paid, for which
 * month, for whom ("LOYER 01/2026 DURAND M"): surname in full, first name's initial.
 */
export function remittanceFor(input: {
  kind: keyof typeof LABELS;
  /** `YYYY-MM` of the rent or charge; none for a reversement. */
  period?: string | null;
  lastName: string;
  firstName?: string | null;
  /** Appended, e.g. a charge's label or an invoice number. */
  detail?: string | null;
}): string {
  const parts: string[] = [LABELS[input.kind]];
  if (input.period) parts.push(`${input.period.slice(5, 7)}/${input.period.slice(0, 4)}`);
  const lastName = epcText(input.lastName, REMITTANCE_NAME_MAX)?.toUpperCase();
  if (lastName) parts.push(lastName);
  const initial = epcText(input.firstName, REMITTANCE_NAME_MAX)?.charAt(0).toUpperCase();
  if (initial) parts.push(initial);
  const detail = epcText(input.detail, REMITTANCE_MAX);
  if (detail) parts.push(detail);
  return epcText(parts.join(" "), REMITTANCE_MAX) ?? LABELS[input.kind];
}
