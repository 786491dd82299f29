import { createRoute, z } from "@hono/zod-openapi";
import { approveProposal, DecisionInput, ListProposalsInput, listProposals, readProposal, rejectProposal } from "../../services/proposals/proposals";
import { serviceContext, toJson } from "../context";
import type { AppDeps } from "../deps";
import { allow } from "../middleware/auth";
import { createRouter } from "../router";
import { conflict, errorResponses, jsonBody, jsonResponse, malformed, notFound } from "../schemas";
import { answerOf } from "./four-eyes";
import { IdParam } from "./views";

const tags = ["Quatre yeux"];
const security = [{ Bearer: [] }];

const Party = z.object({ actor: z.string(), role: z.string().nullable(), userId: z.uuid().nullable() });
const ProposalSchema = z
  .object({
    id: z.uuid(),
    kind: z.string(),
    status: z.enum(["pending_approval", "approved", "rejected"]),
    beneficiaryId: z.uuid().nullable(),
    summary: z.record(z.string(), z.unknown()).openapi({ description: "What the change is, IBANs masked" }),
    proposedBy: Party,
    createdAt: z.string(),
    decidedBy: Party.nullable(),
    decidedAt: z.string().nullable(),
    comment: z.string().nullable(),
    resultStatus: z.number().int().nullable(),
  })
  .openapi("Proposal");

const list = createRoute({
  method: "get",
  path: "/v1/proposals",
  tags,
  security,
  summary: "Proposals (four eyes), newest first; `status=pending` lists those waiting",
  description: "A caseworker sees the proposals of their caseload only.",
  middleware: [allow("proposal.list")] as const,
  request: { query: ListProposalsInput },
  responses: { 200: jsonResponse(z.object({ items: z.array(ProposalSchema) }), "Proposals"), ...errorResponses },
});

const get = createRoute({
  method: "get",
  path: "/v1/proposals/{id}",
  tags,
  security,
  summary: "A proposal",
  middleware: [allow("proposal.list")] as const,
  request: { params: IdParam },
  responses: { 200: jsonResponse(ProposalSchema, "The proposal"), ...notFound, ...errorResponses },
});

const VerbAnswer = z.record(z.string(), z.unknown()).openapi({ description: "The proposed verb's own answer (its status and body)" });
const approval = createRoute({
  method: "post",
  path: "/v1/proposals/{id}/approval",
  tags,
  security,
  summary: "Approve someone else's proposal: its verb applies it now and answers as it would have",
  description:
    "403 for the proposer (the same user, or the same token when no user is behind it); 409 when already decided. A proposal that is no longer valid answers the verb's refusal (4xx) and stays pending.",
  middleware: [allow("proposal.decide")] as const,
  request: { params: IdParam, ...jsonBody(DecisionInput) },
  responses: {
    200: jsonResponse(VerbAnswer, "Applied (the verb's 200 answer)"),
    201: jsonResponse(VerbAnswer, "Applied (the verb's 201 answer)"),
    ...notFound,
    ...conflict,
    ...malformed,
    ...errorResponses,
  },
});

const rejection = createRoute({
  method: "post",
  path: "/v1/proposals/{id}/rejection",
  tags,
  security,
  summary: "Reject someone else's proposal; nothing is applied",
  middleware: [allow("proposal.decide")] as const,
  request: { params: IdParam, ...jsonBody(DecisionInput) },
  responses: { 200: jsonResponse(ProposalSchema, "Rejected"), ...notFound, ...conflict, ...malformed, ...errorResponses },
});

export function proposalRoutes(deps: AppDeps) {
  return createRouter()
    .openapi(list, async (c) => c.json({ items: toJson(await listProposals({ ctx: serviceContext(c, deps), data: c.req.valid("query") })) }, 200))
    .openapi(get, async (c) => c.json(toJson(await readProposal({ ctx: serviceContext(c, deps), id: c.req.valid("param").id })), 200))
    .openapi(approval, async (c) => {
      const { status, body } = await approveProposal({
        ctx: serviceContext(c, deps),
        id: c.req.valid("param").id,
        data: c.req.valid("json"),
        answer: answerOf,
      });
      return c.json(body as Record<string, unknown>, status as 200 | 201);
    })
    .openapi(rejection, async (c) =>
      c.json(toJson(await rejectProposal({ ctx: serviceContext(c, deps), id: c.req.valid("param").id, data: c.req.valid("json") })), 200),
    );
}
