import { and, eq, sql } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import type { Db, Tx } from "../../db/client";
import { notificationDeliveries, webhookSubscriptions } from "../../db/schema/notifications";
import { users } from "../../db/schema/users";
import { queryRows } from "../../db/sql";
import type { AlertKind } from "../../domain/finance-alerts";
import { type AlertEventKind, retryDelayMs, shortName } from "../../domain/notifications";
import { recordAudit, systemContext } from "../context";
import { type AlertSummary, alertMail, digestMail, type MailText, noticeMail } from "./mail-text";
import { type Mailer, messageIdFor } from "./mailer";
import { sendWebhook } from "./webhook-send";

export interface DeliveryDeps {
  db: Db;
  mailer: Mailer;
  publicUrl: string;
  /** The first retry's wait; each next one doubles (capped at an hour). */
  retryBaseMs: number;
  /** A delivery still failing this long after it was created is given up (24 h). */
  giveUpAfterMs: number;
  webhookTimeoutMs: number;
}

export type DeliveryOutcome =
  | { outcome: "delivered" | "failed" | "skipped" }
  | {
      outcome: "retry";
      attempts: number;
      nextAttemptAt: Date;
    };

type Delivery = typeof notificationDeliveries.$inferSelect;

interface Attempt {
  ok: boolean;
  status?: number;
  error?: string;
}

const SYSTEM_ACTOR = "system:notifications";

/**
 * One attempt at one delivery, in one transaction that holds the delivery's row lock
 * while it sends: a second worker skips it, and if this process dies mid-send the lock
 * goes with its connection and the delivery is still pending for the next attempt. It
 * is marked delivered in that transaction after the send, so only a crash between the
 * receiver's acceptance and the commit can send it again (same Message-ID, same
 * webhook-id: the receiver folds it).
 */
export async function deliverOne(deps: DeliveryDeps, id: string): Promise<DeliveryOutcome> {
  return deps.db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(notificationDeliveries)
      .where(and(eq(notificationDeliveries.id, id), eq(notificationDeliveries.status, "pending")))
      .for("update", { skipLocked: true });
    // Delivered already, taken by another worker, waiting for its digest or for its time.
    if (!row || row.mode === "digest" || row.nextAttemptAt.getTime() > Date.now() + 1_000) return { outcome: "skipped" };
    const attempt = row.channel === "mail" ? await attemptMail(deps, tx, row) : await attemptWebhook(deps, tx, row);
    if (attempt === "skip") return { outcome: "skipped" };
    const attempts = row.attempts + 1;
    if (attempt.ok) {
      await tx
        .update(notificationDeliveries)
        .set({ status: "delivered", attempts, deliveredAt: new Date(), responseStatus: attempt.status ?? null, lastError: null })
        .where(eq(notificationDeliveries.id, id));
      return { outcome: "delivered" };
    }
    const givenUp = Date.now() - row.createdAt.getTime() >= deps.giveUpAfterMs;
    const nextAttemptAt = new Date(Date.now() + retryDelayMs(attempts, deps.retryBaseMs));
    await tx
      .update(notificationDeliveries)
      .set({
        status: givenUp ? "failed" : "pending",
        attempts,
        lastError: (attempt.error ?? "failed").slice(0, 500),
        responseStatus: attempt.status ?? null,
        nextAttemptAt,
      })
      .where(eq(notificationDeliveries.id, id));
    if (!givenUp) return { outcome: "retry", attempts, nextAttemptAt };
    if (row.subscriptionId) await pauseFailingSubscription(deps.db, tx, row.subscriptionId);
    return { outcome: "failed" };
  });
}

async function attemptMail(deps: DeliveryDeps, tx: Tx, row: Delivery): Promise<Attempt | "skip"> {
  const [recipient] = await tx.select({ email: users.email, disabledAt: users.disabledAt }).from(users).where(eq(users.id, row.userId!));
  if (!recipient || recipient.disabledAt) return { ok: false, error: "recipient disabled" };
  const content = await mailContent(deps, tx, row);
  if (!content) return { ok: false, error: "nothing to send (alert gone)" };
  try {
    await deps.mailer.send(tx, { ...content, deliveryId: row.id, messageId: messageIdFor(row.id, deps.publicUrl), to: recipient.email });
    return { ok: true };
  } catch (error) {
    return { ok: false, ...smtpFailure(error) };
  }
}

