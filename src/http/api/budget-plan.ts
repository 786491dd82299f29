import { createRoute, z } from "@hono/zod-openapi";
import { NotFoundError } from "../../domain/errors";
import { EXTERNAL_SOURCES, RENT_ENTRY_KINDS } from "../../domain/rent-periods";
import { AddChargeInput, addCharge } from "../../services/charges/add-charge";
import { listCharges, UpdateChargeInput } from "../../services/charges/update-charge";
import { listRentEntries, RecordRentEntryInput, recordRentEntry } from "../../services/leases/rent-entries";
import { getLease, SetLeaseInput } from "../../services/leases/set-lease";
import { submit } from "../../services/proposals/proposals";
import { serviceContext, toJson } from "../context";
import type { AppDeps } from "../deps";
import { allow } from "../middleware/auth";
import { createRouter } from "../router";
import { conflict, errorResponses, jsonBody, jsonResponse, malformed, notFound } from "../schemas";
import { ANSWERS, accepted } from "./four-eyes";
import { ChargeSchema, IdParam, LeaseSchema } from "./views";

const tags = ["Bail et charges"];
const security = [{ Bearer: [] }];

const putLease = createRoute({
  method: "put",
  path: "/v1/beneficiaries/{id}/lease",
  tags,
  security,
  summary: "Record the lease (same start date: update; later start date: a new lease)",
  description:
    "Monthly amount due to the landlord = rent + charges − housingBenefitToLandlord (APL/AL paid to the landlord, tiers payant). A change of amounts takes effect from `effectiveFrom` (YYYY-MM, default the current month); past periods keep the amounts they had. A landlord IBAN different from the latest lease's (a change, or a move) makes it a proposal (202) applied when someone else approves it; the first lease applies at once.",
  middleware: [allow("beneficiary.write")] as const,
  request: { params: IdParam, ...jsonBody(SetLeaseInput) },
  responses: { 200: jsonResponse(LeaseSchema, "The lease as recorded"), ...accepted, ...notFound, ...conflict, ...malformed, ...errorResponses },
});

const getLeaseRoute = createRoute({
  method: "get",
  path: "/v1/beneficiaries/{id}/lease",
  tags,
  security,
  summary: "The current lease and its terms history (`previous` lists earlier leases)",
  request: { params: IdParam },
  responses: { 200: jsonResponse(LeaseSchema.extend({ previous: z.array(LeaseSchema) }), "The lease"), ...notFound, ...errorResponses },
});

const addChargeRoute = createRoute({
  method: "post",
  path: "/v1/beneficiaries/{id}/charges",
  tags,
  security,
  summary: "Add a charge to the budget plan (served by priority, after the rent)",
  middleware: [allow("beneficiary.write")] as const,
  request: { params: IdParam, ...jsonBody(AddChargeInput) },
  responses: { 201: jsonResponse(ChargeSchema, "Added"), ...notFound, ...malformed, ...errorResponses },
});

const listChargesRoute = createRoute({
  method: "get",
  path: "/v1/beneficiaries/{id}/charges",
  tags,
  security,
  summary: "The budget plan's charges, by priority",
  request: { params: IdParam },
  responses: { 200: jsonResponse(z.object({ items: z.array(ChargeSchema) }), "Charges"), ...notFound, ...errorResponses },
});

const updateChargeRoute = createRoute({
  method: "patch",
  path: "/v1/beneficiaries/{id}/charges/{chargeId}",
  tags,
  security,
  summary: "Change a charge (set `endDate` to end it)",
  description: "A changed creditor IBAN makes the whole change a proposal (202) applied when someone else approves it (four eyes).",
  middleware: [allow("beneficiary.write")] as const,
  request: { params: IdParam.extend({ chargeId: z.uuid() }), ...jsonBody(UpdateChargeInput) },
  responses: { 200: jsonResponse(ChargeSchema, "Updated"), ...accepted, ...notFound, ...malformed, ...errorResponses },
});

