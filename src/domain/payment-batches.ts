/**
 * Remises (payment batches): the transfers of one bank account handed to the bank in one
 * pain.001 file. `prepared` → `sent` (the file went to the bank), or `dissolved` before
 * that (its orders go back to `pending`).
 */
export const BATCH_STATUSES = ["prepared", "sent", "dissolved"] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

/** The UI's French for a batch status. */
export const BATCH_STATUS_LABELS: Readonly<Record<BatchStatus, string>> = {
  prepared: "préparée",
  sent: "envoyée",
  dissolved: "dissoute",
};

/** A batch's `MsgId`: its UUID without hyphens, 32 characters (≤ 35), unique, finds the batch again. */
export const msgIdFor = (batchId: string): string => batchId.replaceAll("-", "");
