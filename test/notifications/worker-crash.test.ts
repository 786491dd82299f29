import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notificationDeliveries } from "../../src/db/schema/notifications";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { TEST_REDIS_URL } from "../support/env";
import { deleteQueueKeys } from "../support/queues";
import { staffUser } from "../support/ui";
import { insertBeneficiary, PERSON, raiseAlert, startSmtp, waitFor } from "./support";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/** `node --import tsx src/server.ts --role=worker`, in its own process group so the kill reaches it alone. */
class WorkerProcess {
  stdout = "";
  stderr = "";
  readonly child: ChildProcess;
  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, ["--import", "tsx", "src/server.ts", "--role=worker"], {
      cwd: repoRoot,
      env: { ...process.env, LOG_LEVEL: "info", SCHEDULER: "off", ...env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    this.child.stdout!.setEncoding("utf8").on("data", (d: string) => (this.stdout += d));
    this.child.stderr!.setEncoding("utf8").on("data", (d: string) => (this.stderr += d));
  }
  async waitLog(msg: string, timeoutMs = 120_000) {
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(100)) {
      if (this.stdout.split("\n").some((l) => l.includes(`"msg":"${msg}"`))) return;
      if (this.child.exitCode !== null) break;
    }
    throw new Error(`no "${msg}" log line\n${this.stdout}\n${this.stderr}`);
  }
  kill() {
    try {
      process.kill(-this.child.pid!, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

/**
 * A worker process SIGKILLed while the SMTP server holds its mail unanswered (after the
 * alert, before the send completed): the delivery stays pending, and a second worker
 * sends it once when the first one's lock expires — one mail, one delivery.
 */
describe("a worker killed between the alert and the send", () => {
  let database: TestDatabase;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const workers: WorkerProcess[] = [];
  const prefix = `test-notify-crash-${randomBytes(4).toString("hex")}`;

  beforeAll(async () => {
    database = await createTestDatabase();
    smtp = await startSmtp();
  });
  afterAll(async () => {
    for (const w of workers) w.kill();
    await smtp?.close();
    await deleteQueueKeys(prefix);
    await database?.dispose();
  });

  it("delivers once after the restart", async () => {
    const env = {
      DATABASE_URL: database.url!,
      DATABASE_OWNER_URL: database.ownerUrl!,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      JOB_LOCK_MS: "3000",
      JOB_STALLED_INTERVAL_MS: "1000",
      SMTP_URL: smtp.url,
      MAIL_FROM: "MASP <masp@cd53.example>",
      PUBLIC_URL: "https://masp.cd53.example",
      NOTIFICATIONS_POLL_MS: "200",
    };
    const caseworker = await staffUser(database.db, "claire@cd53.example", "caseworker", "Claire Morin");
    smtp.state.hang = 1;
    const first = new WorkerProcess(env);
    workers.push(first);
    await first.waitLog("notifications started");
    const alertId = await raiseAlert(database.db, await insertBeneficiary(database.db, caseworker));
    // The first worker has sent the whole message; the server never answers it.
    await waitFor(() => smtp.state.dataStarted >= 1 && smtp.state.hang === 0, "the first worker in the middle of the send", 60_000);
    first.kill();
    await waitFor(() => first.child.exitCode !== null || first.child.signalCode !== null, "the first worker gone");
    const [pending] = await database.db.select().from(notificationDeliveries).where(eq(notificationDeliveries.alertId, alertId));
    expect(pending).toMatchObject({ status: "pending", attempts: 0 });
    expect(smtp.mails).toHaveLength(0);

    const second = new WorkerProcess(env);
    workers.push(second);
    await second.waitLog("notifications started");
    const delivered = await waitFor(
      async () => {
        const [d] = await database.db.select().from(notificationDeliveries).where(eq(notificationDeliveries.alertId, alertId));
        return d?.status === "delivered" && d;
      },
      "the delivery after the restart",
      120_000,
    );
    expect(delivered.attempts).toBe(1);
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]!.envelopeTo).toEqual(["claire@cd53.example"]);
    expect(smtp.mails[0]!.parsed.messageId).toBe(`<${delivered.id}@masp.cd53.example>`);
    // Still one a moment later: nothing else was queued for it.
    await sleep(1_500);
    expect(smtp.mails).toHaveLength(1);
    // The workers' logs name deliveries by id only.
    for (const w of workers) for (const personal of ["claire@cd53.example", PERSON.lastName, PERSON.iban]) expect(w.stdout + w.stderr).not.toContain(personal);
  }, 300_000);
});
