import type { JobContext, JobDefinition } from "../../src/jobs/catalog";
import { checkUnpaidRent } from "../../src/services/alerts/check-unpaid-rent";
import { runPayments } from "../../src/services/payments/run-payments";

const progress = (ctx: JobContext) => (done: number, total: number) => ctx.reportProgress({ done, total });

/** 06:00: landlords, from the rent envelope, oldest unpaid period first. */
export const rentPayments: JobDefinition = {
  name: "rent-payments",
  schedule: { pattern: "0 6 * * *" },
  run: async (ctx, { asOf }) => ({ ...(await runPayments({ db: ctx.db, kind: "rent", asOf, actor: ctx.actor, onProgress: progress(ctx) })) }),
};

/** 06:15: the budget plan's creditors, on their due dates. */
export const chargePayments: JobDefinition = {
  name: "charge-payments",
  schedule: { pattern: "15 6 * * *" },
  run: async (ctx, { asOf }) => ({ ...(await runPayments({ db: ctx.db, kind: "charge", asOf, actor: ctx.actor, onProgress: progress(ctx) })) }),
};

/** 07:00: the remainder to the beneficiary, when their plan says today is the day. */
export const reversements: JobDefinition = {
  name: "reversements",
  schedule: { pattern: "0 7 * * *" },
  run: async (ctx, { asOf }) => ({ ...(await runPayments({ db: ctx.db, kind: "reversement", asOf, actor: ctx.actor, onProgress: progress(ctx) })) }),
};

/** 08:00: impayés and MASP 3 triggers (L.271-5), after the morning's payments. */
export const unpaidRentCheck: JobDefinition = {
  name: "unpaid-rent-check",
  schedule: { pattern: "0 8 * * *" },
  run: async (ctx, { asOf }) => ({ ...(await checkUnpaidRent({ db: ctx.db, asOf, onProgress: progress(ctx) })) }),
};
