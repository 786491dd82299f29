import type { AlertKind } from "./finance-alerts";

/** How a staff member receives an alert type: at once, or in the 08:30 digest (Paris). */
export const DELIVERY_MODES = ["immediate", "digest"] as const;
export type DeliveryMode = (typeof DELIVERY_MODES)[number];

/** What happened to an alert, one outbox event per version (written by the `alerts_outbox` trigger). */
export const ALERT_EVENT_KINDS = ["raised", "updated", "closed"] as const;
export type AlertEventKind = (typeof ALERT_EVENT_KINDS)[number];

/** The webhook events of the contract. */
export const WEBHOOK_EVENTS = ["alert.raised", "alert.updated", "alert.closed", "masp3.triggered", "statement.inconsistent", "payment.returned"] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const DELIVERY_CHANNELS = ["mail", "webhook"] as const;
/** `alert`: one alert version; `digest`: the day's alerts of one person; `notice`: a message to admins. */
export const DELIVERY_KINDS = ["alert", "digest", "notice"] as const;
/** `grouped`: a digest item, sent inside its digest (`digest_id`). */
export const DELIVERY_STATUSES = ["pending", "delivered", "failed", "grouped"] as const;

export const SUBSCRIPTION_STATUSES = ["active", "paused", "deleted"] as const;

/** A MASP 3 trigger cannot wait for tomorrow's digest (L.271-5: the Département must be told). */
const ALWAYS_IMMEDIATE: readonly AlertKind[] = ["masp3_trigger"];

/** The webhook events one alert event emits: the generic one, plus the specific ones of the contract. */
export function webhookEventsFor(alertType: AlertKind, kind: AlertEventKind): WebhookEvent[] {
  const events: WebhookEvent[] = [`alert.${kind}`];
  if (kind === "raised" && alertType === "masp3_trigger") events.push("masp3.triggered");
  if (kind === "raised" && alertType === "statement_inconsistent") events.push("statement.inconsistent");
  if (kind === "raised" && alertType === "payment_returned") events.push("payment.returned");
  return events;
}

/** The mode a person gets an alert type in: their choice, immediate by default, never a digest for a MASP 3 trigger. */
export function modeFor(alertType: AlertKind, chosen: DeliveryMode | undefined): DeliveryMode {
  if (ALWAYS_IMMEDIATE.includes(alertType)) return "immediate";
  return chosen ?? "immediate";
}

/**
 * The wait before attempt `attempts + 1`: exponential from `baseMs`, capped at an hour,
 * so a receiver down for a day is still tried about hourly.
 */
export function retryDelayMs(attempts: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

/** "Camille D." : enough for the caseworker to know who, no more personal data than that. */
export function shortName(firstName: string, lastName: string): string {
  const initial = [...lastName.trim()][0];
  return initial ? `${firstName.trim()} ${initial.toUpperCase()}.` : firstName.trim();
}