/** The SMTP reply code and nodemailer's error code only: a server's reply text may quote the address. */
function smtpFailure(error: unknown): { status?: number; error: string } {
  const e = error as { responseCode?: unknown; code?: unknown };
  const status = typeof e?.responseCode === "number" ? e.responseCode : undefined;
  const code = typeof e?.code === "string" ? e.code : "ESEND";
  return { status, error: status ? `SMTP ${status} (${code})` : `SMTP failure (${code})` };
}

async function mailContent(deps: DeliveryDeps, tx: Tx, row: Delivery): Promise<MailText | undefined> {
  if (row.kind === "notice") return noticeMail(String(row.payload.subject ?? "Information"), String(row.payload.text ?? ""));
  const summaries = await queryRows<{
    alert_id: string;
    beneficiary_id: string;
    first_name: string;
    last_name: string;
    type: AlertKind;
    kind: AlertEventKind;
    periods: string[];
    evidence: Record<string, unknown>;
  }>(
    tx,
    sql`select a.id as alert_id, a.beneficiary_id, b.first_name, b.last_name, a.type, e.kind, e.periods, e.evidence
          from notification_deliveries d
          join notification_events e on e.id = d.event_id
          join alerts a on a.id = d.alert_id
          join beneficiaries b on b.id = a.beneficiary_id
         where ${row.kind === "digest" ? sql`d.digest_id = ${row.id}` : sql`d.id = ${row.id}`}
         order by d.created_at, d.id`,
  );
  const items: AlertSummary[] = summaries.map((s) => ({
    alertId: s.alert_id,
    beneficiaryId: s.beneficiary_id,
    who: shortName(s.first_name, s.last_name),
    type: s.type,
    kind: s.kind,
    periods: s.periods,
    evidence: s.evidence ?? {},
  }));
  if (items.length === 0) return undefined;
  return row.kind === "digest" ? digestMail(items, String(row.payload.date ?? ""), deps.publicUrl) : alertMail(items[0]!, deps.publicUrl);
}

async function attemptWebhook(deps: DeliveryDeps, tx: Tx, row: Delivery): Promise<Attempt | "skip"> {
  const [subscription] = await tx.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.id, row.subscriptionId!));
  if (!subscription || subscription.status === "deleted") return { ok: false, error: "subscription deleted" };
  // A paused subscription keeps its deliveries pending until it is resumed.
  if (subscription.status === "paused") return "skip";
  return sendWebhook({
    url: subscription.url,
    secret: subscription.secret,
    id: row.id,
    body: JSON.stringify(row.payload.body),
    timeoutMs: deps.webhookTimeoutMs,
  });
}

/** A receiver that failed a delivery for a whole day is paused, and every active admin is told by mail. */
async function pauseFailingSubscription(db: Db, tx: Tx, subscriptionId: string) {
  const paused = await tx
    .update(webhookSubscriptions)
    .set({ status: "paused", pausedAt: new Date(), pauseReason: "deliveries failing for 24 hours" })
    .where(and(eq(webhookSubscriptions.id, subscriptionId), eq(webhookSubscriptions.status, "active")))
    .returning({ id: webhookSubscriptions.id });
  if (paused.length === 0) return;
  const ctx = systemContext(db, SYSTEM_ACTOR);
  await recordAudit(tx, ctx, { action: "webhook.pause", entityType: "webhook_subscription", entityId: subscriptionId, changes: { reason: "failing" } });
  const admins = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.role, "admin"), sql`${users.disabledAt} is null`));
  if (admins.length === 0) return;
  await tx
    .insert(notificationDeliveries)
    .values(
      admins.map((a) => ({
        id: uuidv7(),
        deliveryKey: `notice:${a.id}:webhook-paused:${subscriptionId}:${Date.now()}`,
        channel: "mail" as const,
        kind: "notice" as const,
        event: "webhook.paused",
        userId: a.id,
        payload: {
          subject: "Abonnement webhook suspendu",
          text: `L'abonnement webhook ${subscriptionId} a été suspendu : ses envois échouent depuis 24 heures. Vérifiez le récepteur, puis réactivez l'abonnement (page Webhooks).`,
        },
      })),
    )
    .onConflictDoNothing();
}