const RentEntrySchema = z
  .object({
    id: z.uuid(),
    beneficiaryId: z.uuid(),
    leaseId: z.uuid(),
    period: z.string(),
    kind: z.enum(RENT_ENTRY_KINDS),
    amount: z.number().int(),
    source: z.enum(EXTERNAL_SOURCES).nullable(),
    evidence: z.string(),
    effectiveDate: z.string(),
    recordedBy: z.string(),
    createdAt: z.string(),
  })
  .openapi("RentEntry");

const addRentEntryRoute = createRoute({
  method: "post",
  path: "/v1/beneficiaries/{id}/rent-entries",
  tags,
  security,
  summary: "Record an external payment on a rent period, or a housing-aid adjustment for a month that has begun",
  description:
    "`external_payment` (positive, with its `source`: person, fsl, landlord_waiver, housing_aid_backpay) counts as paid; `housing_aid_adjustment` (signed: more aid paid to the landlord, less due) corrects what the managed funds owe. Dated and append-only: a correction is a new entry.",
  middleware: [allow("beneficiary.write")] as const,
  request: { params: IdParam, ...jsonBody(RecordRentEntryInput) },
  responses: { 201: jsonResponse(RentEntrySchema, "Recorded"), ...notFound, ...malformed, ...errorResponses },
});

const listRentEntriesRoute = createRoute({
  method: "get",
  path: "/v1/beneficiaries/{id}/rent-entries",
  tags,
  security,
  summary: "External payments and housing-aid adjustments of the beneficiary's rent periods",
  request: { params: IdParam },
  responses: { 200: jsonResponse(z.object({ items: z.array(RentEntrySchema) }), "Entries"), ...notFound, ...errorResponses },
});

export function budgetPlanRoutes(deps: AppDeps) {
  return createRouter()
    .openapi(putLease, async (c) => {
      const payload = { beneficiaryId: c.req.valid("param").id, data: c.req.valid("json") };
      const outcome = await submit({ ctx: serviceContext(c, deps), kind: "lease.set", payload });
      if ("proposal" in outcome) return c.json(outcome.proposal, 202);
      const { status, body } = ANSWERS["lease.set"](outcome.applied);
      return c.json(body, status);
    })
    .openapi(getLeaseRoute, async (c) => {
      const { id } = c.req.valid("param");
      const [current, ...previous] = await getLease({ ctx: serviceContext(c, deps), beneficiaryId: id });
      if (!current) throw new NotFoundError("lease of beneficiary", id);
      return c.json(toJson({ ...current, previous }), 200);
    })
    .openapi(addRentEntryRoute, async (c) => {
      const entry = await recordRentEntry({ ctx: serviceContext(c, deps), beneficiaryId: c.req.valid("param").id, data: c.req.valid("json") });
      return c.json(toJson(entry), 201);
    })
    .openapi(listRentEntriesRoute, async (c) => {
      const items = await listRentEntries({ ctx: serviceContext(c, deps), beneficiaryId: c.req.valid("param").id });
      return c.json({ items: toJson(items) }, 200);
    })
    .openapi(addChargeRoute, async (c) => {
      const charge = await addCharge({ ctx: serviceContext(c, deps), beneficiaryId: c.req.valid("param").id, data: c.req.valid("json") });
      return c.json(toJson(charge), 201);
    })
    .openapi(listChargesRoute, async (c) => {
      const items = await listCharges({ ctx: serviceContext(c, deps), beneficiaryId: c.req.valid("param").id });
      return c.json({ items: toJson(items) }, 200);
    })
    .openapi(updateChargeRoute, async (c) => {
      const { id, chargeId } = c.req.valid("param");
      const outcome = await submit({
        ctx: serviceContext(c, deps),
        kind: "charge.update",
        payload: { beneficiaryId: id, chargeId, data: c.req.valid("json") },
      });
      if ("proposal" in outcome) return c.json(outcome.proposal, 202);
      const { status, body } = ANSWERS["charge.update"](outcome.applied);
      return c.json(body, status);
    });
}
