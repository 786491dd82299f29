import { createRoute, z } from "@hono/zod-openapi";
import { ALERT_AUDIENCES, ALL_ALERT_TYPES } from "../../domain/finance-alerts";
import { PAYMENT_KINDS, PAYMENT_METHODS, PAYMENT_STATUSES } from "../../domain/payment-plans";
import { JOB_NAMES } from "../../jobs/catalog";
import { alertEvidence } from "../../services/alerts/alert-evidence";
import { acknowledgeAlert, CloseAlertInput, closeAlert, ListAlertsInput, listAlerts } from "../../services/alerts/alerts";
import {
  getReversementPlan,
  ListPaymentOrdersInput,
  listPaymentOrders,
  ReversementPlanInput,
  setReversementPlan,
} from "../../services/payments/payment-orders";
import { serviceContext, toJson } from "../context";
import type { AppDeps } from "../deps";
import { errorResponse } from "../errors";
import { allow } from "../middleware/auth";
import { createRouter } from "../router";
import { CalendarDate, conflict, ErrorSchema, errorResponses, jsonBody, jsonResponse, malformed, notFound } from "../schemas";
import { evidenceHtml } from "../ui/pages/masp3-evidence";
import { IdParam, PostalAddressSchema } from "./views";

const security = [{ Bearer: [] }];

export const PaymentOrderSchema = z
  .object({
    id: z.uuid(),
    beneficiaryId: z.uuid(),
    kind: z.enum(PAYMENT_KINDS),
    method: z.enum(PAYMENT_METHODS),
    amount: z.number().int(),
    creditorName: z.string(),
    /** Null for cash and cheque. */
    creditorIban: z.string().nullable(),
    chequeNumber: z.string().nullable(),
    receiptNumber: z.string().nullable(),
    /** What a one-off payment is for (its remittance text); null for the jobs' orders. */
    reason: z.string().nullable(),
    period: z.string().nullable(),
    chargeId: z.uuid().nullable(),
    businessDate: z.string(),
    status: z.enum(PAYMENT_STATUSES),
    /** The account it leaves from, once batched or settled. */
    bankAccountId: z.uuid().nullable(),
    /** The date of the last change of status (bank date, or the date given). */
    statusDate: z.string().nullable(),
    reasonCode: z.string().nullable(),
    reasonLabel: z.string().nullable(),
    ledgerTransactionId: z.uuid(),
    createdAt: z.string(),
  })
  .openapi("PaymentOrder");

const AlertSchema = z
  .object({
    id: z.uuid(),
    type: z.enum(ALL_ALERT_TYPES),
    audience: z.enum(ALERT_AUDIENCES),
    beneficiaryId: z.uuid().nullable(),
    person: z.string().nullable().openapi({ description: "The person: first name and initial of the last name" }),
    measureId: z.uuid().nullable(),
    periods: z.array(z.string()),
    evidence: z.record(z.string(), z.unknown()),
    status: z.enum(["open", "acknowledged", "closed"]),
    createdAt: z.string(),
    updatedAt: z.string(),
    acknowledgedAt: z.string().nullable(),
    acknowledgedBy: z.string().nullable(),
    closedAt: z.string().nullable(),
    closedBy: z.string().nullable(),
    closeReason: z.string().nullable(),
    closeComment: z.string().nullable(),
  })
  .openapi("Alert");

