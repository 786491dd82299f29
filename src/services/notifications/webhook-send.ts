import { Webhook } from "standardwebhooks";

export interface WebhookResult {
  ok: boolean;
  status?: number;
  error?: string;
}

/**
 * One POST signed per Standard Webhooks: `webhook-id` (the delivery, the same on every
 * attempt so the receiver can drop a repeat), `webhook-timestamp` (now, so a receiver
 * refuses a replay after its tolerance) and `webhook-signature` over id.timestamp.body.
 * A redirect is a failure (never followed: the subscription names where the data goes).
 */
export async function sendWebhook({
  url,
  secret,
  id,
  body,
  timeoutMs,
  at = new Date(),
}: {
  url: string;
  secret: string;
  id: string;
  body: string;
  timeoutMs: number;
  at?: Date;
}): Promise<WebhookResult> {
  const headers = signedHeaders(secret, id, body, at);
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "masp-ledger-webhooks", ...headers },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    // The answer's body is not read beyond what closes the connection cleanly.
    await res.body?.cancel().catch(() => {});
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    return { ok: false, status: res.status, error: res.status >= 300 && res.status < 400 ? `redirect ${res.status} (not followed)` : `HTTP ${res.status}` };
  } catch (error) {
    const name = error instanceof Error ? error.name : "Error";
    return { ok: false, error: name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : `connection failed (${errorCode(error)})` };
  }
}

export function signedHeaders(secret: string, id: string, body: string, at: Date): Record<string, string> {
  return {
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign(id, at, body),
  };
}

/** The system error code only (ECONNREFUSED…): never a message that could carry the URL's query. */
function errorCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } })?.cause;
  return typeof cause?.code === "string" ? cause.code : "network";
}
