import { sql } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import type { Db } from "../../db/client";
import { notificationDeliveries } from "../../db/schema/notifications";
import { queryRows, uuidArray } from "../../db/sql";
import { withTransaction } from "../../db/transaction";
import type { AlertKind } from "../../domain/finance-alerts";
import { type AlertEventKind, type DeliveryMode, modeFor, webhookEventsFor } from "../../domain/notifications";

interface EventRow {
  id: string;
  alert_id: string;
  version: number;
  kind: AlertEventKind;
  created_at: Date | string;
  type: AlertKind;
  audience: "caseworker" | "finance";
  status: string;
  beneficiary_id: string;
  periods: string[];
  evidence: Record<string, unknown>;
  caseworker_id: string | null;
}

/** What a webhook may carry of the evidence: amounts, dates, periods; never a bank detail or an identifier of the person. */
const PRIVATE_KEY = /iban|bic|caf|name|email|address|phone/i;
function sanitize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sanitize);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([k]) => !PRIVATE_KEY.test(k))
        .map(([k, v]) => [k, sanitize(v)]),
    );
  }
  return value;
}

const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();

/** The webhook body of the contract: `{ type, timestamp, data: { alertId, beneficiaryId, type, periods, ... } }`. */
function webhookBody(e: EventRow, event: string) {
  return {
    type: event,
    timestamp: iso(e.created_at),
    data: {
      alertId: e.alert_id,
      beneficiaryId: e.beneficiary_id,
      type: e.type,
      periods: e.periods,
      audience: e.audience,
      status: e.status,
      version: e.version,
      evidence: sanitize(e.evidence),
    },
  };
}

/**
 * Turns the outbox's new events into deliveries, in one transaction: per event, a mail
 * to the caseworker of the beneficiary (or to their substitute on `today`) or to each
 * finance member who asked for that finance alert type, and a webhook delivery per
 * active subscription to each event it emits. The delivery keys make a second dispatch
 * of the same event (a crash before the commit) write nothing more. Events are taken
 * `skip locked`, so two dispatchers share the work.
 */
export async function dispatchEvents(db: Db, today: string, limit = 200): Promise<{ events: number; deliveries: number }> {
  return withTransaction(db, async (tx) => {
    const events = await queryRows<EventRow>(
      tx,
      sql`select e.id, e.alert_id, e.version, e.kind, e.created_at, a.type, a.audience, e.alert_status as status, a.beneficiary_id, e.periods, e.evidence, b.caseworker_id
            from notification_events e join alerts a on a.id = e.alert_id left join beneficiaries b on b.id = a.beneficiary_id
           where e.dispatched_at is null order by e.created_at, e.id limit ${limit} for update of e skip locked`,
    );
    if (events.length === 0) return { events: 0, deliveries: 0 };
    const caseworkers = [...new Set(events.flatMap((e) => (e.audience === "caseworker" && e.caseworker_id ? [e.caseworker_id] : [])))];
    // The caseworker, or the substitute named for today; nobody when the caseworker is disabled without one.
    const recipients = new Map(
      (
        await queryRows<{ id: string; recipient: string | null }>(
          tx,
          sql`select u.id, case when s.id is not null then s.id when u.disabled_at is null then u.id end as recipient
                from users u
                left join user_absences ab on ab.user_id = u.id and ${today}::date between ab."from" and ab."to"
                left join users s on s.id = ab.substitute_id and s.disabled_at is null
               where u.id = any(${uuidArray(caseworkers)}::uuid[])`,
        )
      ).map((r) => [r.id, r.recipient]),
    );
    const preferences = await queryRows<{ user_id: string; alert_type: AlertKind; mode: DeliveryMode; role: string }>(
      tx,
      sql`select p.user_id, p.alert_type, p.mode, u.role from notification_preferences p join users u on u.id = p.user_id where u.disabled_at is null`,
    );
    const preferenceOf = (userId: string, type: AlertKind) => preferences.find((p) => p.user_id === userId && p.alert_type === type)?.mode;
    const subscriptions = await queryRows<{ id: string; events: string[] }>(tx, sql`select id, events from webhook_subscriptions where status = 'active'`);

    const rows: (typeof notificationDeliveries.$inferInsert)[] = [];
    for (const e of events) {
      const mailTo =
        e.audience === "finance"
          ? preferences.filter((p) => p.role === "finance" && p.alert_type === e.type).map((p) => p.user_id)
          : [recipients.get(e.caseworker_id ?? "") ?? null].filter((r): r is string => r !== null);
      for (const userId of mailTo) {
        rows.push({
          id: uuidv7(),
          deliveryKey: `mail:${userId}:${e.alert_id}:${e.version}`,
          channel: "mail",
          kind: "alert",
          eventId: e.id,
          alertId: e.alert_id,
          event: e.kind,
          userId,
          mode: modeFor(e.type, preferenceOf(userId, e.type)),
        });
      }
      for (const event of webhookEventsFor(e.type, e.kind)) {
        for (const s of subscriptions.filter((s) => s.events.includes(event))) {
          rows.push({
            id: uuidv7(),
            deliveryKey: `webhook:${s.id}:${e.alert_id}:${e.version}:${event}`,
            channel: "webhook",
            kind: "alert",
            eventId: e.id,
            alertId: e.alert_id,
            event,
            subscriptionId: s.id,
            payload: { body: webhookBody(e, event) },
          });
        }
      }
    }
    const written = rows.length ? await tx.insert(notificationDeliveries).values(rows).onConflictDoNothing().returning({ id: notificationDeliveries.id }) : [];
    await queryRows(tx, sql`update notification_events set dispatched_at = now() where id = any(${uuidArray(events.map((e) => e.id))}::uuid[])`);
    return { events: events.length, deliveries: written.length };
  });
}

/** Pending deliveries whose time has come (immediate ones, digests and notices), oldest first. */
export async function dueDeliveries(db: Db, limit = 500): Promise<{ id: string; attempts: number; nextAttemptAt: Date }[]> {
  const rows = await queryRows<{ id: string; attempts: number; next_attempt_at: Date | string }>(
    db,
    sql`select id, attempts, next_attempt_at from notification_deliveries
         where status = 'pending' and mode = 'immediate' and next_attempt_at <= now() order by next_attempt_at limit ${limit}`,
  );
  return rows.map((r) => ({ id: r.id, attempts: Number(r.attempts), nextAttemptAt: new Date(r.next_attempt_at) }));
}
