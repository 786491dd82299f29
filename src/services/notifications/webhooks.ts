import { randomBytes } from "node:crypto";
import { and, desc, eq, ne } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import { z } from "zod";
import { notificationDeliveries, outboundMails, webhookSubscriptions } from "../../db/schema/notifications";
import { users } from "../../db/schema/users";
import { withTransaction } from "../../db/transaction";
import { ConflictError, NotFoundError } from "../../domain/errors";
import { WEBHOOK_EVENTS } from "../../domain/notifications";
import { recordAudit, type ServiceContext } from "../context";

/**
 * Where the Département's systems listen: http(s) only, no credentials in the URL (the
 * signature authenticates us, the URL is shown on the Webhooks page), bounded.
 */
const WebhookUrl = z
  .url({ protocol: /^https?$/, hostname: z.regexes.hostname })
  .max(2000)
  // Zod runs a refinement even after the URL check failed: parse defensively.
  .refine((u) => {
    const url = URL.parse(u);
    return url !== null && !url.username && !url.password;
  }, "no user or password in the URL");

export const CreateWebhookInput = z
  .object({
    url: WebhookUrl,
    events: z
      .array(z.enum(WEBHOOK_EVENTS))
      .min(1)
      .max(WEBHOOK_EVENTS.length)
      .transform((e) => [...new Set(e)]),
  })
  .strict();
export type CreateWebhookInput = z.input<typeof CreateWebhookInput>;

const subscriptionView = (s: typeof webhookSubscriptions.$inferSelect) => ({
  id: s.id,
  url: s.url,
  events: s.events,
  status: s.status,
  createdAt: s.createdAt,
  pausedAt: s.pausedAt,
  pauseReason: s.pauseReason,
});

/** A new subscription and its secret (`whsec_` + 32 random bytes, base64): the answer is the only time it leaves the database. */
export async function createWebhook({ ctx, data }: { ctx: ServiceContext; data: z.output<typeof CreateWebhookInput> }) {
  return withTransaction(ctx.db, async (tx) => {
    const id = uuidv7();
    const secret = `whsec_${randomBytes(32).toString("base64")}`;
    await tx.insert(webhookSubscriptions).values({ id, url: data.url, events: data.events, secret, createdBy: ctx.actor });
    await recordAudit(tx, ctx, { action: "webhook.create", entityType: "webhook_subscription", entityId: id, changes: { events: data.events } });
    return { id, secret };
  });
}

export async function listWebhooks(ctx: ServiceContext) {
  const rows = await ctx.db.select().from(webhookSubscriptions).where(ne(webhookSubscriptions.status, "deleted")).orderBy(desc(webhookSubscriptions.createdAt));
  return rows.map(subscriptionView);
}

const TRANSITIONS = {
  pause: { from: ["active"], to: "paused" },
  resume: { from: ["paused"], to: "active" },
  delete: { from: ["active", "paused"], to: "deleted" },
} as const;

/** Pause, resume or delete a subscription (deleted: kept for its delivery log, never sent to again). */
export async function changeWebhook({ ctx, id, change }: { ctx: ServiceContext; id: string; change: keyof typeof TRANSITIONS }) {
  const step = TRANSITIONS[change];
  return withTransaction(ctx.db, async (tx) => {
    const [row] = await tx.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.id, id)).for("update");
    if (!row || row.status === "deleted") throw new NotFoundError("webhook subscription", id);
    if (!(step.from as readonly string[]).includes(row.status)) throw new ConflictError(`the subscription is ${row.status}`, { status: row.status });
    const [updated] = await tx
      .update(webhookSubscriptions)
      .set({ status: step.to, pausedAt: step.to === "paused" ? new Date() : null, pauseReason: step.to === "paused" ? "paused by an administrator" : null })
      .where(eq(webhookSubscriptions.id, id))
      .returning();
    if (step.to === "deleted") {
      await tx
        .update(notificationDeliveries)
        .set({ status: "failed", lastError: "subscription deleted" })
        .where(and(eq(notificationDeliveries.subscriptionId, id), eq(notificationDeliveries.status, "pending")));
    }
    await recordAudit(tx, ctx, { action: `webhook.${change}`, entityType: "webhook_subscription", entityId: id, changes: { from: row.status, to: step.to } });
    return subscriptionView(updated!);
  });
}

/** The delivery log of a subscription, newest first (the last 200). */
export async function webhookDeliveries(ctx: ServiceContext, id: string) {
  const [sub] = await ctx.db.select({ id: webhookSubscriptions.id }).from(webhookSubscriptions).where(eq(webhookSubscriptions.id, id));
  if (!sub) throw new NotFoundError("webhook subscription", id);
  const rows = await ctx.db
    .select()
    .from(notificationDeliveries)
    .where(eq(notificationDeliveries.subscriptionId, id))
    .orderBy(desc(notificationDeliveries.createdAt), desc(notificationDeliveries.id))
    .limit(200);
  return rows.map((d) => ({
    id: d.id,
    event: d.event,
    status: d.status === "delivered" || d.status === "failed" ? d.status : ("pending" as const),
    attempts: d.attempts,
    lastError: d.lastError,
    responseStatus: d.responseStatus,
    createdAt: d.createdAt,
    deliveredAt: d.deliveredAt,
  }));
}

/** The mails kept in the database (no SMTP_URL), newest first, for the admins' Courriels page. */
export async function keptMails(ctx: ServiceContext, limit = 100) {
  return ctx.db
    .select({ id: outboundMails.id, to: outboundMails.to, subject: outboundMails.subject, text: outboundMails.text, createdAt: outboundMails.createdAt })
    .from(outboundMails)
    .orderBy(desc(outboundMails.createdAt), desc(outboundMails.id))
    .limit(limit);
}

/** Mail deliveries still failing or given up, for the Courriels page (who is named by role, not address). */
export async function mailDeliveryProblems(ctx: ServiceContext, limit = 50) {
  return ctx.db
    .select({
      id: notificationDeliveries.id,
      status: notificationDeliveries.status,
      attempts: notificationDeliveries.attempts,
      lastError: notificationDeliveries.lastError,
      createdAt: notificationDeliveries.createdAt,
      recipient: users.displayName,
    })
    .from(notificationDeliveries)
    .innerJoin(users, eq(users.id, notificationDeliveries.userId))
    .where(and(eq(notificationDeliveries.channel, "mail"), ne(notificationDeliveries.attempts, 0), ne(notificationDeliveries.status, "delivered")))
    .orderBy(desc(notificationDeliveries.createdAt))
    .limit(limit);
}
