import { createRoute, z } from "@hono/zod-openapi";
import { ALL_ALERT_TYPES } from "../../domain/finance-alerts";
import { DELIVERY_MODES, SUBSCRIPTION_STATUSES } from "../../domain/notifications";
import { AbsenceInput, NotificationPreferencesInput, setAbsence, setNotificationPreferences } from "../../services/notifications/preferences";
import { CreateWebhookInput, changeWebhook, createWebhook, listWebhooks, webhookDeliveries } from "../../services/notifications/webhooks";
import { serviceContext, toJson } from "../context";
import type { AppDeps } from "../deps";
import { allow } from "../middleware/auth";
import { createRouter } from "../router";
import { conflict, errorResponses, jsonBody, jsonResponse, malformed, notFound } from "../schemas";
import { IdParam } from "./views";

const PreferencesSchema = z
  .object({
    userId: z.uuid(),
    preferences: z.partialRecord(z.enum(ALL_ALERT_TYPES), z.enum(DELIVERY_MODES)),
  })
  .openapi("NotificationPreferences");
const AbsenceSchema = z.object({ userId: z.uuid(), from: z.string(), to: z.string(), substituteId: z.uuid() }).openapi("Absence");
const WebhookSchema = z
  .object({
    id: z.uuid(),
    url: z.string(),
    events: z.array(z.string()),
    status: z.enum(SUBSCRIPTION_STATUSES),
    createdAt: z.string(),
    pausedAt: z.string().nullable(),
    pauseReason: z.string().nullable(),
  })
  .openapi("WebhookSubscription");
const DeliverySchema = z
  .object({
    id: z.uuid(),
    event: z.string(),
    status: z.enum(["pending", "delivered", "failed"]),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    responseStatus: z.number().int().nullable(),
    createdAt: z.string(),
    deliveredAt: z.string().nullable(),
  })
  .openapi("WebhookDelivery");

const tags = ["Alertes"];
const security = [{ Bearer: [] }];

const putPreferences = createRoute({
  method: "put",
  path: "/v1/users/{id}/notifications",
  tags,
  security,
  summary:
    "How a staff member receives each alert type: `immediate` or `digest` (08:30 Paris); a `masp3_trigger` is always immediate. One's own, or anyone's for an admin",
  request: { params: IdParam, ...jsonBody(NotificationPreferencesInput) },
  responses: { 200: jsonResponse(PreferencesSchema, "The preferences now in force"), ...notFound, ...malformed, ...errorResponses },
});
const putAbsence = createRoute({
  method: "put",
  path: "/v1/users/{id}/absence",
  tags,
  security,
  summary: "A caseworker's absence: their alerts go to the substitute from `from` to `to` (both included). One's own, or anyone's for an admin",
  request: { params: IdParam, ...jsonBody(AbsenceInput) },
  responses: { 200: jsonResponse(AbsenceSchema, "The absence recorded"), ...notFound, ...malformed, ...errorResponses },
});
const postWebhook = createRoute({
  method: "post",
  path: "/v1/webhooks",
  tags,
  security,
  summary: "Subscribe a URL to alert events (Standard Webhooks); the signing secret is in this answer only",
  middleware: [allow("delivery.manage")] as const,
  request: jsonBody(CreateWebhookInput),
  responses: { 201: jsonResponse(z.object({ id: z.uuid(), secret: z.string() }).openapi("WebhookCreated"), "Created"), ...malformed, ...errorResponses },
});
const getWebhooks = createRoute({
  method: "get",
  path: "/v1/webhooks",
  tags,
  security,
  summary: "Webhook subscriptions (never their secret)",
  middleware: [allow("delivery.manage")] as const,
  responses: { 200: jsonResponse(z.object({ items: z.array(WebhookSchema) }), "Subscriptions"), ...errorResponses },
});
const deleteWebhook = createRoute({
  method: "delete",
  path: "/v1/webhooks/{id}",
  tags,
  security,
  summary: "Delete a subscription: nothing is sent to it any more (its delivery log stays)",
  middleware: [allow("delivery.manage")] as const,
  request: { params: IdParam },
  responses: { 200: jsonResponse(WebhookSchema, "Deleted"), ...notFound, ...conflict, ...errorResponses },
});
const webhookStep = (step: "pause" | "resume", summary: string) =>
  createRoute({
    method: "post",
    path: `/v1/webhooks/{id}/${step}`,
    tags,
    security,
    summary,
    middleware: [allow("delivery.manage")] as const,
    request: { params: IdParam },
    responses: { 200: jsonResponse(WebhookSchema, "Done"), ...notFound, ...conflict, ...errorResponses },
  });
const pauseWebhook = webhookStep("pause", "Pause a subscription: its deliveries wait until it is resumed");
const resumeWebhook = webhookStep("resume", "Resume a paused subscription");
const getDeliveries = createRoute({
  method: "get",
  path: "/v1/webhooks/{id}/deliveries",
  tags,
  security,
  summary: "A subscription's delivery log, newest first: status, attempts, last error, the receiver's response code",
  middleware: [allow("delivery.manage")] as const,
  request: { params: IdParam },
  responses: { 200: jsonResponse(z.object({ items: z.array(DeliverySchema) }), "Deliveries"), ...notFound, ...errorResponses },
});

/** Alert delivery: who gets which alert how, and the webhook subscriptions. */
export function notificationRoutes(deps: AppDeps) {
  return createRouter()
    .openapi(putPreferences, async (c) =>
      c.json(await setNotificationPreferences({ ctx: serviceContext(c, deps), userId: c.req.valid("param").id, data: c.req.valid("json") }), 200),
    )
    .openapi(putAbsence, async (c) =>
      c.json(await setAbsence({ ctx: serviceContext(c, deps), userId: c.req.valid("param").id, data: c.req.valid("json") }), 200),
    )
    .openapi(postWebhook, async (c) => c.json(await createWebhook({ ctx: serviceContext(c, deps), data: c.req.valid("json") }), 201))
    .openapi(getWebhooks, async (c) => c.json({ items: toJson(await listWebhooks(serviceContext(c, deps))) }, 200))
    .openapi(deleteWebhook, async (c) =>
      c.json(toJson(await changeWebhook({ ctx: serviceContext(c, deps), id: c.req.valid("param").id, change: "delete" })), 200),
    )
    .openapi(pauseWebhook, async (c) =>
      c.json(toJson(await changeWebhook({ ctx: serviceContext(c, deps), id: c.req.valid("param").id, change: "pause" })), 200),
    )
    .openapi(resumeWebhook, async (c) =>
      c.json(toJson(await changeWebhook({ ctx: serviceContext(c, deps), id: c.req.valid("param").id, change: "resume" })), 200),
    )
    .openapi(getDeliveries, async (c) => c.json({ items: toJson(await webhookDeliveries(serviceContext(c, deps), c.req.valid("param").id)) }, 200));
}
