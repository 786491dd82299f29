import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { createRoute, z } from "@hono/zod-openapi";
import busboy from "busboy";
import type { Context } from "hono";
import { BankFileError } from "../../banking/statements/types";
import { LINE_STATUSES } from "../../domain/bank-statements";
import { fieldError } from "../../domain/errors";
import { submit } from "../../services/proposals/proposals";
import { importBankFile } from "../../services/statements/import-statements";
import { listMatchingRules, MatchingRulesInput, replaceMatchingRules } from "../../services/statements/matching-rules";
import { reconcile } from "../../services/statements/reconciliation";
import { listStatements, readStatement } from "../../services/statements/statement-views";
import { AssignmentInput, listSuspense } from "../../services/statements/suspense";
import { serviceContext, toJson } from "../context";
import type { AppDeps } from "../deps";
import type { AppEnv } from "../env";
import { allow } from "../middleware/auth";
import { createRouter } from "../router";
import { CalendarDate, conflict, errorResponses, jsonBody, jsonResponse, malformed, notFound } from "../schemas";
import { ANSWERS, accepted } from "./four-eyes";
import { IdParam } from "./views";

const security = [{ Bearer: [] }];

const StatementSchema = z
  .object({
    id: z.uuid(),
    bankAccountId: z.uuid(),
    format: z.enum(["camt.053", "cfonb120"]),
    from: z.string(),
    to: z.string(),
    openingBalance: z.number().int(),
    closingBalance: z.number().int(),
    lines: z.number().int(),
    matched: z.number().int(),
    suspense: z.number().int(),
    consistent: z.boolean(),
    /** closing − (opening + entries). */
    difference: z.number().int(),
    /** opening − the previous statement's closing. */
    openingGap: z.number().int(),
    importedAt: z.string(),
  })
  .openapi("BankStatement");

const LineSchema = z
  .object({
    id: z.uuid(),
    bookingDate: z.string(),
    valueDate: z.string().nullable(),
    amount: z.number().int(),
    label: z.string(),
    status: z.enum(LINE_STATUSES),
    reason: z.string().nullable(),
    matched: z.record(z.string(), z.unknown()).nullable(),
    transactionId: z.uuid().nullable(),
  })
  .openapi("BankStatementLine");

const ImportSchema = z.object({
  statements: z.array(StatementSchema),
  orders: z.object({ rejected: z.number().int(), unknown: z.number().int(), unchanged: z.number().int() }).optional(),
});

const BINARY = { type: "string", format: "binary" } as const;

const FILE_DOC = "camt.053 (.001.02, .001.08), CFONB 120 or pain.002; up to 200 MB";

const importRoute = createRoute({
  method: "post",
  path: "/v1/bank-statements",
  tags: ["Banque"],
  security,
  summary: "Import a bank statement file (camt.053, CFONB 120) or a status report (pain.002); the same file again: 200, same ids",
  middleware: [allow("statement.import")] as const,
  request: {
    body: {
      required: true,
      description: FILE_DOC,
      // Plain JSON Schema, not zod: documented, never validated (the handler streams the bytes).
      content: {
        "application/xml": { schema: BINARY },
        "text/plain": { schema: BINARY },
        "multipart/form-data": { schema: { type: "object", properties: { file: BINARY }, required: ["file"] } },
      },
    },
  },
  responses: {
    201: jsonResponse(ImportSchema, "A statement not seen before was imported"),
    200: jsonResponse(ImportSchema, "Every statement of the file was already imported"),
    413: { description: "Over 200 MB" },
    ...malformed,
    ...errorResponses,
  },
});