const Cents = z.number().int();
const EvidenceSchema = z
  .object({
    alert: z.object({ id: z.uuid(), type: z.enum(ALL_ALERT_TYPES), status: z.string(), periods: z.array(z.string()), createdAt: z.string() }),
    asOf: z.string(),
    person: z.object({ firstName: z.string(), lastName: z.string(), birthDate: z.string(), address: PostalAddressSchema.nullable() }),
    measure: z.object({ id: z.uuid(), level: z.string(), startDate: z.string(), endDate: z.string(), extension: z.boolean() }),
    landlord: z
      .object({ leaseId: z.uuid(), name: z.string(), address: PostalAddressSchema.nullable(), startDate: z.string(), endDate: z.string().nullable() })
      .nullable()
      .openapi({ description: "The landlord of the lease of the alert's last period (a MASP 3 pays them)" }),
    landlords: z.array(
      z.object({ leaseId: z.uuid(), name: z.string(), address: PostalAddressSchema.nullable(), startDate: z.string(), endDate: z.string().nullable() }),
    ),
    payers: z.array(z.object({ code: z.string(), name: z.string(), address: PostalAddressSchema.nullable(), prestations: z.array(z.string()) })),
    prestations: z.array(
      z.object({
        code: z.string(),
        item: z.number().int().nullable(),
        label: z.string(),
        payer: z.string().nullable(),
        masp3: z.enum(["base", "extension"]).nullable(),
        payableToLandlord: z
          .boolean()
          .openapi({ description: "R.271-6: a MASP 3 could order it paid to the landlord (the extension's items only when the contract is extended)" }),
      }),
    ),
    periods: z.array(
      z.object({
        period: z.string(),
        dueDate: z.string(),
        leaseId: z.uuid(),
        landlordName: z.string(),
        due: Cents,
        paid: Cents,
        status: z.enum(["upcoming", "paid", "partial", "unpaid"]),
        received: Cents.openapi({ description: "Managed prestations received in that month (net, by value date)" }),
        receivedGross: Cents.openapi({ description: "The same before the payers' deductions for indus" }),
        inAlert: z.boolean(),
      }),
    ),
    credits: z.array(
      z.object({
        valueDate: z.string(),
        payer: z.string(),
        prestation: z.string(),
        reference: z.string().nullable(),
        gross: Cents,
        deduction: z.object({ amount: Cents, prestation: z.string(), reference: z.string().nullable() }).nullable(),
        amount: Cents,
        reversed: z.boolean(),
      }),
    ),
    rentEnvelope: z.object({
      balance: Cents,
      history: z.array(z.object({ date: z.string(), kind: z.string(), description: z.string(), amount: Cents, balance: Cents })),
    }),
    missing: z
      .array(z.string())
      .openapi({ description: "Parties whose full address a MASP 3 request needs and is not recorded: person, landlord:<name>, payer:<code>" }),
  })
  .openapi("Masp3Evidence");

const evidenceRoute = createRoute({
  method: "get",
  path: "/v1/alerts/{id}/evidence",
  tags: ["Alertes"],
  security,
  summary: "The evidence of a MASP 3 request (R.271-8) from an unpaid_rent or masp3_trigger alert; `?format=html`: a printable French page",
  description:
    "Whoever may see the alert (a caseworker: their caseload; 404 outside it). Another type of alert: 409 `no_evidence`. The read is traced in the access log.",
  request: { params: IdParam, query: z.object({ format: z.enum(["json", "html"]).optional() }) },
  responses: {
    200: {
      description: "The evidence, as JSON or (format=html) as a printable page",
      content: { "application/json": { schema: EvidenceSchema }, "text/html": { schema: z.string() } },
    },
    ...notFound,
    ...conflict,
    ...errorResponses,
  },
});

const PlanSchema = z
  .object({
    beneficiaryId: z.uuid(),
    frequency: z.enum(["weekly", "monthly"]),
    weekday: z.number().int().nullable(),
    day: z.number().int().nullable(),
    mode: z.enum(["all_available", "fixed"]),
    amount: z.number().int().nullable(),
    buffer: z.number().int(),
    method: z.enum(PAYMENT_METHODS),
    isDefault: z.boolean(),
  })
  .openapi("ReversementPlan");

const runJob = createRoute({
  method: "post",
  path: "/v1/jobs/{name}/runs",
  tags: ["Traitements"],
  security,
  summary: "Run a job for a business date through the job queue; answers when it finished",
  description: "Every job is idempotent for a given `asOf`: running it twice changes nothing the second time.",
  middleware: [allow("job.run")] as const,
  request: { params: z.object({ name: z.enum(JOB_NAMES) }), ...jsonBody(z.object({ asOf: CalendarDate })) },
  responses: {
    200: jsonResponse(z.object({ job: z.string(), asOf: z.string(), summary: z.record(z.string(), z.unknown()) }), "The job's summary"),
    ...notFound,
    ...malformed,
    ...errorResponses,
    503: jsonResponse(ErrorSchema, "This process runs no jobs"),
  },
});

const paymentOrdersRoute = createRoute({
  method: "get",
  path: "/v1/payment-orders",
  tags: ["Paiements"],
  security,
  summary: "Payment orders (rent, charges, reversements), newest business date first",
  request: { query: ListPaymentOrdersInput },
  responses: { 200: jsonResponse(z.object({ items: z.array(PaymentOrderSchema) }), "Orders"), ...errorResponses },
});

