import { createRoute, z } from "@hono/zod-openapi";
import { ChequeInput, HandoverInput, handOverCash, issueCheque } from "../../services/banking/cash-and-cheques";
import { OneOffPaymentInput } from "../../services/banking/pay-one-off";
import { listPayers, PayerCode, UpdatePayerInput, updatePayer } from "../../services/banking/payers";
import { CashWithdrawalInput, withdrawCash } from "../../services/banking/withdraw-cash";
import { IdempotencyKey } from "../../services/idempotency";
import { submit } from "../../services/proposals/proposals";
import { serviceContext, toJson } from "../context";
import type { AppDeps } from "../deps";
import { allow } from "../middleware/auth";
import { createRouter } from "../router";
import { conflict, errorResponses, jsonBody, jsonResponse, malformed, notFound } from "../schemas";
import { ANSWERS, accepted } from "./four-eyes";
import { PaymentOrderSchema } from "./operations";
import { IdParam, PostalAddressSchema } from "./views";

/**
 * Money out beyond the jobs' orders (issue 13): one-off payments, cheques and cash
 * handovers, the cash box's withdrawals, and the payers' records.
 */

const security = [{ Bearer: [] }];
const IdempotencyHeader = z.object({
  "idempotency-key": IdempotencyKey.meta({ description: "1-200 printable characters; the same key and body answer the same" }),
});

const oneOffPayment = createRoute({
  method: "post",
  path: "/v1/beneficiaries/{id}/payments",
  tags: ["Paiements"],
  security,
  summary: "A one-off payment from an envelope (an invoice, a regularisation, an advance, care): one order `one_off`",
  description:
    "Never more than the envelope holds (409 `insufficient_funds`, `details.held`). Without `creditor`, paid to the beneficiary (their IBAN for a transfer). Above `FOUR_EYES_THRESHOLD_CENTS`, or by transfer to an IBAN not already approved for the beneficiary, it waits for a second person (202). Idempotent under `Idempotency-Key`.",
  middleware: [allow("payment.execute")] as const,
  request: { params: IdParam, headers: IdempotencyHeader, ...jsonBody(OneOffPaymentInput) },
  responses: {
    201: jsonResponse(PaymentOrderSchema, "The order, pending (a replay answers the same)"),
    ...accepted,
    ...notFound,
    ...conflict,
    ...malformed,
    ...errorResponses,
  },
});

const orderStep = <S extends z.ZodType>(path: string, body: S, summary: string) =>
  createRoute({
    method: "post",
    path: `/v1/payment-orders/{id}/${path}`,
    tags: ["Paiements"],
    security,
    summary,
    middleware: [allow("payment.execute")] as const,
    request: { params: IdParam, ...jsonBody(body) },
    responses: { 200: jsonResponse(PaymentOrderSchema, "The order"), ...notFound, ...conflict, ...malformed, ...errorResponses },
  });

const cheque = orderStep(
  "cheque",
  ChequeInput,
  "A pending cheque order is written and handed over: `sent`, its number recorded (settled by `/settlement` when debited)",
);
const handover = orderStep("handover", HandoverInput, "A pending cash order is handed over against a receipt: `settled`, the money leaves the cash box");

const CashWithdrawalSchema = z
  .object({ transactionId: z.uuid(), bankAccountId: z.uuid(), cashBox: z.string(), amount: z.number().int(), date: z.string() })
  .openapi("CashWithdrawal");

const cashWithdrawal = createRoute({
  method: "post",
  path: "/v1/cash-withdrawals",
  tags: ["Paiements"],
  security,
  summary: "Cash drawn from a bank account into its cash box (`bank:<id>` → `cash:<id>`); idempotent under `Idempotency-Key`",
  middleware: [allow("payment.execute")] as const,
  request: { headers: IdempotencyHeader, ...jsonBody(CashWithdrawalInput) },
  responses: {
    201: jsonResponse(CashWithdrawalSchema, "Withdrawn (a replay answers the same)"),
    ...notFound,
    ...conflict,
    ...malformed,
    ...errorResponses,
  },
});

const PayerSchema = z
  .object({ code: z.string(), name: z.string(), iban: z.string().nullable(), address: PostalAddressSchema.nullable(), updatedAt: z.string() })
  .openapi("Payer");

const listPayersRoute = createRoute({
  method: "get",
  path: "/v1/payers",
  tags: ["Référentiel"],
  security,
  summary: "The payers (CAF, MSA, CARSAT...), seeded from the catalogue, with their name, IBAN and address",
  responses: { 200: jsonResponse(z.object({ items: z.array(PayerSchema) }), "Payers"), ...errorResponses },
});

const updatePayerRoute = createRoute({
  method: "put",
  path: "/v1/payers/{code}",
  tags: ["Référentiel"],
  security,
  summary: "Complete a payer: name, IBAN, address (the whole record; admin)",
  middleware: [allow("banking.manage")] as const,
  request: { params: z.object({ code: PayerCode }), ...jsonBody(UpdatePayerInput) },
  responses: { 200: jsonResponse(PayerSchema, "The payer"), ...notFound, ...malformed, ...errorResponses },
});

export function moneyOutRoutes(deps: AppDeps) {
  return createRouter()
    .openapi(oneOffPayment, async (c) => {
      const payload = { beneficiaryId: c.req.valid("param").id, idempotencyKey: c.req.valid("header")["idempotency-key"], data: c.req.valid("json") };
      const outcome = await submit({ ctx: serviceContext(c, deps), kind: "payment.one_off", payload });
      if ("proposal" in outcome) return c.json(outcome.proposal, 202);
      if (outcome.applied.replayed) c.header("Idempotent-Replayed", "true");
      const { status, body } = ANSWERS["payment.one_off"](outcome.applied);
      return c.json(body, status);
    })
    .openapi(cheque, async (c) =>
      c.json(toJson(await issueCheque({ ctx: serviceContext(c, deps), id: c.req.valid("param").id, data: c.req.valid("json") })), 200),
    )
    .openapi(handover, async (c) =>
      c.json(toJson(await handOverCash({ ctx: serviceContext(c, deps), id: c.req.valid("param").id, data: c.req.valid("json") })), 200),
    )
    .openapi(cashWithdrawal, async (c) => {
      const outcome = await withdrawCash({ ctx: serviceContext(c, deps), idempotencyKey: c.req.valid("header")["idempotency-key"], data: c.req.valid("json") });
      if (outcome.replayed) c.header("Idempotent-Replayed", "true");
      return c.json(outcome.body, 201);
    })
    .openapi(listPayersRoute, async (c) => c.json({ items: await listPayers({ ctx: serviceContext(c, deps) }) }, 200))
    .openapi(updatePayerRoute, async (c) =>
      c.json(await updatePayer({ ctx: serviceContext(c, deps), code: c.req.valid("param").code, data: c.req.valid("json") }), 200),
    );
}
