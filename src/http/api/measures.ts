import { createRoute, z } from "@hono/zod-openapi";
import { AmendMeasureInput, amendMeasure } from "../../services/measures/amend-measure";
import { CloseMeasureInput, closeMeasure } from "../../services/measures/close-measure";
import { EndMeasureInput, endMeasure } from "../../services/measures/end-measure";
import { getClosing } from "../../services/measures/get-closing";
import { getMeasure, listMeasures } from "../../services/measures/get-measures";
import { OpenMeasureInput, openMeasure } from "../../services/measures/open-measure";
import { PayHeldFundsInput } from "../../services/measures/pay-held-funds";
import { recordReview } from "../../services/measures/record-review";
import { RenewMeasureInput, ReviewInput, renewMeasure } from "../../services/measures/renew-measure";
import { SetBudgetRulesInput, setBudgetRules } from "../../services/measures/set-budget-rules";
import { submit } from "../../services/proposals/proposals";
import { serviceContext } from "../context";
import type { AppDeps } from "../deps";
import { allow } from "../middleware/auth";
import { createRouter } from "../router";
import { conflict, errorResponses, jsonBody, jsonResponse, malformed, notFound } from "../schemas";
import { ANSWERS, accepted } from "./four-eyes";
import { PaymentOrderSchema } from "./operations";
import { IdParam, MeasureSchema } from "./views";

const tags = ["Mesures"];
const security = [{ Bearer: [] }];

const open = createRoute({
  method: "post",
  path: "/v1/beneficiaries/{id}/measures",
  tags,
  security,
  summary: "Open a MASP contract (6 to 24 months, 48 months in all, one at a time)",
  description:
    "MASP1 manages no prestation; MASP2 manages prestations of the D.271-2 catalogue (items 18-29 only with `extension: true` and an `extensionReason`). Opening a MASP2 creates the beneficiary's ledger envelopes.",
  middleware: [allow("beneficiary.write")] as const,
  request: { params: IdParam, ...jsonBody(OpenMeasureInput) },
  responses: { 201: jsonResponse(MeasureSchema, "Opened"), ...notFound, ...conflict, ...malformed, ...errorResponses },
});

const list = createRoute({
  method: "get",
  path: "/v1/beneficiaries/{id}/measures",
  tags,
  security,
  summary: "A beneficiary's measures, oldest first, and the 4-year limit",
  request: { params: IdParam },
  responses: {
    200: jsonResponse(
      z.object({
        items: z.array(MeasureSchema),
        fourYearLimit: z
          .object({ firstStart: z.string(), limitDate: z.string(), usedDays: z.number(), limitDays: z.number(), daysLeft: z.number() })
          .nullable(),
      }),
      "Measures",
    ),
    ...notFound,
    ...errorResponses,
  },
});

const get = createRoute({
  method: "get",
  path: "/v1/measures/{id}",
  tags,
  security,
  summary: "A measure with its amendments, reviews and status history",
  request: { params: IdParam },
  responses: { 200: jsonResponse(MeasureSchema, "The measure"), ...notFound, ...errorResponses },
});

const review = createRoute({
  method: "post",
  path: "/v1/measures/{id}/reviews",
  tags,
  security,
  summary: "Record a review (bilan)",
  middleware: [allow("beneficiary.write")] as const,
  request: { params: IdParam, ...jsonBody(ReviewInput) },
  responses: { 201: jsonResponse(z.record(z.string(), z.unknown()), "Recorded"), ...notFound, ...conflict, ...malformed, ...errorResponses },
});

const renew = createRoute({
  method: "post",
  path: "/v1/measures/{id}/renewals",
  tags,
  security,
  summary: "Renew (up to the end date; after it 409): a new period from the day after the end, after a review with outcome `renew`; `level` may change",
  middleware: [allow("beneficiary.write")] as const,
  request: { params: IdParam, ...jsonBody(RenewMeasureInput) },
  responses: { 201: jsonResponse(MeasureSchema, "The new period"), ...notFound, ...conflict, ...malformed, ...errorResponses },
});

const amend = createRoute({
  method: "post",
  path: "/v1/measures/{id}/amendments",
  tags,
  security,
  summary: "Amend (avenant): change the managed prestations, the end date (6–24 months, 4 years per measure and its renewals) or the budget plan",
  middleware: [allow("beneficiary.write")] as const,
  request: { params: IdParam, ...jsonBody(AmendMeasureInput) },
  responses: { 201: jsonResponse(MeasureSchema, "The measure with the amendment"), ...notFound, ...conflict, ...malformed, ...errorResponses },
});

const end = createRoute({
  method: "post",
  path: "/v1/measures/{id}/end",
  tags,
  security,
  summary: "End the measure with a reason; allocation and scheduled payments stop after the end date",
  middleware: [allow("beneficiary.write")] as const,
  request: { params: IdParam, ...jsonBody(EndMeasureInput) },
  responses: { 200: jsonResponse(MeasureSchema, "Ended"), ...notFound, ...conflict, ...malformed, ...errorResponses },
});

const ClosingSchema = z
  .object({
    measureId: z.uuid(),
    cancelledOrders: z.number().int(),
    finalOrders: z.array(z.object({ id: z.uuid(), amount: z.number().int(), method: z.enum(["transfer", "cash", "cheque"]) })),
    held: z.number().int().openapi({ description: "Cents left in the envelopes (held, or a deceased person's estate)" }),
    payerNotices: z.array(z.object({ payer: z.string(), url: z.string() })),
    statementUrl: z.string(),
  })
  .openapi("MeasureClosing");

