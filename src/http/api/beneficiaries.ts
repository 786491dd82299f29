import { createRoute, z } from "@hono/zod-openapi";
import { CreateBeneficiaryInput, createBeneficiary } from "../../services/beneficiaries/create-beneficiary";
import { ListBeneficiariesInput, listBeneficiaries } from "../../services/beneficiaries/list-beneficiaries";
import { readBeneficiary } from "../../services/beneficiaries/read-beneficiary";
import { UpdateBeneficiaryInput } from "../../services/beneficiaries/update-beneficiary";
import { submit } from "../../services/proposals/proposals";
import { serviceContext } from "../context";
import type { AppDeps } from "../deps";
import { allow } from "../middleware/auth";
import { createRouter } from "../router";
import { errorResponses, jsonBody, jsonResponse, malformed, notFound } from "../schemas";
import { ANSWERS, accepted } from "./four-eyes";
import { BeneficiarySchema, beneficiaryJson, IdParam } from "./views";

const tags = ["Bénéficiaires"];
const security = [{ Bearer: [] }];

const create = createRoute({
  method: "post",
  path: "/v1/beneficiaries",
  tags,
  security,
  summary: "Create a beneficiary (an adult: 18 or older today)",
  middleware: [allow("beneficiary.write")] as const,
  request: jsonBody(CreateBeneficiaryInput),
  responses: { 201: jsonResponse(BeneficiarySchema, "Created"), ...malformed, ...errorResponses },
});

const list = createRoute({
  method: "get",
  path: "/v1/beneficiaries",
  tags,
  security,
  summary: "Search beneficiaries by name or CAF/MSA number, alphabetical, cursor-paginated",
  description: "A caseworker sees only their own caseload.",
  request: { query: ListBeneficiariesInput },
  responses: { 200: jsonResponse(z.object({ items: z.array(BeneficiarySchema), nextCursor: z.string().nullable() }), "A page"), ...errorResponses },
});

const get = createRoute({
  method: "get",
  path: "/v1/beneficiaries/{id}",
  tags,
  security,
  summary: "A beneficiary",
  request: { params: IdParam },
  responses: { 200: jsonResponse(BeneficiarySchema, "The beneficiary"), ...notFound, ...errorResponses },
});

const update = createRoute({
  method: "patch",
  path: "/v1/beneficiaries/{id}",
  tags,
  security,
  summary: "Change some fields of a beneficiary",
  description: "A new or changed IBAN makes the whole change a proposal (202) applied when someone else approves it (four eyes).",
  middleware: [allow("beneficiary.write")] as const,
  request: { params: IdParam, ...jsonBody(UpdateBeneficiaryInput) },
  responses: { 200: jsonResponse(BeneficiarySchema, "Updated"), ...accepted, ...notFound, ...malformed, ...errorResponses },
});

export function beneficiaryRoutes(deps: AppDeps) {
  return createRouter()
    .openapi(create, async (c) => {
      const row = await createBeneficiary({ ctx: serviceContext(c, deps), data: c.req.valid("json") });
      return c.json(beneficiaryJson(row), 201);
    })
    .openapi(list, async (c) => {
      const page = await listBeneficiaries({ ctx: serviceContext(c, deps), data: c.req.valid("query") });
      return c.json({ items: page.items.map(beneficiaryJson), nextCursor: page.nextCursor }, 200);
    })
    .openapi(get, async (c) => {
      return c.json(beneficiaryJson(await readBeneficiary({ ctx: serviceContext(c, deps), id: c.req.valid("param").id })), 200);
    })
    .openapi(update, async (c) => {
      const payload = { id: c.req.valid("param").id, data: c.req.valid("json") };
      const outcome = await submit({ ctx: serviceContext(c, deps), kind: "beneficiary.update", payload });
      if ("proposal" in outcome) return c.json(outcome.proposal, 202);
      const { status, body } = ANSWERS["beneficiary.update"](outcome.applied);
      return c.json(body, status);
    });
}