const listRoute = createRoute({
  method: "get",
  path: "/v1/bank-statements",
  tags: ["Banque"],
  security,
  summary: "The imported statements, newest first",
  middleware: [allow("operations.view")] as const,
  request: {
    query: z.object({
      bankAccountId: z.uuid().optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
  },
  responses: { 200: jsonResponse(z.object({ items: z.array(StatementSchema) }), "Statements"), ...errorResponses },
});

const readRoute = createRoute({
  method: "get",
  path: "/v1/bank-statements/{id}",
  tags: ["Banque"],
  security,
  summary: "A statement with its entries and what each matched",
  middleware: [allow("operations.view")] as const,
  request: { params: IdParam },
  responses: { 200: jsonResponse(StatementSchema.extend({ entries: z.array(LineSchema) }), "The statement"), ...notFound, ...errorResponses },
});

const RuleSchema = z
  .object({
    payer: z.string(),
    priority: z.number().int(),
    active: z.boolean(),
    spec: z.object({
      names: z.array(z.string()),
      ibans: z.array(z.string()),
      numberField: z.enum(["cafNumber", "msaNumber"]),
      numberPattern: z.string(),
      prestations: z.array(z.object({ prestation: z.string(), pattern: z.string() })),
      notManaged: z.array(z.object({ label: z.string(), pattern: z.string() })),
    }),
  })
  .openapi("MatchingRule");

const getRules = createRoute({
  method: "get",
  path: "/v1/matching-rules",
  tags: ["Banque"],
  security,
  summary: "The rules that recognise incoming lines: payer by name or IBAN, beneficiary number, prestation keywords",
  middleware: [allow("operations.view")] as const,
  responses: { 200: jsonResponse(z.object({ items: z.array(RuleSchema) }), "Rules"), ...errorResponses },
});

const putRules = createRoute({
  method: "put",
  path: "/v1/matching-rules",
  tags: ["Banque"],
  security,
  summary: "Replace the matching rules (admin); patterns are regular expressions, checked",
  middleware: [allow("matching.manage")] as const,
  request: jsonBody(MatchingRulesInput),
  responses: { 200: jsonResponse(z.object({ items: z.array(RuleSchema) }), "Rules"), ...malformed, ...errorResponses },
});

const SuspenseItemSchema = z
  .object({
    lineId: z.uuid(),
    bankAccountId: z.uuid(),
    amount: z.number().int(),
    label: z.string(),
    bookingDate: z.string(),
    reason: z.string(),
    reasonLabel: z.string(),
    matched: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi("SuspenseLine");

const suspenseRoute = createRoute({
  method: "get",
  path: "/v1/suspense",
  tags: ["Banque"],
  security,
  summary: "The lines waiting for a decision (class 471): why each is there",
  middleware: [allow("operations.view")] as const,
  request: { query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(500) }) },
  responses: { 200: jsonResponse(z.object({ items: z.array(SuspenseItemSchema) }), "Suspense lines"), ...errorResponses },
});

const LineIdParam = z.object({ lineId: z.uuid().openapi({ param: { name: "lineId", in: "path" } }) });

const assignRoute = createRoute({
  method: "post",
  path: "/v1/suspense/{lineId}/assignments",
  tags: ["Banque"],
  security,
  summary:
    "Propose a decision on a suspense line (four eyes: 202): parts across beneficiaries and prestations summing to the line, forward, return to the payer, or expense",
  middleware: [allow("statement.import")] as const,
  request: { params: LineIdParam, ...jsonBody(AssignmentInput) },
  responses: {
    200: jsonResponse(LineSchema, "Applied (on approval the same answer)"),
    ...accepted,
    ...notFound,
    ...conflict,
    ...malformed,
    ...errorResponses,
  },
});

const reconciliationRoute = createRoute({
  method: "get",
  path: "/v1/bank-accounts/{id}/reconciliation",
  tags: ["Banque"],
  security,
  summary: "The ledger balance of the account against the latest statement closing on or before `date` (default today)",
  middleware: [allow("operations.view")] as const,
  request: { params: IdParam, query: z.object({ date: CalendarDate.optional() }) },
  responses: {
    200: jsonResponse(
      z.object({
        bankAccountId: z.uuid(),
        statementDate: z.string(),
        ledgerBalance: z.number().int(),
        statementBalance: z.number().int(),
        difference: z.number().int(),
        unmatched: z.number().int(),
      }),
      "Reconciliation",
    ),
    ...notFound,
    ...errorResponses,
  },
});

/**
 * The multipart field `file`, streamed as it arrives (busboy): a 200 MB upload never sits
 * in memory. Other fields are skipped; a body that ends before the field does is a 422.
 */
function multipartFile(body: ReadableStream<Uint8Array>, contentType: string): Promise<AsyncIterable<Uint8Array>> {
  const malformedMultipart = () => fieldError("file", "the multipart body cannot be read", "malformed_multipart");
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { "content-type": contentType } });
    } catch {
      reject(malformedMultipart());
      return;
    }
    let file: Readable | null = null;
    let bodyError: unknown = null;
    const source = Readable.fromWeb(body as NodeReadableStream<Uint8Array>);
    // A form cut short fails the field's stream with busboy's own error: a 422, or the body's own failure (413 beyond the limit) as it is.
    async function* guarded(stream: Readable): AsyncIterable<Uint8Array> {
      try {
        yield* stream;
      } catch {
        throw bodyError ?? malformedMultipart();
      }
    }
    parser.on("file", (name, stream) => {
      if (name !== "file" || file) {
        stream.resume();
        return;
      }
      file = stream;
      resolve(guarded(stream));
    });
    parser.on("error", () => {
      if (file) file.destroy(malformedMultipart());
      else reject(malformedMultipart());
    });
    parser.on("close", () => {
      if (!file) reject(fieldError("file", "the multipart field `file` is missing", "required"));
    });
    source.on("error", (error) => {
      bodyError = error;
      if (file) file.destroy(error);
      else reject(error);
    });
    source.pipe(parser);
  });
}

