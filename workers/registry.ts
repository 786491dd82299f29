import type { JobDefinition, JobName } from "./job-types";
import { ledgerVerify } from "./jobs/ledger-verify";

/** Every job, as data: name, schedule, processor. */
export const JOBS: Readonly<Record<JobName, JobDefinition>> = {
  "ledger-verify": ledgerVerify,
};
