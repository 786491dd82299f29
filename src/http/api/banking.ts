import { createRoute, z } from "@hono/zod-openapi";
import { BANK_ACCOUNT_KINDS, PAIN_VERSIONS } from "../../domain/bank-accounts";
import { CreateBankAccountInput, createBankAccount } from "../../services/banking/create-bank-account";
import { listBankAccounts } from "../../services/banking/list-bank-accounts";
import {
  CancellationInput,
  cancelOrder,
  RejectionInput,
  ReturnInput,
  rejectOrder,
  returnOrder,
  SettlementInput,
  settleOrder,
} from "../../services/banking/order-verbs";
import { serviceContext, toJson } from "../context";
import type { AppDeps } from "../deps";
import { allow } from "../middleware/auth";
import { createRouter } from "../router";
import { conflict, errorResponses, jsonBody, jsonResponse, malformed, notFound } from "../schemas";
import { PaymentOrderSchema } from "./operations";
import { IdParam } from "./views";

const security = [{ Bearer: [] }];

const BankAccountSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    /** Null only for the default account until an admin gives it its IBAN. */
    iban: z.string().nullable(),
    bic: z.string().nullable(),
    kind: z.enum(BANK_ACCOUNT_KINDS),
    beneficiaryId: z.uuid().nullable(),
    painVersion: z.enum(PAIN_VERSIONS),
    batchBooking: z.boolean(),
    ledgerAddress: z.string(),
    isDefault: z.boolean(),
    openingBalance: z.number().int().nullable(),
    openingDate: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi("BankAccount");

const createAccount = createRoute({
  method: "post",
  path: "/v1/bank-accounts",
  tags: ["Banque"],
  security,
  summary: "Add a bank account (the first pooled one completes the default account, ledger `bank:main`); the opening balance is posted once",
  middleware: [allow("banking.manage")] as const,
  request: jsonBody(CreateBankAccountInput),
  responses: { 201: jsonResponse(BankAccountSchema, "The account"), ...conflict, ...malformed, ...errorResponses },
});

const listAccounts = createRoute({
  method: "get",
  path: "/v1/bank-accounts",
  tags: ["Banque"],
  security,
  summary: "The bank accounts, the default pooled one first",
  middleware: [allow("operations.view")] as const,
  responses: { 200: jsonResponse(z.object({ items: z.array(BankAccountSchema) }), "Accounts"), ...errorResponses },
});

const transition = <S extends z.ZodType>(path: string, body: S, summary: string) =>
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

const settlement = transition(
  "settlement",
  SettlementInput,
  "The money left the bank (from `sent`; `outside: true` from `pending`: paid by hand before go-live)",
);
const rejection = transition("rejection", RejectionInput, "The bank refused a sent order (ISO reason code): its money goes back to the envelope");
const returned = transition("return", ReturnInput, "A settled transfer came back (ISO reason code): its money goes back to the envelope");
const cancellation = transition("cancellation", CancellationInput, "Cancel a pending or batched order: its money goes back to the envelope");

export function bankingRoutes(deps: AppDeps) {
  return createRouter()
    .openapi(createAccount, async (c) => c.json(toJson(await createBankAccount({ ctx: serviceContext(c, deps), data: c.req.valid("json") })), 201))
    .openapi(listAccounts, async (c) => c.json({ items: toJson(await listBankAccounts({ ctx: serviceContext(c, deps) })) }, 200))
    .openapi(settlement, async (c) =>
      c.json(toJson(await settleOrder({ ctx: serviceContext(c, deps), id: c.req.valid("param").id, data: c.req.valid("json") })), 200),
    )
    .openapi(rejection, async (c) =>
      c.json(toJson(await rejectOrder({ ctx: serviceContext(c, deps), id: c.req.valid("param").id, data: c.req.valid("json") })), 200),
    )
    .openapi(returned, async (c) =>
      c.json(toJson(await returnOrder({ ctx: serviceContext(c, deps), id: c.req.valid("param").id, data: c.req.valid("json") })), 200),
    )
    .openapi(cancellation, async (c) =>
      c.json(toJson(await cancelOrder({ ctx: serviceContext(c, deps), id: c.req.valid("param").id, data: c.req.valid("json") })), 200),
    );
}