/** The file's bytes, streamed from the body (or the multipart field `file`). */
async function fileBytes(c: Context<AppEnv>): Promise<AsyncIterable<Uint8Array> | Uint8Array> {
  const type = c.req.header("content-type") ?? "";
  // A body some middleware already read (the JSON guard reads JSON ones) comes from Hono's cache.
  if (c.req.raw.bodyUsed) {
    if (/^multipart\/form-data/i.test(type)) return multipartFile(new Response(await c.req.arrayBuffer()).body!, type);
    return new Uint8Array(await c.req.arrayBuffer());
  }
  const body = c.req.raw.body;
  if (!body) throw fieldError("file", "the body is empty", "required");
  if (/^multipart\/form-data/i.test(type)) return multipartFile(body, type);
  return body as unknown as AsyncIterable<Uint8Array>;
}

/** The file imported as it streams in (never held whole); an unreadable one is a 422 naming its line or record, with nothing imported. */
async function importFile(c: Context<AppEnv>, deps: AppDeps) {
  try {
    return await importBankFile(serviceContext(c, deps), await fileBytes(c));
  } catch (error) {
    if (error instanceof BankFileError) {
      const where = error.line === undefined ? "" : ` (line or record ${error.line})`;
      throw fieldError("file", `${error.message}${where}`, "unreadable_bank_file");
    }
    throw error;
  }
}

export function statementRoutes(deps: AppDeps) {
  return createRouter()
    .openapi(importRoute, async (c) => {
      const outcome = await importFile(c, deps);
      const body = toJson({ statements: outcome.statements, ...(outcome.orders ? { orders: outcome.orders } : {}) });
      return outcome.status === 201 ? c.json(body, 201) : c.json(body, 200);
    })
    .openapi(listRoute, async (c) => c.json({ items: toJson(await listStatements({ ctx: serviceContext(c, deps), data: c.req.valid("query") })) }, 200))
    .openapi(readRoute, async (c) => c.json(toJson(await readStatement({ ctx: serviceContext(c, deps), id: c.req.valid("param").id })), 200))
    .openapi(suspenseRoute, async (c) => c.json({ items: toJson(await listSuspense({ ctx: serviceContext(c, deps), data: c.req.valid("query") })) }, 200))
    .openapi(assignRoute, async (c) => {
      const payload = { lineId: c.req.valid("param").lineId, data: c.req.valid("json") };
      const outcome = await submit({ ctx: serviceContext(c, deps), kind: "suspense.assign", payload });
      if ("proposal" in outcome) return c.json(outcome.proposal, 202);
      return c.json(toJson(ANSWERS["suspense.assign"](outcome.applied).body), 200);
    })
    .openapi(reconciliationRoute, async (c) => {
      const ctx = serviceContext(c, deps);
      const date = c.req.valid("query").date ?? ctx.today();
      return c.json(toJson(await reconcile({ ctx, bankAccountId: c.req.valid("param").id, date })), 200);
    })
    .openapi(getRules, async (c) => c.json({ items: toJson(await listMatchingRules(deps.db)) }, 200))
    .openapi(putRules, async (c) => c.json({ items: toJson(await replaceMatchingRules({ ctx: serviceContext(c, deps), data: c.req.valid("json") })) }, 200));
}
