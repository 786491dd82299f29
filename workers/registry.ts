import type { JobDefinition, JobName } from "../src/jobs/catalog";
import { alertDigest } from "./jobs/alert-digest";
import { bankReconciliation } from "./jobs/bank-reconciliation";
import { ledgerVerify } from "./jobs/ledger-verify";
import { chargePayments, rentPayments, reversements, unpaidRentCheck } from "./jobs/payment-jobs";
import { retention } from "./jobs/retention";

/** Every job, as data: name, schedule (cron, Europe/Paris), processor. */
export const JOBS: Readonly<Record<JobName, JobDefinition>> = {
  "rent-payments": rentPayments,
  "charge-payments": chargePayments,
  reversements,
  "unpaid-rent-check": unpaidRentCheck,
  "ledger-verify": ledgerVerify,
  retention,
  "alert-digest": alertDigest,
  "bank-reconciliation": bankReconciliation,
};