const close = createRoute({
  method: "post",
  path: "/v1/measures/{id}/closing",
  tags,
  security,
  summary: "Close an ended measure's accounts: pending orders cancelled or kept, the envelopes paid back (or held), payers' notices, final statement",
  description:
    "One transaction. `finalPayment` `hold` keeps the money in the envelopes; a deceased person's funds are always held for the estate (other choices: 422). Closing twice, or a measure that has not ended: 409.",
  middleware: [allow("measure.close")] as const,
  request: { params: IdParam, ...jsonBody(CloseMeasureInput) },
  responses: { 200: jsonResponse(ClosingSchema, "Closed"), ...notFound, ...conflict, ...malformed, ...errorResponses },
});

const closing = createRoute({
  method: "get",
  path: "/v1/measures/{id}/closing",
  tags,
  security,
  summary: "The closing of a measure's accounts, with its final statement (404 before the closing)",
  request: { params: IdParam },
  responses: {
    200: jsonResponse(
      ClosingSchema.extend({
        closedOn: z.string(),
        pendingOrders: z.enum(["cancel", "keep"]),
        finalPayment: z.enum(["transfer", "cash", "cheque", "hold"]),
        statement: z.record(z.string(), z.unknown()),
      }),
      "The closing",
    ),
    ...notFound,
    ...errorResponses,
  },
});

const payHeld = createRoute({
  method: "post",
  path: "/v1/measures/{id}/final-payments",
  tags,
  security,
  summary:
    "Pay what a closed measure still holds: to the person, or a deceased person's estate to the notary or heirs (name and IBAN; an IBAN not yet approved for the person waits for a second person: 202)",
  middleware: [allow("measure.close")] as const,
  request: { params: IdParam, ...jsonBody(PayHeldFundsInput) },
  responses: { 201: jsonResponse(PaymentOrderSchema, "The final order"), ...accepted, ...notFound, ...conflict, ...malformed, ...errorResponses },
});

const budgetRules = createRoute({
  method: "put",
  path: "/v1/measures/{id}/budget-rules",
  tags,
  security,
  summary: "Set a measure's reste à vivre a month (`livingMonthly`, cents) and whether reversements go on while this month's rent is short",
  middleware: [allow("beneficiary.write")] as const,
  request: { params: IdParam, ...jsonBody(SetBudgetRulesInput) },
  responses: { 200: jsonResponse(MeasureSchema, "The measure"), ...notFound, ...conflict, ...malformed, ...errorResponses },
});

export function measureRoutes(deps: AppDeps) {
  return createRouter()
    .openapi(open, async (c) => {
      const ctx = serviceContext(c, deps);
      const measure = await openMeasure({ ctx, beneficiaryId: c.req.valid("param").id, data: c.req.valid("json") });
      return c.json(await getMeasure({ ctx, measureId: measure.id }), 201);
    })
    .openapi(list, async (c) => c.json(await listMeasures({ ctx: serviceContext(c, deps), beneficiaryId: c.req.valid("param").id }), 200))
    .openapi(get, async (c) => c.json(await getMeasure({ ctx: serviceContext(c, deps), measureId: c.req.valid("param").id }), 200))
    .openapi(review, async (c) => {
      const row = await recordReview({ ctx: serviceContext(c, deps), measureId: c.req.valid("param").id, data: c.req.valid("json") });
      return c.json({ id: row.id, measureId: row.measureId, date: row.reviewDate, author: row.author, outcome: row.outcome, comment: row.comment }, 201);
    })
    .openapi(renew, async (c) => {
      const ctx = serviceContext(c, deps);
      const renewed = await renewMeasure({ ctx, measureId: c.req.valid("param").id, data: c.req.valid("json") });
      return c.json(await getMeasure({ ctx, measureId: renewed.id }), 201);
    })
    .openapi(amend, async (c) => {
      const ctx = serviceContext(c, deps);
      const { id } = c.req.valid("param");
      await amendMeasure({ ctx, measureId: id, data: c.req.valid("json") });
      return c.json(await getMeasure({ ctx, measureId: id }), 201);
    })
    .openapi(end, async (c) => {
      const ctx = serviceContext(c, deps);
      const { id } = c.req.valid("param");
      await endMeasure({ ctx, measureId: id, data: c.req.valid("json") });
      return c.json(await getMeasure({ ctx, measureId: id }), 200);
    })
    .openapi(close, async (c) =>
      c.json(await closeMeasure({ ctx: serviceContext(c, deps), measureId: c.req.valid("param").id, data: c.req.valid("json") }), 200),
    )
    .openapi(closing, async (c) => c.json(await getClosing({ ctx: serviceContext(c, deps), measureId: c.req.valid("param").id }), 200))
    .openapi(payHeld, async (c) => {
      const payload = { measureId: c.req.valid("param").id, data: c.req.valid("json") };
      const outcome = await submit({ ctx: serviceContext(c, deps), kind: "measure.pay_held_funds", payload });
      if ("proposal" in outcome) return c.json(outcome.proposal, 202);
      const { status, body } = ANSWERS["measure.pay_held_funds"](outcome.applied);
      return c.json(body, status);
    })
    .openapi(budgetRules, async (c) => {
      const ctx = serviceContext(c, deps);
      const { id } = c.req.valid("param");
      await setBudgetRules({ ctx, measureId: id, data: c.req.valid("json") });
      return c.json(await getMeasure({ ctx, measureId: id }), 200);
    });
}
