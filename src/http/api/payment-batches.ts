import { createRoute, z } from "@hono/zod-openapi";
import { BATCH_STATUSES } from "../../domain/payment-batches";
import { dissolveBatch, markBatchSent } from "../../services/batches/batch-transitions";
import { ListBatchesInput, listBatches } from "../../services/batches/list-batches";
import { PrepareBatchesInput, prepareBatches } from "../../services/batches/prepare-batches";
import { downloadBatchFile } from "../../services/batches/stored-file";
import { sendBatchFile } from "../batch-download";
import { serviceContext, toJson } from "../context";
import type { AppDeps } from "../deps";
import { allow } from "../middleware/auth";
import { createRouter } from "../router";
import { CalendarDate, conflict, errorResponses, jsonBody, jsonResponse, malformed, notFound } from "../schemas";
import { IdParam } from "./views";

const security = [{ Bearer: [] }];

const BatchSchema = z
  .object({
    id: z.uuid(),
    bankAccountId: z.uuid(),
    bankAccountName: z.string(),
    executionDate: z.string(),
    status: z.enum(BATCH_STATUSES),
    orders: z.number().int(),
    total: z.number().int(),
    msgId: z.string(),
    painVersion: z.enum(["pain.001.001.09", "pain.001.001.03"]),
    preparedBy: z.string(),
    createdAt: z.string(),
    sentAt: z.string().nullable(),
    dissolvedAt: z.string().nullable(),
  })
  .openapi("PaymentBatch");

const PreparedSchema = z.object({ id: z.uuid(), bankAccountId: z.uuid(), orders: z.number().int(), total: z.number().int(), executionDate: z.string() });

const prepareRoute = createRoute({
  method: "post",
  path: "/v1/payment-batches",
  tags: ["Virements"],
  security,
  summary: "Prepare a batch (remise): the account's pending transfers due by the execution date",
  description:
    "The execution date moves to the next TARGET business day, never before today. Without `bankAccountId`, one batch per account that has something due: the top-level fields describe the first, `batches` lists them all. `422` when no order qualifies.",
  middleware: [allow("payment.execute")] as const,
  request: jsonBody(PrepareBatchesInput.extend({ executionDate: CalendarDate })),
  responses: {
    201: jsonResponse(PreparedSchema.extend({ batches: z.array(PreparedSchema) }), "The batch (or batches), its orders now `batched`"),
    ...notFound,
    ...malformed,
    ...errorResponses,
  },
});

const listRoute = createRoute({
  method: "get",
  path: "/v1/payment-batches",
  tags: ["Virements"],
  security,
  summary: "Batches, newest first",
  middleware: [allow("operations.view")] as const,
  request: { query: ListBatchesInput },
  responses: { 200: jsonResponse(z.object({ items: z.array(BatchSchema) }), "Batches"), ...errorResponses },
});

const fileRoute = createRoute({
  method: "get",
  path: "/v1/payment-batches/{id}/pain001",
  tags: ["Virements"],
  security,
  summary: "The batch's pain.001 file (generated once: the same bytes and MsgId on every download)",
  middleware: [allow("payment.execute")] as const,
  request: { params: IdParam },
  responses: {
    200: { description: "The ISO 20022 credit-transfer file", content: { "application/xml": { schema: z.string() } } },
    ...notFound,
    ...conflict,
    ...errorResponses,
  },
});

const sentRoute = createRoute({
  method: "post",
  path: "/v1/payment-batches/{id}/sent",
  tags: ["Virements"],
  security,
  summary: "Mark the batch sent: the file went to the bank, its orders are `sent`",
  middleware: [allow("payment.execute")] as const,
  request: { params: IdParam },
  responses: { 200: jsonResponse(BatchSchema, "The batch"), ...notFound, ...conflict, ...errorResponses },
});

const dissolveRoute = createRoute({
  method: "post",
  path: "/v1/payment-batches/{id}/dissolution",
  tags: ["Virements"],
  security,
  summary: "Dissolve a batch not yet sent: its orders go back to `pending`",
  middleware: [allow("payment.execute")] as const,
  request: { params: IdParam },
  responses: { 200: jsonResponse(BatchSchema, "The batch"), ...notFound, ...conflict, ...errorResponses },
});

export function paymentBatchRoutes(deps: AppDeps) {
  return createRouter()
    .openapi(prepareRoute, async (c) => {
      const batches = toJson(await prepareBatches({ ctx: serviceContext(c, deps), data: c.req.valid("json") }));
      return c.json({ ...batches[0]!, batches }, 201);
    })
    .openapi(listRoute, async (c) => c.json({ items: toJson(await listBatches({ ctx: serviceContext(c, deps), data: c.req.valid("query") })) }, 200))
    .openapi(fileRoute, async (c) => {
      const file = await downloadBatchFile({ ctx: serviceContext(c, deps), id: c.req.valid("param").id });
      return sendBatchFile(c, file) as never;
    })
    .openapi(sentRoute, async (c) => c.json(toJson(await markBatchSent({ ctx: serviceContext(c, deps), id: c.req.valid("param").id })), 200))
    .openapi(dissolveRoute, async (c) => c.json(toJson(await dissolveBatch({ ctx: serviceContext(c, deps), id: c.req.valid("param").id })), 200));
}
