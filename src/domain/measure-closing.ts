import type { FieldIssue } from "./errors";

/**
 * Closing the accounts of an ended measure (docs/measure-life.md): what becomes of the
 * orders not yet handed to the bank, and how the envelopes are paid back to the person.
 */
export const PENDING_ORDER_CHOICES = ["cancel", "keep"] as const;
export const FINAL_PAYMENTS = ["transfer", "cash", "cheque", "hold"] as const;
export type FinalPayment = (typeof FINAL_PAYMENTS)[number];

/** Days before a period's end date the caseworker is reminded to renew or close. */
export const MEASURE_ENDING_NOTICE_DAYS = 45;

/**
 * What the closing's choice of final payment breaks: a deceased person's funds are held
 * for the estate (paid later to the notary or heirs), and a transfer needs an IBAN.
 */
export function finalPaymentProblems(endReason: string | null, finalPayment: FinalPayment, hasIban: boolean): FieldIssue[] {
  if (endReason === "deceased" && finalPayment !== "hold") {
    return [{ field: "finalPayment", message: "a deceased person's funds are held for the estate: choose `hold`", code: "estate_held" }];
  }
  if (finalPayment === "transfer" && !hasIban) {
    return [{ field: "finalPayment", message: "the person has no IBAN: pay by cash or cheque, or hold", code: "final_transfer_no_iban" }];
  }
  return [];
}

/** The account of the measure as it stood when closed, in cents (JSON strings: bigint has no JSON form). */
export interface FinalStatement {
  measureId: string;
  person: { firstName: string; lastName: string };
  from: string;
  to: string;
  endReason: string;
  closedOn: string;
  credits: { valueDate: string; payer: string; prestation: string; reference: string | null; amount: string }[];
  payments: { businessDate: string; kind: string; method: string; creditorName: string; period: string | null; status: string; amount: string }[];
  /** Envelopes before the final payment. */
  balances: { envelope: string; amount: string }[];
  totals: { credits: string; payments: string; finalPaid: string; held: string };
}

/** Envelope labels of the statement, in the person's French. */
export const ENVELOPE_FR: Readonly<Record<string, string>> = {
  rent: "Loyer",
  charge: "Charge",
  care: "Aide à domicile",
  available: "Disponible",
};
