import type { JobDefinition } from "../../src/jobs/catalog";
import { composeDigests } from "../../src/services/notifications/digest";

/** 08:30, after the 08:00 unpaid-rent check: one mail per person grouping the alerts they take as a digest (sent by the notifications queue). */
export const alertDigest: JobDefinition = {
  name: "alert-digest",
  schedule: { pattern: "30 8 * * *" },
  run: async (ctx, { asOf }) => ({ ...(await composeDigests(ctx.db, asOf)) }),
};
