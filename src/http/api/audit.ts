import { createRoute, z } from "@hono/zod-openapi";
import { AUDIT_KINDS } from "../../domain/access-traces";
import { ListAuditInput, listAudit } from "../../services/audit/list-audit";
import { serviceContext } from "../context";
import type { AppDeps } from "../deps";
import { allow } from "../middleware/auth";
import { createRouter } from "../router";
import { errorResponses, jsonResponse } from "../schemas";

const AuditEntrySchema = z
  .object({
    kind: z.enum(AUDIT_KINDS),
    /** `<kind>:<row id>`: unique across both trails. */
    id: z.string(),
    at: z.string(),
    action: z.string(),
    actor: z.string(),
    role: z.string().nullable(),
    userId: z.uuid().nullable(),
    tokenId: z.uuid().nullable(),
    source: z.string().nullable(),
    requestId: z.string().nullable(),
    beneficiaryId: z.uuid().nullable(),
    entityType: z.string().nullable(),
    entityId: z.uuid().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .openapi("AuditEntry");

const list = createRoute({
  method: "get",
  path: "/v1/audit",
  tags: ["Journal"],
  security: [{ Bearer: [] }],
  summary: "The business audit and the access traces, newest first, cursor-paginated",
  description:
    "`kind=business`: every change (never purged by the application). `kind=access`: sign-ins, failed sign-ins, sign-outs, API tokens created and revoked, reads of lists, searches and records of personal data (kept one year). Reading the journal is itself traced.",
  middleware: [allow("audit.read")] as const,
  request: { query: ListAuditInput },
  responses: { 200: jsonResponse(z.object({ items: z.array(AuditEntrySchema), nextCursor: z.string().nullable() }), "A page"), ...errorResponses },
});

export function auditRoutes(deps: AppDeps) {
  return createRouter().openapi(list, async (c) => c.json(await listAudit({ ctx: serviceContext(c, deps), data: c.req.valid("query") }), 200));
}
