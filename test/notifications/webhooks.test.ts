import { randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { eq, sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notificationDeliveries, outboundMails, webhookSubscriptions } from "../../src/db/schema/notifications";
import { queryRows } from "../../src/db/sql";
import { databaseMailer } from "../../src/services/notifications/mailer";
import { signedHeaders } from "../../src/services/notifications/webhook-send";
import { type NotificationsRuntime, startNotifications } from "../../workers/notifications";
import { apiCaller, bearer, createTestApp, type TestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { TEST_REDIS_URL } from "../support/env";
import { deleteQueueKeys } from "../support/queues";
import { testLogger } from "../support/service-log";
import { staffUser, uiSession } from "../support/ui";
import { insertBeneficiary, PERSON, raiseAlert, waitFor } from "./support";

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A receiver as the Département would write one: it verifies the Standard Webhooks
 * signature with the `standardwebhooks` package (which refuses a timestamp older than
 * five minutes), and folds a webhook-id it already accepted. `fail` makes the next
 * answers 500s, `redirect` a 302 elsewhere.
 */
function startReceiver() {
  const accepted = new Map<string, { type: string; timestamp: string; data: Record<string, unknown> }>();
  const requests: Received[] = [];
  const state = { secret: "", fail: 0, alwaysFail: false, redirect: false };
  const handle = (r: Received): number => {
    if (state.alwaysFail || state.fail > 0) {
      state.fail = Math.max(0, state.fail - 1);
      return 503;
    }
    if (state.redirect) return 302;
    let payload: { type: string; timestamp: string; data: Record<string, unknown> };
    try {
      payload = new Webhook(state.secret).verify(r.body, r.headers as Record<string, string>) as typeof payload;
    } catch {
      return 401;
    }
    const id = String(r.headers["webhook-id"]);
    if (!accepted.has(id)) accepted.set(id, payload);
    return 204;
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const r = { headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      requests.push(r);
      const status = handle(r);
      res.writeHead(status, status === 302 ? { location: "http://127.0.0.1:9/elsewhere" } : {}).end();
    });
  });
  return {
    accepted,
    requests,
    state,
    handle,
    async listen() {
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      return `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks/masp`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("webhooks (Standard Webhooks)", () => {
  let database: TestDatabase;
  let runtime: NotificationsRuntime;
  let app: TestApp;
  let admin: Record<string, string>;
  const receiver = startReceiver();
  let url = "";
  const prefix = `test-notify-hooks-${randomBytes(4).toString("hex")}`;
  const call = apiCaller(
    () => app,
    () => admin,
  );

  beforeAll(async () => {
    database = await createTestDatabase();
    app = createTestApp(database.db);
    admin = await bearer(database.db, "admin");
    await staffUser(database.db, "root@cd53.example", "admin", "Rose Admin");
    url = await receiver.listen();
    runtime = await startNotifications({
      db: database.db,
      logger: testLogger(),
      mailer: databaseMailer(),
      publicUrl: "https://masp.cd53.example",
      pollMs: 200,
      redis: { url: TEST_REDIS_URL, prefix },
      retryBaseMs: 100,
      // A day in production; a few seconds here.
      giveUpAfterMs: 3_000,
      // Long enough for a machine under load: the exactly-once assertions below count attempts.
      webhookTimeoutMs: 10_000,
    });
  });
  afterAll(async () => {
    await runtime?.close();
    await receiver.close();
    await deleteQueueKeys(prefix);
    await database?.dispose();
  });

  const deliveriesOf = async (subscriptionId: string) =>
    (await call("GET", `/v1/webhooks/${subscriptionId}/deliveries`)).body.items as {
      id: string;
      event: string;
      status: string;
      attempts: number;
      responseStatus: number | null;
      lastError: string | null;
    }[];

  it("creates a subscription whose secret is shown once, and refuses URLs that are not http(s)", async () => {
    for (const bad of ["ftp://x.example/h", "javascript:alert(1)", "http://user:pw@x.example/h", `http://x.example/${"a".repeat(2100)}`, "not a url"]) {
      expect((await call("POST", "/v1/webhooks", { url: bad, events: ["alert.raised"] })).status, bad).toBe(422);
    }
    expect((await call("POST", "/v1/webhooks", { url, events: ["alert.nothing"] })).status).toBe(422);
    expect((await call("POST", "/v1/webhooks", { url, events: [] })).status).toBe(422);
    const created = await call("POST", "/v1/webhooks", { url, events: ["alert.raised", "masp3.triggered", "alert.closed"] });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const list = await call("GET", "/v1/webhooks");
    expect(list.body.items).toEqual([
      expect.objectContaining({ id: created.body.id, url, status: "active", events: ["alert.raised", "masp3.triggered", "alert.closed"] }),
    ]);
    expect(list.text).not.toContain(created.body.secret);
    receiver.state.secret = created.body.secret;
  });

  it("signs each event per the specification; a MASP 3 trigger emits alert.raised and masp3.triggered; no IBAN, no CAF number, no name", async () => {
    const beneficiaryId = await insertBeneficiary(database.db, null);
    const alertId = await raiseAlert(database.db, beneficiaryId, "masp3_trigger", ["2026-01", "2026-02"]);
    await waitFor(() => receiver.accepted.size >= 2, "two accepted webhooks");
    const bodies = [...receiver.accepted.values()];
    expect(bodies.map((b) => b.type).sort()).toEqual(["alert.raised", "masp3.triggered"]);
    for (const b of bodies) {
      expect(b.data).toMatchObject({ alertId, beneficiaryId, type: "masp3_trigger", periods: ["2026-01", "2026-02"], version: 1 });
      expect(Date.parse(b.timestamp)).not.toBeNaN();
    }
    for (const r of receiver.requests) {
      expect(r.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      expect(r.headers["webhook-timestamp"]).toMatch(/^\d+$/);
      for (const secret of [PERSON.iban, PERSON.cafNumber, PERSON.lastName, PERSON.firstName]) expect(r.body).not.toContain(secret);
    }
    // The alert closes: alert.closed; an event nobody subscribed to (alert.updated) makes no delivery.
    await database.db.execute(sql`update alerts set periods = array['2026-01','2026-02','2026-03'] where id = ${alertId}`);
    await database.db.execute(
      sql`update alerts set status = 'closed', closed_at = now(), closed_by = 'system', close_reason = 'arrears_paid' where id = ${alertId}`,
    );
    await waitFor(() => [...receiver.accepted.values()].some((b) => b.type === "alert.closed"), "alert.closed");
    const subscriptionId = (await database.db.select().from(webhookSubscriptions))[0]!.id;
    const log = await deliveriesOf(subscriptionId);
    expect(log.map((d) => d.event).sort()).toEqual(["alert.closed", "alert.raised", "masp3.triggered"]);
    expect(log.every((d) => d.status === "delivered" && d.attempts === 1 && d.responseStatus === 204)).toBe(true);
  });

  it("the receiver rejects a replay: an old timestamp or a changed body fails the signature; the same id again is folded", async () => {
    const first = receiver.requests.find((r) => receiver.accepted.has(String(r.headers["webhook-id"])))!;
    const id = String(first.headers["webhook-id"]);
    // Re-signed ten minutes ago with the right secret: beyond the five minutes' tolerance.
    const stale = signedHeaders(receiver.state.secret, id, first.body, new Date(Date.now() - 10 * 60_000));
    expect(receiver.handle({ headers: stale, body: first.body })).toBe(401);
    // The captured headers on another body.
    expect(receiver.handle({ headers: first.headers, body: first.body.replace("masp3_trigger", "unpaid_rent") })).toBe(401);
    // Signed with another secret.
    const forged = signedHeaders(`whsec_${randomBytes(32).toString("base64")}`, id, first.body, new Date());
    expect(receiver.handle({ headers: forged, body: first.body })).toBe(401);
    const before = receiver.accepted.size;
    expect(receiver.handle(first)).toBe(204);
    expect(receiver.accepted.size).toBe(before);
  });

  it("a receiver failing twice then answering gets exactly one accepted delivery, after three attempts", async () => {
    receiver.state.fail = 2;
    const before = receiver.requests.length;
    const alertId = await raiseAlert(database.db, await insertBeneficiary(database.db, null), "unpaid_rent", ["2026-03"]);
    const delivery = await waitFor(async () => {
      const [d] = await database.db.select().from(notificationDeliveries).where(eq(notificationDeliveries.alertId, alertId));
      return d?.status === "delivered" && d;
    }, "the delivery");
    expect(delivery).toMatchObject({ attempts: 3, responseStatus: 204, lastError: null, event: "alert.raised" });
    const mine = receiver.requests.slice(before).filter((r) => r.headers["webhook-id"] === delivery.id);
    expect(mine).toHaveLength(3);
    // The same webhook-id and body on every attempt, a fresh timestamp and signature.
    expect(new Set(mine.map((r) => r.body)).size).toBe(1);
    expect([...receiver.accepted.keys()].filter((k) => k === delivery.id)).toHaveLength(1);
  });

  it("does not follow a redirect: the attempt fails and is retried", async () => {
    receiver.state.redirect = true;
    const alertId = await raiseAlert(database.db, await insertBeneficiary(database.db, null), "unpaid_rent", ["2026-04"]);
    const failed = await waitFor(async () => {
      const [d] = await database.db.select().from(notificationDeliveries).where(eq(notificationDeliveries.alertId, alertId));
      return d && d.attempts >= 1 && d;
    }, "a first attempt");
    expect(failed).toMatchObject({ responseStatus: 302, lastError: "redirect 302 (not followed)" });
    receiver.state.redirect = false;
    await waitFor(async () => {
      const [d] = await database.db.select().from(notificationDeliveries).where(eq(notificationDeliveries.alertId, alertId));
      return d?.status === "delivered";
    }, "delivered after the redirect stopped");
  });

  it("pauses a subscription that keeps failing and tells the admins by mail (kept in the database without SMTP, on the Courriels page)", async () => {
    receiver.state.alwaysFail = true;
    const alertId = await raiseAlert(database.db, await insertBeneficiary(database.db, null), "unpaid_rent", ["2026-05"]);
    const given = await waitFor(
      async () => {
        const [d] = await database.db.select().from(notificationDeliveries).where(eq(notificationDeliveries.alertId, alertId));
        return d?.status === "failed" && d;
      },
      "the delivery given up",
      30_000,
    );
    expect(given.attempts).toBeGreaterThanOrEqual(2);
    expect(given.responseStatus).toBe(503);
    const [subscription] = await database.db.select().from(webhookSubscriptions);
    expect(subscription).toMatchObject({ status: "paused", pauseReason: "deliveries failing for 24 hours" });
    const [mail] = await waitFor(async () => {
      const rows = await database.db.select().from(outboundMails);
      return rows.length > 0 && rows;
    }, "the admins' mail");
    expect(mail).toMatchObject({ to: "root@cd53.example", subject: "[MASP] Abonnement webhook suspendu" });
    const audit = await queryRows<{ action: string }>(database.db, sql`select action from audit_log where entity_type = 'webhook_subscription' order by id`);
    expect(audit.map((a) => a.action)).toEqual(["webhook.create", "webhook.pause"]);

    const page = await (await uiSession(app, "root@cd53.example")).get("/courriels");
    expect(page.status).toBe(200);
    expect(page.html).toContain("Abonnement webhook suspendu");
    const hooks = await (await uiSession(app, "root@cd53.example")).get("/webhooks");
    expect(hooks.html).toContain("suspendu");
    expect(hooks.html).toContain("HTTP 503");
    expect(hooks.html).not.toContain(receiver.state.secret);

    // Resumed, then deleted: its pending deliveries end `failed`, it leaves the list.
    receiver.state.alwaysFail = false;
    expect((await call("POST", `/v1/webhooks/${subscription!.id}/resume`)).body.status).toBe("active");
    expect((await call("POST", `/v1/webhooks/${subscription!.id}/resume`)).status).toBe(409);
    expect((await call("DELETE", `/v1/webhooks/${subscription!.id}`)).body.status).toBe("deleted");
    expect((await call("GET", "/v1/webhooks")).body.items).toEqual([]);
    expect((await call("DELETE", `/v1/webhooks/${subscription!.id}`)).status).toBe(404);
  });
});
