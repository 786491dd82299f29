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

const REMITTANCE_MAX = 140;

const LABELS = {
  rent: "LOYER",
  charge: "CHARGE",
  reversement: "REVERSEMENT",
  one_off: "PAIEMENT",
  final: "SOLDE",
  forward: "REVERSEMENT",
  return_to_payer: "RESTITUTION",
} as const;

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
  const lastName = epcText(input.lastName, 70)?.toUpperCase();
  if (lastName) parts.push(lastName);
  const initial = epcText(input.firstName, 70)?.charAt(0).toUpperCase();
  if (initial) parts.push(initial);
  const detail = epcText(input.detail, REMITTANCE_MAX);
  if (detail) parts.push(detail);
  return epcText(parts.join(" "), REMITTANCE_MAX) ?? LABELS[input.kind];
}