const alertsRoute = createRoute({
  method: "get",
  path: "/v1/alerts",
  tags: ["Alertes"],
  security,
  summary: "Alerts (MASP 3 triggers first); `status=active` for open and acknowledged",
  request: { query: ListAlertsInput },
  responses: { 200: jsonResponse(z.object({ items: z.array(AlertSchema) }), "Alerts"), ...errorResponses },
});

const ackRoute = createRoute({
  method: "post",
  path: "/v1/alerts/{id}/acknowledge",
  tags: ["Alertes"],
  security,
  summary: "Acknowledge an alert: a `caseworker` alert by caseworkers, a `finance` alert by finance staff (the other team: 403)",
  middleware: [allow("alert.handle")] as const,
  request: { params: IdParam },
  responses: { 200: jsonResponse(AlertSchema, "Acknowledged"), ...notFound, ...conflict, ...errorResponses },
});

const closeRoute = createRoute({
  method: "post",
  path: "/v1/alerts/{id}/close",
  tags: ["Alertes"],
  security,
  summary: "Close an alert with a comment: a `caseworker` alert by caseworkers, a `finance` alert by finance staff (the other team: 403)",
  middleware: [allow("alert.handle")] as const,
  request: { params: IdParam, ...jsonBody(CloseAlertInput) },
  responses: { 200: jsonResponse(AlertSchema, "Closed"), ...notFound, ...conflict, ...malformed, ...errorResponses },
});

const putPlan = createRoute({
  method: "put",
  path: "/v1/beneficiaries/{id}/reversement-plan",
  tags: ["Paiements"],
  security,
  summary: "Set the reversement plan (weekly on a weekday or monthly on a day; all available or fixed; buffer kept back)",
  middleware: [allow("beneficiary.write")] as const,
  request: { params: IdParam, ...jsonBody(ReversementPlanInput) },
  responses: { 200: jsonResponse(PlanSchema, "The plan"), ...notFound, ...malformed, ...errorResponses },
});

const getPlan = createRoute({
  method: "get",
  path: "/v1/beneficiaries/{id}/reversement-plan",
  tags: ["Paiements"],
  security,
  summary: "The reversement plan (default: monthly on the 10th, all available)",
  request: { params: IdParam },
  responses: { 200: jsonResponse(PlanSchema, "The plan"), ...notFound, ...errorResponses },
});

export function operationRoutes(deps: AppDeps) {
  return createRouter()
    .openapi(runJob, async (c) => {
      const { name } = c.req.valid("param");
      const { asOf } = c.req.valid("json");
      if (!deps.runJob) return errorResponse(c, 503, "jobs_unavailable", "this process runs no jobs");
      const summary = await deps.runJob(name, { asOf });
      return c.json({ job: name, asOf, summary }, 200);
    })
    .openapi(paymentOrdersRoute, async (c) =>
      c.json({ items: toJson(await listPaymentOrders({ ctx: serviceContext(c, deps), data: c.req.valid("query") })) }, 200),
    )
    .openapi(alertsRoute, async (c) => c.json({ items: await listAlerts({ ctx: serviceContext(c, deps), data: c.req.valid("query") }) }, 200))
    .openapi(evidenceRoute, async (c) => {
      const evidence = await alertEvidence({ ctx: serviceContext(c, deps), id: c.req.valid("param").id });
      if (c.req.valid("query").format === "html") return c.html(evidenceHtml(evidence), 200);
      return c.json(evidence, 200);
    })
    .openapi(ackRoute, async (c) => c.json(await acknowledgeAlert({ ctx: serviceContext(c, deps), id: c.req.valid("param").id }), 200))
    .openapi(closeRoute, async (c) => c.json(await closeAlert({ ctx: serviceContext(c, deps), id: c.req.valid("param").id, data: c.req.valid("json") }), 200))
    .openapi(putPlan, async (c) =>
      c.json(toJson(await setReversementPlan({ ctx: serviceContext(c, deps), beneficiaryId: c.req.valid("param").id, data: c.req.valid("json") })), 200),
    )
    .openapi(getPlan, async (c) => c.json(toJson(await getReversementPlan({ ctx: serviceContext(c, deps), beneficiaryId: c.req.valid("param").id })), 200));
}
