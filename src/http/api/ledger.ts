import { createRoute, z } from "@hono/zod-openapi";
import { centsToJson } from "../../domain/money";
import { trialBalance, verifyLedger } from "../../ledger";
import type { AppDeps } from "../deps";
import { allow } from "../middleware/auth";
import { createRouter } from "../router";
import { CalendarDate, errorResponses } from "../schemas";

const TrialBalance = z
  .object({
    totalDebits: z.number().int(),
    totalCredits: z.number().int(),
    balanced: z.boolean(),
    asOf: z.string().nullable(),
    lines: z.array(z.object({ pcgAccount: z.string(), debits: z.number().int(), credits: z.number().int() })),
  })
  .openapi("TrialBalance");

const trialBalanceRoute = createRoute({
  method: "get",
  path: "/v1/ledger/trial-balance",
  tags: ["Ledger"],
  summary: "Trial balance: total debits and credits, per PCG account",
  security: [{ Bearer: [] }],
  middleware: [allow("ledger.trialBalance")] as const,
  request: { query: z.object({ asOf: CalendarDate.optional() }) },
  responses: {
    200: { description: "Totals in cents; `balanced` is true when debits equal credits", content: { "application/json": { schema: TrialBalance } } },
    ...errorResponses,
  },
});

const VerifyReport = z
  .object({
    ok: z.boolean(),
    accountsChecked: z.number().int(),
    drift: z.array(z.object({ address: z.string(), cached: z.number().int(), recomputed: z.number().int() })),
    negative: z.array(z.string()),
    unbalancedTransactions: z.array(z.string()),
    totalDebits: z.number().int(),
    totalCredits: z.number().int(),
  })
  .openapi("LedgerVerifyReport");

const verifyRoute = createRoute({
  method: "get",
  path: "/v1/ledger/verify",
  tags: ["Ledger"],
  summary: "Recompute every cached balance from the postings and report any drift",
  security: [{ Bearer: [] }],
  middleware: [allow("ledger.verify")] as const,
  responses: {
    200: { description: "The audit report", content: { "application/json": { schema: VerifyReport } } },
    ...errorResponses,
  },
});

export function ledgerRoutes(deps: AppDeps) {
  return createRouter()
    .openapi(trialBalanceRoute, async (c) => {
      const { asOf } = c.req.valid("query");
      const tb = await trialBalance(deps.db, asOf);
      return c.json(
        {
          totalDebits: centsToJson(tb.totalDebits),
          totalCredits: centsToJson(tb.totalCredits),
          balanced: tb.balanced,
          asOf: asOf ?? null,
          lines: tb.lines.map((l) => ({ pcgAccount: l.pcgAccount, debits: centsToJson(l.debits), credits: centsToJson(l.credits) })),
        },
        200,
      );
    })
    .openapi(verifyRoute, async (c) => {
      const r = await verifyLedger(deps.db);
      return c.json(
        {
          ok: r.ok,
          accountsChecked: r.accountsChecked,
          drift: r.drift.map((d) => ({ address: d.address, cached: centsToJson(d.cached), recomputed: centsToJson(d.recomputed) })),
          negative: r.negative,
          unbalancedTransactions: r.unbalancedTransactions,
          totalDebits: centsToJson(r.totalDebits),
          totalCredits: centsToJson(r.totalCredits),
        },
        200,
      );
    });
}
