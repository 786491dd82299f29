/**
 * Bank statements as the ledger reads them: what a line may become, whether a statement
 * adds up, and how identical lines of one day are told apart.
 */
export const STATEMENT_FORMATS = ["camt.053", "cfonb120"] as const;

/**
 * `new`: stored, not yet matched. `matched`: a credit posted (or a hand-typed one found),
 * a bank fee booked, or a suspense line decided. The order statuses: the line moved one of
 * our payment orders. `suspense`: waiting for finance staff (class 471).
 */
export const LINE_STATUSES = ["new", "matched", "suspense", "settled_order", "rejected_order", "returned_order"] as const;
export type LineStatus = (typeof LINE_STATUSES)[number];

/** Why a line waits in suspense (the UI shows the French label). */
export const SUSPENSE_REASONS = {
  payer_unknown: "Payeur non reconnu (salaire, ARE, virement privé…)",
  not_managed: "Ressource non gérée par la mesure (D.271-2)",
  beneficiary_number_missing: "Aucun numéro d'allocataire dans le libellé",
  beneficiary_not_found: "Numéro d'allocataire inconnu",
  prestation_unknown: "Prestation non reconnue",
  measure_ended: "Aucune MASP 2 en cours à cette date",
  order_not_found: "Ordre de paiement introuvable",
  unexplained_debit: "Débit non expliqué",
} as const;
export type SuspenseReason = keyof typeof SUSPENSE_REASONS;

export interface Consistency {
  /** closing − (opening + entries). */
  difference: bigint;
  /** opening − previous closing (0 without a previous statement). */
  openingGap: bigint;
  consistent: boolean;
}

/** Never silently fixed: a statement that does not add up is kept, and says by how much. */
export function checkConsistency(
  statement: { openingBalance: bigint; closingBalance: bigint; entries: readonly { amount: bigint }[] },
  previousClosing: bigint | null,
): Consistency {
  let sum = 0n;
  for (const e of statement.entries) sum += e.amount;
  const difference = statement.closingBalance - (statement.openingBalance + sum);
  const openingGap = previousClosing === null ? 0n : statement.openingBalance - previousClosing;
  return { difference, openingGap, consistent: difference === 0n && openingGap === 0n };
}

/**
 * The identity of a line without a bank reference: its fields, then its ordinal among
 * identical lines of that day, so two statements listing the same day agree on it.
 */
export function lineIdentities(entries: readonly LineFields[]): string[] {
  return entries.map(lineIdentifier());
}

export interface LineFields {
  bookingDate: string;
  amount: bigint;
  bankReference: string | null;
  label: string;
  counterparty: string | null;
}

/**
 * `lineIdentities` one line at a time, for a statement read as it streams: call it with
 * the statement's lines in order. It remembers only lines without a bank reference.
 */
export function lineIdentifier(): (e: LineFields) => string {
  const seen = new Map<string, number>();
  return (e) => {
    if (e.bankReference) return `ref\u0000${e.bookingDate}\u0000${e.bankReference}`;
    const fields = `fields\u0000${e.bookingDate}\u0000${e.amount}\u0000${e.label}\u0000${e.counterparty ?? ""}`;
    const ordinal = seen.get(fields) ?? 0;
    seen.set(fields, ordinal + 1);
    return `${fields}\u0000${ordinal}`;
  };
}

/** Bank fees and charges: the association's expense, never suspense. ISO family CHRG/FEES or a CFONB/label hint. */
export function isBankFee(entry: { amount: bigint; transactionCode: string | null; label: string }): boolean {
  if (entry.amount >= 0n) return false;
  if (entry.transactionCode && /(^|\/)(CHRG|FEES|COMM|INTR)(\/|$)/.test(entry.transactionCode)) return true;
  return /\b(FRAIS|COMMISSION|COTISATION|AGIOS)\b/i.test(entry.label);
}
