import { createRoute, z } from "@hono/zod-openapi";
import { listTokens, revokeToken } from "../../services/users/api-tokens";
import { disableUser, enableUser } from "../../services/users/user-access";
import { serviceContext, toJson } from "../context";
import type { AppDeps } from "../deps";
import { allow } from "../middleware/auth";
import { createRouter } from "../router";
import { conflict, errorResponses, jsonResponse, notFound } from "../schemas";
import { IdParam } from "./views";

const AccessSchema = z.object({ id: z.uuid(), disabled: z.boolean() }).openapi("UserAccess");
const TokenSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    role: z.string(),
    userId: z.uuid().nullable(),
    userEmail: z.string().nullable(),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
    active: z.boolean(),
  })
  .openapi("ApiToken");

const disable = createRoute({
  method: "post",
  path: "/v1/users/{id}/disable",
  tags: ["Référentiels"],
  security: [{ Bearer: [] }],
  summary: "Disable a staff member: their UI sessions end and their API tokens are refused at once",
  middleware: [allow("user.manage")] as const,
  request: { params: IdParam },
  responses: { 200: jsonResponse(AccessSchema, "Disabled (also when already disabled)"), ...notFound, ...conflict, ...errorResponses },
});
const enable = createRoute({
  method: "post",
  path: "/v1/users/{id}/enable",
  tags: ["Référentiels"],
  security: [{ Bearer: [] }],
  summary: "Re-enable a staff member (their unrevoked tokens work again)",
  middleware: [allow("user.manage")] as const,
  request: { params: IdParam },
  responses: { 200: jsonResponse(AccessSchema, "Enabled (also when already active)"), ...notFound, ...errorResponses },
});
const list = createRoute({
  method: "get",
  path: "/v1/tokens",
  tags: ["Référentiels"],
  security: [{ Bearer: [] }],
  summary: "API tokens (never the token itself), newest first; `?userId=` for one staff member's",
  middleware: [allow("user.manage")] as const,
  request: { query: z.object({ userId: z.uuid().optional() }) },
  responses: { 200: jsonResponse(z.object({ items: z.array(TokenSchema) }), "Tokens"), ...errorResponses },
});
const revoke = createRoute({
  method: "post",
  path: "/v1/tokens/{id}/revoke",
  tags: ["Référentiels"],
  security: [{ Bearer: [] }],
  summary: "Revoke an API token for good, at once in every process",
  middleware: [allow("user.manage")] as const,
  request: { params: IdParam },
  responses: { 200: jsonResponse(z.object({ id: z.uuid(), revoked: z.literal(true) }), "Revoked (also when already revoked)"), ...notFound, ...errorResponses },
});

/** Administrators: who may still act (disable / enable staff) and with which tokens. */
export function staffAccessRoutes(deps: AppDeps) {
  return createRouter()
    .openapi(disable, async (c) => c.json(await disableUser({ ctx: serviceContext(c, deps), data: { userId: c.req.valid("param").id } }), 200))
    .openapi(enable, async (c) => c.json(await enableUser({ ctx: serviceContext(c, deps), data: { userId: c.req.valid("param").id } }), 200))
    .openapi(list, async (c) => c.json({ items: toJson(await listTokens({ ctx: serviceContext(c, deps), userId: c.req.valid("query").userId })) }, 200))
    .openapi(revoke, async (c) => c.json(await revokeToken({ ctx: serviceContext(c, deps), data: { tokenId: c.req.valid("param").id } }), 200));
}
