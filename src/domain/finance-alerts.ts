import { ALERT_TYPES } from "./unpaid-rent-alerts";

/**
 * Who an alert is for: the caseworker (about a beneficiary) or finance staff (about
 * money). A finance alert is one per event (`episode`: the order it is about), so
 * several may be open for one beneficiary at once.
 */
export const ALERT_AUDIENCES = ["caseworker", "finance"] as const;

/** Raised when the bank rejects a sent order or returns a settled one. */
const FINANCE_ALERT_TYPES = ["payment_rejected", "payment_returned"] as const;

/** Every alert type the `alerts` table holds. */
export const ALL_ALERT_TYPES = [...ALERT_TYPES, ...FINANCE_ALERT_TYPES] as const;
