import { createRoute, z } from "@hono/zod-openapi";
import { getBalances, getRentPeriods, ListTransactionsInput, listTransactions, RentPeriodsInput } from "../../services/credits/read-accounts";
import { RecordCreditInput, recordCredit } from "../../services/credits/record-credit";
import { RecoverOverpaymentInput } from "../../services/credits/recover-overpayment";
import { ReverseTransactionInput } from "../../services/credits/reverse-transaction";
import { IdempotencyKey } from "../../services/idempotency";
import { submit } from "../../services/proposals/proposals";
import { serviceContext, toJson } from "../context";
import type { AppDeps } from "../deps";
import { allow } from "../middleware/auth";
import { createRouter } from "../router";
import { conflict, errorResponses, jsonBody, jsonResponse, malformed, notFound } from "../schemas";
import { ANSWERS, accepted } from "./four-eyes";
import { IdParam } from "./views";

const security = [{ Bearer: [] }];
const IdempotencyHeader = z.object({
  "idempotency-key": IdempotencyKey.meta({ description: "1-200 printable characters; the same key and body answer the same" }),
});

const Allocation = z.object({ envelope: z.enum(["rent", "charge", "care", "available", "living"]), chargeId: z.uuid().optional(), amount: z.number().int() });
const CreditSchema = z
  .object({
    transactionId: z.uuid(),
    beneficiaryId: z.uuid(),
    measureId: z.uuid(),
    payer: z.string(),
    prestation: z.string(),
    amount: z.number().int(),
    valueDate: z.string(),
    reference: z.string().nullable(),
    allocations: z.array(Allocation),
    gross: z.number().int().optional().openapi({ description: "Only when the payer kept a deduction: what the prestation was worth, amount + deduction" }),
    deduction: z
      .object({ amount: z.number().int(), prestation: z.string(), reference: z.string().nullable() })
      .optional()
      .openapi({ description: "What the payer kept back to recover an indu (a retenue); not a second movement" }),
    net: z.number().int().optional().openapi({ description: "Only with a deduction: what reached the bank, the same as `amount`" }),
  })
  .openapi("Credit");

const postCredit = createRoute({
  method: "post",
  path: "/v1/credits",
  tags: ["Versements"],
  security,
  summary: "Record a prestation credit; it is allocated rent first (L.271-2 al. 2 CASF)",
  description:
    "Rent envelope first (arrears, then the next period), housing aid (APL, ALS: R.271-4; ALF is not earmarked) wholly to the rent, care prestations (APA, ACTP, PCH, ARSM, PCH_ENFANT) to care charges, then the measure's reste à vivre (envelope `living`, up to its monthly amount once a month), then the other charges by priority (each one's arrears before its next amount), the rest available. 409 when no MASP2 measure is in force on `valueDate` (checked first); 422 for a prestation the measure does not manage or a resource that is not a social prestation. Idempotent under `Idempotency-Key`. A payment the payer made short to recover an indu carries `deduction` { amount, prestation, reference }: `amount` is then the net that reached the bank (the one inflow, allocated), and the answer adds `gross` and `net` (docs/overpayments.md).",
  middleware: [allow("credit.record")] as const,
  request: { headers: IdempotencyHeader, ...jsonBody(RecordCreditInput) },
  responses: {
    201: jsonResponse(CreditSchema, "Recorded and allocated (a replay answers the same)"),
    ...notFound,
    ...conflict,
    ...malformed,
    ...errorResponses,
  },
});

const balances = createRoute({
  method: "get",
  path: "/v1/beneficiaries/{id}/balances",
  tags: ["Comptes"],
  security,
  summary: "The beneficiary's envelopes (cents)",
  request: { params: IdParam },
  responses: {
    200: jsonResponse(
      z.object({
        beneficiaryId: z.uuid(),
        rent: z.number().int(),
        charges: z.number().int(),
        available: z.number().int(),
        care: z.number().int(),
        living: z.number().int().openapi({ description: "Reste à vivre set aside, not yet paid out (rule 6 of issue 15)" }),
        total: z.number().int(),
        byCharge: z.array(z.object({ chargeId: z.uuid(), balance: z.number().int() })),
      }),
      "Balances",
    ),
    ...notFound,
    ...errorResponses,
  },
});

const transactions = createRoute({
  method: "get",
  path: "/v1/beneficiaries/{id}/transactions",
  tags: ["Comptes"],
  security,
  summary: "The beneficiary's ledger transactions with their postings, newest first",
  request: { params: IdParam, query: ListTransactionsInput },
  responses: {
    200: jsonResponse(
      z.object({
        items: z.array(
          z.object({
            id: z.uuid(),
            kind: z.string(),
            valueDate: z.string(),
            description: z.string(),
            createdAt: z.string(),
            reversesId: z.uuid().nullable(),
            metadata: z.record(z.string(), z.unknown()),
            period: z.string().nullable().openapi({ description: "The month a rent or charge payment pays (YYYY-MM)" }),
            reference: z.string().nullable().openapi({ description: "A credit's reference, as recorded" }),
            reversedById: z.uuid().nullable().openapi({ description: "The transaction that reversed this one, if any" }),
            postings: z.array(z.object({ account: z.string(), direction: z.enum(["debit", "credit"]), amount: z.number().int() })),
          }),
        ),
        nextCursor: z.string().nullable(),
      }),
      "A page",
    ),
    ...notFound,
    ...errorResponses,
  },
});

