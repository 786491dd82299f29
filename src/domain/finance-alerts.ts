import { ALERT_TYPES } from "./unpaid-rent-alerts";

/**
 * Who an alert is for: the caseworker (about a beneficiary) or finance staff (about
 * money). A finance alert is one per event (`episode`: the order it is about), so
 * several may be open for one beneficiary at once.
 */
export const ALERT_AUDIENCES = ["caseworker", "finance"] as const;

/**
 * About money, for finance staff: the bank rejected a sent order or returned a settled
 * one, a statement does not add up, the ledger and the bank disagree.
 */
const FINANCE_ALERT_TYPES = ["payment_rejected", "payment_returned", "statement_inconsistent", "bank_difference"] as const;

/**
 * About a beneficiary's situation, for the caseworker, raised by other rules than the
 * unpaid-rent check: a charge left unpaid, no prestation received yet, housing aid with
 * no lease to pay, a measure nearing its end.
 */
const CASEWORKER_ALERT_TYPES = ["charge_arrears", "no_credit_received", "housing_aid_without_lease", "measure_ending"] as const;

/** Every alert type the `alerts` table holds. */
export const ALL_ALERT_TYPES = [...ALERT_TYPES, ...CASEWORKER_ALERT_TYPES, ...FINANCE_ALERT_TYPES] as const;

export type AlertKind = (typeof ALL_ALERT_TYPES)[number];
