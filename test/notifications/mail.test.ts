import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../src/auth/tokens";
import { alerts } from "../../src/db/schema/jobs";
import { notificationDeliveries, notificationEvents } from "../../src/db/schema/notifications";
import { queryRows } from "../../src/db/sql";
import { businessDate } from "../../src/domain/business-date";
import { addDays } from "../../src/domain/calendar";
import { smtpMailer } from "../../src/services/notifications/mailer";
import { type NotificationsRuntime, startNotifications } from "../../workers/notifications";
import { JOBS } from "../../workers/registry";
import { apiCaller, createTestApp, type TestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { TEST_REDIS_URL } from "../support/env";
import { deleteQueueKeys } from "../support/queues";
import { testLogger } from "../support/service-log";
import { staffUser } from "../support/ui";
import { insertBeneficiary, PERSON, raiseAlert, rentEvidence, startSmtp, waitFor } from "./support";

/**
 * Mails on a real SMTP server (smtp-server) through the `notifications` queue on the
 * test Redis: who receives what (caseworker, substitute, finance members who asked),
 * the French text with no more personal data than a first name and an initial, one
 * mail per alert version, the 08:30 digest, an SMTP refusal retried.
 */
describe("alert mails", () => {
  let database: TestDatabase;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let runtime: NotificationsRuntime;
  let app: TestApp;
  const prefix = `test-notify-mail-${randomBytes(4).toString("hex")}`;
  const staff = {} as Record<"alice" | "bruno" | "fanny" | "felix" | "admin", string>;
  const tokens = {} as Record<keyof typeof staff, Record<string, string>>;
  const call = apiCaller(
    () => app,
    () => tokens.admin,
  );

  beforeAll(async () => {
    database = await createTestDatabase();
    smtp = await startSmtp();
    app = createTestApp(database.db);
    staff.alice = await staffUser(database.db, "alice@cd53.example", "caseworker", "Alice Martin");
    staff.bruno = await staffUser(database.db, "bruno@cd53.example", "caseworker", "Bruno Petit");
    staff.fanny = await staffUser(database.db, "fanny@cd53.example", "finance", "Fanny Roux");
    staff.felix = await staffUser(database.db, "felix@cd53.example", "finance", "Félix Blanc");
    staff.admin = await staffUser(database.db, "admin@cd53.example", "admin", "Ada Admin");
    for (const [name, id] of Object.entries(staff) as [keyof typeof staff, string][]) {
      const role = name === "admin" ? "admin" : name.startsWith("f") ? "finance" : "caseworker";
      tokens[name] = { Authorization: `Bearer ${(await createToken(database.db, { role, name, userId: id })).token}` };
    }
    runtime = await startNotifications({
      db: database.db,
      logger: testLogger(),
      mailer: smtpMailer(smtp.url, "MASP <masp@cd53.example>"),
      publicUrl: "https://masp.cd53.example",
      pollMs: 200,
      redis: { url: TEST_REDIS_URL, prefix },
      retryBaseMs: 200,
    });
  });
  afterAll(async () => {
    await runtime?.close();
    await smtp?.close();
    await deleteQueueKeys(prefix);
    await database?.dispose();
  });

  const mailsTo = (address: string) => smtp.mails.filter((m) => m.envelopeTo.includes(address));

  it("sends the caseworker one French mail per alert raised: first name and initial, periods, amounts, what to do, the fiche; no IBAN, no CAF number", async () => {
    const beneficiaryId = await insertBeneficiary(database.db, staff.alice);
    const alertId = await raiseAlert(database.db, beneficiaryId, "unpaid_rent", ["2026-01", "2026-02"]);
    const [mail] = await waitFor(() => mailsTo("alice@cd53.example").length > 0 && mailsTo("alice@cd53.example"), "Alice's mail");
    const { parsed, raw } = mail!;
    expect(parsed.subject).toBe("[MASP] Impayé de loyer – Camille D. (janvier 2026, février 2026)");
    expect(parsed.from?.text).toContain("masp@cd53.example");
    const text = parsed.text ?? "";
    expect(text).toContain("Nouvelle alerte : Impayé de loyer pour Camille D.");
    expect(text).toContain("janvier 2026 : dû 500,00\u00a0€, payé 120,00\u00a0€");
    expect(text).toContain("Total dû : 1\u00a0000,00\u00a0€ ; total payé : 240,00\u00a0€");
    expect(text).toContain("Que faire : Contactez la personne et le bailleur");
    expect(text).toContain(`https://masp.cd53.example/beneficiaires/${beneficiaryId}`);
    expect(parsed.html).toContain(`href="https://masp.cd53.example/beneficiaires/${beneficiaryId}"`);
    for (const secret of [PERSON.lastName, PERSON.cafNumber, PERSON.iban, PERSON.iban.slice(4, 14)]) {
      expect(raw, secret).not.toContain(secret);
      expect(parsed.html || "", secret).not.toContain(secret);
    }
    // The Message-ID names the delivery: the same on any resend.
    const [delivery] = await database.db.select().from(notificationDeliveries).where(eq(notificationDeliveries.alertId, alertId));
    expect(parsed.messageId).toBe(`<${delivery!.id}@masp.cd53.example>`);
    await waitFor(
      async () => (await database.db.select().from(notificationDeliveries).where(eq(notificationDeliveries.id, delivery!.id)))[0]?.status === "delivered",
      "delivered",
    );
    const [row] = await database.db.select().from(notificationDeliveries).where(eq(notificationDeliveries.id, delivery!.id));
    expect(row).toMatchObject({ status: "delivered", attempts: 1, channel: "mail", userId: staff.alice, deliveryKey: `mail:${staff.alice}:${alertId}:1` });
  });

  it("writes an event when the arrears grow or the alert closes, none for a change that adds nothing; one mail per version", async () => {
    const beneficiaryId = await insertBeneficiary(database.db, staff.bruno, { firstName: "Jean" });
    const alertId = await raiseAlert(database.db, beneficiaryId, "unpaid_rent", ["2026-01"]);
    await database.db
      .update(alerts)
      .set({ periods: ["2026-01", "2026-02"], evidence: rentEvidence(["2026-01", "2026-02"]) })
      .where(eq(alerts.id, alertId));
    // Acknowledged, periods unchanged: nothing to tell.
    await database.db.update(alerts).set({ status: "acknowledged", acknowledgedAt: new Date(), acknowledgedBy: "user:bruno" }).where(eq(alerts.id, alertId));
    await database.db
      .update(alerts)
      .set({ status: "closed", closedAt: new Date(), closedBy: "system", closeReason: "arrears_paid" })
      .where(eq(alerts.id, alertId));
    const events = await database.db.select().from(notificationEvents).where(eq(notificationEvents.alertId, alertId)).orderBy(notificationEvents.version);
    expect(events.map((e) => [e.version, e.kind])).toEqual([
      [1, "raised"],
      [2, "updated"],
      [3, "closed"],
    ]);
    const mails = await waitFor(() => mailsTo("bruno@cd53.example").length >= 3 && mailsTo("bruno@cd53.example"), "Bruno's three mails");
    expect(mails.map((m) => m.parsed.subject).sort()).toEqual(
      [
        "[MASP] Impayé de loyer – Jean D. (janvier 2026)",
        "[MASP] Alerte aggravée : Impayé de loyer – Jean D. (janvier 2026, février 2026)",
        "[MASP] Alerte close : Impayé de loyer – Jean D. (janvier 2026, février 2026)",
      ].sort(),
    );
    // Every Message-ID differs: one per delivery (recipient, alert, version).
    expect(new Set(mails.map((m) => m.parsed.messageId)).size).toBe(3);
  });

  it("a substitute receives the absent caseworker's alerts during the absence only", async () => {
    const today = businessDate();
    // Set by the caseworker herself; someone else's absence is not hers to set.
    const own = await call(
      "PUT",
      `/v1/users/${staff.alice}/absence`,
      { from: addDays(today, -1), to: addDays(today, 2), substituteId: staff.bruno },
      tokens.alice,
    );
    expect(own.status).toBe(200);
    expect(own.body).toEqual({ userId: staff.alice, from: addDays(today, -1), to: addDays(today, 2), substituteId: staff.bruno });
    expect((await call("PUT", `/v1/users/${staff.bruno}/absence`, { from: today, to: today, substituteId: staff.alice }, tokens.alice)).status).toBe(404);
    const beneficiaryId = await insertBeneficiary(database.db, staff.alice, { firstName: "Sacha" });
    await raiseAlert(database.db, beneficiaryId);
    const [mail] = await waitFor(
      () => smtp.mails.filter((m) => m.parsed.subject?.includes("Sacha D.")).length > 0 && smtp.mails.filter((m) => m.parsed.subject?.includes("Sacha D.")),
      "the substitute's mail",
    );
    expect(mail!.envelopeTo).toEqual(["bruno@cd53.example"]);

    // Over: her alerts come back to her (an admin may set anyone's absence).
    expect(
      (await call("PUT", `/v1/users/${staff.alice}/absence`, { from: addDays(today, -10), to: addDays(today, -5), substituteId: staff.bruno })).status,
    ).toBe(200);
    const later = await insertBeneficiary(database.db, staff.alice, { firstName: "Lou" });
    await raiseAlert(database.db, later);
    const [back] = await waitFor(
      () => smtp.mails.filter((m) => m.parsed.subject?.includes("Lou D.")).length > 0 && smtp.mails.filter((m) => m.parsed.subject?.includes("Lou D.")),
      "Lou",
    );
    expect(back!.envelopeTo).toEqual(["alice@cd53.example"]);
  });

  it("refuses bad absences and preferences with 422, and someone else's settings with 404", async () => {
    const today = businessDate();
    const bad = [
      { from: today, to: addDays(today, -1), substituteId: staff.bruno },
      { from: today, to: today, substituteId: staff.alice },
      { from: today, to: today, substituteId: "0190b7a0-0000-7000-8000-000000000000" },
      { from: "1800-01-01", to: today, substituteId: staff.bruno },
    ];
    for (const body of bad) expect((await call("PUT", `/v1/users/${staff.alice}/absence`, body, tokens.alice)).status, JSON.stringify(body)).toBe(422);
    expect((await call("PUT", `/v1/users/${staff.alice}/notifications`, { masp3_trigger: "digest" }, tokens.alice)).status).toBe(422);
    expect((await call("PUT", `/v1/users/${staff.alice}/notifications`, { unpaid_rent: "weekly" }, tokens.alice)).status).toBe(422);
    expect((await call("PUT", `/v1/users/${staff.alice}/notifications`, { no_such_type: "digest" }, tokens.alice)).status).toBe(422);
    expect((await call("PUT", `/v1/users/${staff.bruno}/notifications`, { unpaid_rent: "digest" }, tokens.alice)).status).toBe(404);
    const audit = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from audit_log where action = 'user.absence' and entity_id = ${staff.alice}`,
    );
    expect(audit[0]!.n).toBe(2);
  });

  it("sends finance alerts to the finance members who asked for that type only", async () => {
    const set = await call("PUT", `/v1/users/${staff.fanny}/notifications`, { payment_rejected: "immediate" }, tokens.fanny);
    expect(set).toMatchObject({ status: 200, body: { userId: staff.fanny, preferences: { payment_rejected: "immediate" } } });
    const beneficiaryId = await insertBeneficiary(database.db, staff.bruno, { firstName: "Nour" });
    const alertId = await raiseAlert(database.db, beneficiaryId, "payment_rejected", ["2026-02"], "finance", {
      paymentOrderId: "0190b7a0-0000-7000-8000-000000000001",
      kind: "rent",
      amount: 48000,
      date: "2026-02-10",
      reasonCode: "AC04",
      reasonLabel: "Compte clôturé",
    });
    const [mail] = await waitFor(() => mailsTo("fanny@cd53.example").length > 0 && mailsTo("fanny@cd53.example"), "Fanny's mail");
    expect(mail!.parsed.subject).toBe("[MASP] Virement rejeté par la banque – Nour D. (février 2026)");
    expect(mail!.parsed.text).toContain("Montant : 480,00\u00a0€");
    expect(mail!.parsed.text).toContain("Motif de la banque : Compte clôturé");
    const deliveries = await database.db.select().from(notificationDeliveries).where(eq(notificationDeliveries.alertId, alertId));
    expect(deliveries.map((d) => d.userId)).toEqual([staff.fanny]);
    expect(mailsTo("felix@cd53.example")).toEqual([]);
  });

  it("groups a day's alerts in one digest mail at 08:30 for who chose it; a MASP 3 trigger still goes at once", async () => {
    expect((await call("PUT", `/v1/users/${staff.bruno}/notifications`, { unpaid_rent: "digest", charge_arrears: "digest" }, tokens.bruno)).status).toBe(200);
    const before = mailsTo("bruno@cd53.example").length;
    const names = ["Ana", "Basile", "Chloé"];
    for (const firstName of names) await raiseAlert(database.db, await insertBeneficiary(database.db, staff.bruno, { firstName }));
    const masp3 = await insertBeneficiary(database.db, staff.bruno, { firstName: "Zoé" });
    await raiseAlert(database.db, masp3, "masp3_trigger", ["2026-01", "2026-02"]);
    await waitFor(() => mailsTo("bruno@cd53.example").some((m) => m.parsed.subject?.includes("Zoé D.")), "the MASP 3 trigger at once");
    const pending = await waitFor(async () => {
      const rows = await queryRows<{ n: number }>(
        database.db,
        sql`select count(*)::int as n from notification_deliveries where mode = 'digest' and status = 'pending'`,
      );
      return rows[0]!.n === 3 && rows[0]!.n;
    }, "three digest items");
    expect(pending).toBe(3);
    expect(mailsTo("bruno@cd53.example").length).toBe(before + 1);

    const summary = await JOBS["alert-digest"].run(
      { db: database.db, logger: testLogger(), actor: "job:alert-digest", reportProgress: async () => {} },
      { asOf: "2026-03-06" },
    );
    expect(summary).toEqual({ asOf: "2026-03-06", recipients: 1, alerts: 3 });
    const digest = await waitFor(() => mailsTo("bruno@cd53.example").find((m) => m.parsed.subject?.startsWith("[MASP] Vos alertes")), "the digest");
    expect(digest.parsed.subject).toBe("[MASP] Vos alertes du 06/03/2026 (3)");
    for (const n of names) expect(digest.parsed.text).toContain(`Impayé de loyer pour ${n} D.`);
    expect(digest.raw).not.toContain(PERSON.iban);
    // A second run the same day has nothing left to group.
    expect(
      await JOBS["alert-digest"].run(
        { db: database.db, logger: testLogger(), actor: "job:alert-digest", reportProgress: async () => {} },
        { asOf: "2026-03-06" },
      ),
    ).toEqual({
      asOf: "2026-03-06",
      recipients: 0,
      alerts: 0,
    });
    const states = await queryRows<{ status: string; n: number }>(
      database.db,
      sql`select status, count(*)::int as n from notification_deliveries where mode = 'digest' group by status`,
    );
    expect(states).toEqual([{ status: "grouped", n: 3 }]);
  });

  it("records an SMTP refusal and sends on a later attempt, once", async () => {
    smtp.state.refuse = 1;
    const beneficiaryId = await insertBeneficiary(database.db, staff.alice, { firstName: "Refus" });
    const alertId = await raiseAlert(database.db, beneficiaryId, "charge_arrears", ["2026-02"]);
    const failed = await waitFor(async () => {
      const [d] = await database.db.select().from(notificationDeliveries).where(eq(notificationDeliveries.alertId, alertId));
      return d && d.attempts >= 1 && d;
    }, "a first attempt");
    expect(failed.lastError ?? "").toMatch(/^SMTP 451/);
    const d = await waitFor(async () => {
      const [row] = await database.db.select().from(notificationDeliveries).where(eq(notificationDeliveries.alertId, alertId));
      return row?.status === "delivered" && row;
    }, "the delivery after the retry");
    expect(d).toMatchObject({ status: "delivered", attempts: 2, lastError: null });
    expect(mailsTo("alice@cd53.example").filter((m) => m.parsed.subject?.includes("Refus D."))).toHaveLength(1);
  });
});
