import { createRoute, z } from "@hono/zod-openapi";
import { ROLES } from "../../domain/roles";
import { catalogueInForce } from "../../services/catalogue";
import { CreateUserInput, createUser, listUsers } from "../../services/users/users";
import { serviceContext } from "../context";
import type { AppDeps } from "../deps";
import { allow } from "../middleware/auth";
import { createRouter } from "../router";
import { CalendarDate, conflict, ErrorSchema, errorResponses, jsonBody, jsonResponse, malformed } from "../schemas";
import { PrestationSchema, UserSchema } from "./views";

const prestations = createRoute({
  method: "get",
  path: "/v1/prestations",
  tags: ["Référentiels"],
  security: [{ Bearer: [] }],
  summary: "The D.271-2 catalogue of prestations a MASP may manage (version in force on `asOf`)",
  request: { query: z.object({ asOf: CalendarDate.optional() }) },
  responses: {
    200: jsonResponse(z.object({ version: z.string(), validFrom: z.string(), items: z.array(PrestationSchema) }), "The catalogue"),
    404: { description: "No catalogue in force on that date", content: { "application/json": { schema: ErrorSchema } } },
    ...errorResponses,
  },
});

const createUserRoute = createRoute({
  method: "post",
  path: "/v1/users",
  tags: ["Référentiels"],
  security: [{ Bearer: [] }],
  summary: "Create a staff member (caseworkers are assigned beneficiaries)",
  middleware: [allow("user.create")] as const,
  request: jsonBody(CreateUserInput),
  responses: { 201: jsonResponse(UserSchema, "Created"), ...conflict, ...malformed, ...errorResponses },
});

const listUsersRoute = createRoute({
  method: "get",
  path: "/v1/users",
  tags: ["Référentiels"],
  security: [{ Bearer: [] }],
  summary: "Staff members, e.g. `?role=caseworker` to assign a beneficiary",
  middleware: [allow("user.list")] as const,
  request: { query: z.object({ role: z.enum(ROLES).optional() }) },
  responses: { 200: jsonResponse(z.object({ items: z.array(UserSchema) }), "Users"), ...errorResponses },
});

export function referenceRoutes(deps: AppDeps) {
  return createRouter()
    .openapi(prestations, async (c) => {
      const ctx = serviceContext(c, deps);
      const catalogue = await catalogueInForce(deps.db, c.req.valid("query").asOf ?? ctx.today());
      return c.json({ version: catalogue.version, validFrom: catalogue.validFrom, items: [...catalogue.items] }, 200);
    })
    .openapi(createUserRoute, async (c) => c.json(await createUser({ ctx: serviceContext(c, deps), data: c.req.valid("json") }), 201))
    .openapi(listUsersRoute, async (c) => c.json({ items: await listUsers({ ctx: serviceContext(c, deps), role: c.req.valid("query").role }) }, 200));
}