const rentPeriods = createRoute({
  method: "get",
  path: "/v1/beneficiaries/{id}/rent-periods",
  tags: ["Comptes"],
  security,
  summary: "Rent periods since the MASP began, with what was due and paid, as of a date",
  request: { params: IdParam, query: RentPeriodsInput },
  responses: {
    200: jsonResponse(
      z.object({
        asOf: z.string(),
        items: z.array(
          z.object({
            period: z.string(),
            dueDate: z.string(),
            due: z.number().int(),
            paid: z.number().int(),
            status: z.enum(["upcoming", "paid", "partial", "unpaid"]),
            leaseId: z.uuid().openapi({ description: "The lease the period is owed on: after a move, the old lease's arrears stay its own" }),
            landlordName: z.string(),
          }),
        ),
      }),
      "Periods",
    ),
    ...notFound,
    ...errorResponses,
  },
});

const reversal = createRoute({
  method: "post",
  path: "/v1/transactions/{id}/reversal",
  tags: ["Versements"],
  security,
  summary: "Propose the reversal of a credit and its allocation (four eyes: 202, applied on approval; refused, 409, when the money was paid out)",
  middleware: [allow("credit.record")] as const,
  request: { params: IdParam, ...jsonBody(ReverseTransactionInput) },
  responses: {
    201: jsonResponse(z.object({ reversalId: z.uuid(), reversesId: z.uuid(), replayed: z.boolean() }), "Already reversed: the same reversal again"),
    ...accepted,
    ...notFound,
    ...conflict,
    ...malformed,
    ...errorResponses,
  },
});

const recovery = createRoute({
  method: "post",
  path: "/v1/beneficiaries/{id}/overpayment-recoveries",
  tags: ["Versements"],
  security,
  summary:
    "Propose paying an indu back to its payer by transfer (four eyes: 202, applied on approval): a `return_to_payer` order to the payer's IBAN, taken from available first, then the charges in reverse priority; the rent envelope only for an indu of housing aid, care only for one of care",
  middleware: [allow("credit.record")] as const,
  request: { params: IdParam, headers: IdempotencyHeader, ...jsonBody(RecoverOverpaymentInput) },
  responses: {
    201: jsonResponse(
      z.object({
        transactionId: z.uuid(),
        beneficiaryId: z.uuid(),
        amount: z.number().int(),
        takenFrom: z.array(z.object({ account: z.string(), amount: z.number().int() })),
        paymentOrderId: z.uuid().openapi({ description: "The `return_to_payer` transfer to the payer" }),
      }),
      "A replay of a recovery already applied under this key",
    ),
    ...accepted,
    ...notFound,
    ...conflict,
    ...malformed,
    ...errorResponses,
  },
});

export function creditRoutes(deps: AppDeps) {
  return createRouter()
    .openapi(postCredit, async (c) => {
      const outcome = await recordCredit({
        ctx: serviceContext(c, deps),
        idempotencyKey: c.req.valid("header")["idempotency-key"],
        data: c.req.valid("json"),
      });
      if (outcome.replayed) c.header("Idempotent-Replayed", "true");
      return c.json(outcome.body, 201);
    })
    .openapi(balances, async (c) => c.json(toJson(await getBalances({ ctx: serviceContext(c, deps), beneficiaryId: c.req.valid("param").id })), 200))
    .openapi(transactions, async (c) =>
      c.json(toJson(await listTransactions({ ctx: serviceContext(c, deps), beneficiaryId: c.req.valid("param").id, data: c.req.valid("query") })), 200),
    )
    .openapi(rentPeriods, async (c) =>
      c.json(toJson(await getRentPeriods({ ctx: serviceContext(c, deps), beneficiaryId: c.req.valid("param").id, asOf: c.req.valid("query").asOf })), 200),
    )
    .openapi(reversal, async (c) => {
      const payload = { transactionId: c.req.valid("param").id, data: c.req.valid("json") };
      const outcome = await submit({ ctx: serviceContext(c, deps), kind: "transaction.reverse", payload });
      if ("proposal" in outcome) return c.json(outcome.proposal, 202);
      const { status, body } = ANSWERS["transaction.reverse"](outcome.applied);
      return c.json(body, status);
    })
    .openapi(recovery, async (c) => {
      const payload = { beneficiaryId: c.req.valid("param").id, idempotencyKey: c.req.valid("header")["idempotency-key"], data: c.req.valid("json") };
      const outcome = await submit({ ctx: serviceContext(c, deps), kind: "overpayment.recover", payload });
      if ("proposal" in outcome) return c.json(outcome.proposal, 202);
      if (outcome.applied.replayed) c.header("Idempotent-Replayed", "true");
      const { status, body } = ANSWERS["overpayment.recover"](outcome.applied);
      return c.json(body, status);
    });
}
