import type { PostalAddress } from "./postal-address";

/**
 * What R.271-8 CASF asks of the Département's request to the judge for a MASP 3
 * (L.271-5): the person and their domicile, the landlord, the payers, the prestations
 * managed and which of them the judge could order paid to the landlord (R.271-6), the
 * amounts due, paid and received, and the rent envelope's history. Pure rules here; the
 * service gathers the facts (services/alerts/alert-evidence.ts).
 */

/** The alert types a MASP 3 request is built from: unpaid rent, and the trigger itself. */
const EVIDENCE_ALERT_TYPES = ["masp3_trigger", "unpaid_rent"] as const;

export const hasEvidence = (type: string): boolean => (EVIDENCE_ALERT_TYPES as readonly string[]).includes(type);

/**
 * R.271-6: the base list may always be ordered paid to the landlord; the items of the
 * extension (the catalogue's `masp3: "extension"`) only when the contract was extended to
 * them (R.271-3); the care prestations (`null`) never.
 */
export function payableToLandlord(masp3: "base" | "extension" | null, extended: boolean): boolean {
  return masp3 === "base" || (masp3 === "extension" && extended);
}

export interface EnvelopeMovement {
  date: string;
  /** Signed cents: money in (a credit's allocation) positive, money out (a rent order, a recovery) negative. */
  amount: bigint;
}

/** The rent envelope's history with the balance after each movement, from zero, in the order given (the ledger's). */
export function withRunningBalance<M extends EnvelopeMovement>(movements: readonly M[]): (M & { balance: bigint })[] {
  let balance = 0n;
  return movements.map((m) => {
    balance += m.amount;
    return { ...m, balance };
  });
}

/** Per month (`YYYY-MM` of the value date), what the managed prestations brought: the net received and the gross before deductions. */
export function receivedByMonth(credits: readonly { valueDate: string; amount: bigint; gross: bigint }[]): Map<string, { net: bigint; gross: bigint }> {
  const out = new Map<string, { net: bigint; gross: bigint }>();
  for (const c of credits) {
    const month = c.valueDate.slice(0, 7);
    const m = out.get(month) ?? { net: 0n, gross: 0n };
    m.net += c.amount;
    m.gross += c.gross;
    out.set(month, m);
  }
  return out;
}

/** A full postal address, as the request names the person, the landlord and the payers: street, postal code, town. */
const isFullAddress = (a: PostalAddress | null | undefined): boolean => Boolean(a?.street && a.postalCode && a.town && a.country);

/**
 * What the request still lacks, so the caseworker completes it before sending: each
 * party whose full address is not recorded (`person`, `landlord:<name>`, `payer:<code>`).
 */
export function missingAddresses(parties: {
  person: PostalAddress | null | undefined;
  landlords: readonly { name: string; address: PostalAddress | null | undefined }[];
  payers: readonly { code: string; address: PostalAddress | null | undefined }[];
}): string[] {
  return [
    ...(isFullAddress(parties.person) ? [] : ["person"]),
    ...parties.landlords.filter((l) => !isFullAddress(l.address)).map((l) => `landlord:${l.name}`),
    ...parties.payers.filter((p) => !isFullAddress(p.address)).map((p) => `payer:${p.code}`),
  ];
}
