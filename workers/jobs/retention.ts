import type { JobDefinition } from "../../src/jobs/catalog";
import { purgeExpiredTraces } from "../../src/services/audit/retention";

/** Nightly: access traces past a year and job runs past six months go; the business audit stays. */
export const retention: JobDefinition = {
  name: "retention",
  schedule: { pattern: "15 2 * * *" },
  async run({ db }, { asOf }) {
    return purgeExpiredTraces(db, asOf);
  },
};
