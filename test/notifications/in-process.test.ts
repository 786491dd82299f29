import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notificationDeliveries, outboundMails } from "../../src/db/schema/notifications";
import { databaseMailer } from "../../src/services/notifications/mailer";
import { type NotificationsRuntime, startNotifications } from "../../workers/notifications";
import { ENGINES, type TestDatabase } from "../support/db";
import { testLogger } from "../support/service-log";
import { staffUser } from "../support/ui";
import { insertBeneficiary, PERSON, raiseAlert, waitFor } from "./support";

/**
 * The embedded default: PGlite, no Redis, no SMTP_URL. The outbox trigger works there
 * too, deliveries run in process, and the mail is kept in the database for Courriels.
 */
describe("alert mails in the embedded default (PGlite, in process, kept in the database)", () => {
  let database: TestDatabase;
  let runtime: NotificationsRuntime;

  beforeAll(async () => {
    database = await ENGINES.find((e) => e.name === "pglite")!.create();
    runtime = await startNotifications({ db: database.db, logger: testLogger(), mailer: databaseMailer(), publicUrl: "http://localhost:3000", pollMs: 100 });
    // Migrating PGlite from scratch takes a while on a loaded machine.
  }, 300_000);
  afterAll(async () => {
    await runtime?.close();
    await database?.dispose();
  });

  it("keeps the caseworker's mail in outbound_mails, once, with the delivery marked sent in the same transaction", async () => {
    const caseworker = await staffUser(database.db, "claire@cd53.example", "caseworker", "Claire Morin");
    await raiseAlert(database.db, await insertBeneficiary(database.db, caseworker), "masp3_trigger", ["2026-01", "2026-02"]);
    const mails = await waitFor(async () => {
      const rows = await database.db.select().from(outboundMails);
      return rows.length > 0 && rows;
    }, "the kept mail");
    await runtime.tick();
    expect(await database.db.select().from(outboundMails)).toHaveLength(1);
    expect(mails[0]).toMatchObject({ to: "claire@cd53.example", subject: "[MASP] Déclencheur MASP 3 (L.271-5) – Camille D. (janvier 2026, février 2026)" });
    expect(mails[0]!.text).toContain("L.271-5");
    expect(mails[0]!.text).not.toContain(PERSON.lastName);
    const [delivery] = await database.db.select().from(notificationDeliveries);
    expect(delivery).toMatchObject({ status: "delivered", attempts: 1 });
    expect(mails[0]!.messageId).toBe(`<${delivery!.id}@localhost>`);
  });
});
