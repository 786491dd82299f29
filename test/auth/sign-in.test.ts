import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { Hono } from "hono";
import { Redis } from "ioredis";
import { generate } from "otplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLoginThrottle, type ThrottlePolicy } from "../../src/auth/login-throttle";
import { auditLog } from "../../src/db/schema/audit";
import { users } from "../../src/db/schema/users";
import { systemContext } from "../../src/services/context";
import { resetPassword } from "../../src/services/users/passwords";
import { CreateUserInput, createUser } from "../../src/services/users/users";
import { createTestApp, type TestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { TEST_REDIS_URL } from "../support/env";
import { deleteQueueKeys } from "../support/queues";
import { STAFF_PASSWORD, staffUser } from "../support/ui";
import { browser } from "./support";

const policy = (account: [number, number], address: [number, number] = [100, 100]): ThrottlePolicy => ({
  account: { delayAfter: account[0], lockAfter: account[1] },
  address: { delayAfter: address[0], lockAfter: address[1] },
  lockSeconds: 1,
  maxDelaySeconds: 60,
  windowSeconds: 60,
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const GOOD = "Nouveau-mot-de-passe-2026";

/**
 * Issue 12, item 5: throttling per account and per address (growing delay, temporary
 * lock, shared through Redis), the same answer for an unknown e-mail, the one-time
 * password replaced at first sign-in, password change and reset, TOTP enrolment and
 * sign-in with `MFA_REQUIRED=on`, and sessions ending after 30 minutes idle.
 */
describe("sign-in controls", { timeout: 60_000 }, () => {
  let database: TestDatabase;
  let app: TestApp;
  const ctx = () => systemContext(database.db, "test");

  /** A staff member as the CLI creates one: with a one-time password to replace. */
  async function newcomer(email: string, role: "admin" | "finance" | "caseworker", displayName: string) {
    const user = await createUser({ ctx: ctx(), data: CreateUserInput.parse({ email, role, displayName }) });
    return resetPassword({ ctx: ctx(), data: { userId: user.id } });
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    app = createTestApp(database.db);
    await staffUser(database.db, "admin@asso.example", "admin", "Alice Admin");
    await staffUser(database.db, "bruno@asso.example", "finance", "Bruno Petit");
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("an unknown e-mail gets the same answer as a wrong password", async () => {
    const unknown = await browser(app, "198.51.100.1").login("personne@asso.example", "Faux-mot-de-passe-1");
    const wrong = await browser(app, "198.51.100.2").login("bruno@asso.example", "Faux-mot-de-passe-1");
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.html.replace("personne@asso.example", "E")).toBe(wrong.html.replace("bruno@asso.example", "E"));
    expect(wrong.html).toContain("E-mail ou mot de passe incorrect.");
  });

  it("locks an account at its threshold, even for the right password, and the lock expires", async () => {
    const throttled = createTestApp(database.db, { loginThrottle: createLoginThrottle({ policy: policy([100, 3]) }) });
    const b = browser(throttled, "198.51.100.3");
    for (let i = 0; i < 3; i++) expect((await b.login("bruno@asso.example", "Faux-mot-de-passe-1")).status).toBe(401);
    const locked = await b.login("bruno@asso.example", STAFF_PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.html).toContain("la connexion est bloquée");
    // Another address is locked out of this account as well.
    expect((await browser(throttled, "198.51.100.4").login("bruno@asso.example", STAFF_PASSWORD)).status).toBe(429);
    await sleep(1_200);
    expect((await b.login("bruno@asso.example", STAFF_PASSWORD)).status).toBe(302);
  });

  it("imposes a growing delay before the lock", async () => {
    const throttled = createTestApp(database.db, { loginThrottle: createLoginThrottle({ policy: policy([1, 10]) }) });
    const b = browser(throttled, "198.51.100.5");
    expect((await b.login("personne@asso.example", "x")).status).toBe(401);
    const first = await throttled.request("/connexion", { method: "POST", body: new URLSearchParams({ email: "personne@asso.example", password: "x" }) });
    expect(first.status).toBe(429);
    expect(first.headers.get("retry-after")).toBe("1");
    expect(await first.text()).toContain("patientez 1 s");
    await sleep(1_100);
    expect((await b.login("personne@asso.example", "x")).status).toBe(401);
    const second = await b.login("personne@asso.example", "x");
    expect(second.status).toBe(429);
    expect(second.html).toContain("patientez 2 s");
  });

  it("locks an address trying many accounts, not the others", async () => {
    const throttled = createTestApp(database.db, { loginThrottle: createLoginThrottle({ policy: policy([100, 100], [100, 3]) }) });
    const guesser = browser(throttled, "203.0.113.9");
    for (const who of ["a", "b", "c"]) expect((await guesser.login(`${who}@asso.example`, "x")).status).toBe(401);
    expect((await guesser.login("bruno@asso.example", STAFF_PASSWORD)).status).toBe(429);
    expect((await browser(throttled, "203.0.113.10").login("bruno@asso.example", STAFF_PASSWORD)).status).toBe(302);
  });

  it("on Redis, the counts are shared by every API process", async () => {
    const prefix = `test-throttle-${randomBytes(4).toString("hex")}`;
    const redis = new Redis(TEST_REDIS_URL, { enableOfflineQueue: false });
    try {
      await new Promise((resolve) => redis.once("ready", resolve));
      const one = createTestApp(database.db, { loginThrottle: createLoginThrottle({ redis, prefix, policy: policy([100, 2]) }) });
      const two = createTestApp(database.db, { loginThrottle: createLoginThrottle({ redis, prefix, policy: policy([100, 2]) }) });
      expect((await browser(one, "198.51.100.6").login("bruno@asso.example", "x")).status).toBe(401);
      expect((await browser(two, "198.51.100.7").login("bruno@asso.example", "x")).status).toBe(401);
      expect((await browser(one, "198.51.100.8").login("bruno@asso.example", STAFF_PASSWORD)).status).toBe(429);
      // No e-mail in Redis: the account key is a hash.
      const keys = await redis.keys(`${prefix}:*`);
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.join(" ")).not.toContain("bruno");
      await sleep(1_200);
      expect((await browser(two, "198.51.100.8").login("bruno@asso.example", STAFF_PASSWORD)).status).toBe(302);
    } finally {
      redis.disconnect();
      await deleteQueueKeys(prefix);
    }
  });

  it("the one-time password must be replaced at first sign-in, by one that keeps the policy", async () => {
    const { password } = await newcomer("dina@asso.example", "caseworker", "Dina Roux");
    const dina = browser(app, "198.51.100.11");
    expect((await dina.login("dina@asso.example", password)).status).toBe(302);
    for (const path of ["/", "/beneficiaires", "/alertes"]) expect((await dina.get(path)).location).toBe("/mot-de-passe");
    const page = await dina.get("/mot-de-passe");
    expect(page.html).toContain("mot de passe est provisoire");

    const weak = await dina.post("/mot-de-passe", { currentPassword: password, newPassword: "court", confirmation: "court" });
    expect(weak.status).toBe(422);
    expect(weak.html).toContain("mot de passe trop faible");
    const named = await dina.post("/mot-de-passe", { currentPassword: password, newPassword: "Roux-du-29-mars-2026", confirmation: "Roux-du-29-mars-2026" });
    expect(named.html).toContain("ni votre adresse e-mail ni votre nom");
    const mismatch = await dina.post("/mot-de-passe", { currentPassword: password, newPassword: GOOD, confirmation: `${GOOD}x` });
    expect(mismatch.html).toContain("les deux saisies du nouveau mot de passe diffèrent");
    const wrong = await dina.post("/mot-de-passe", { currentPassword: "pas-le-bon", newPassword: GOOD, confirmation: GOOD });
    expect(wrong.html).toContain("mot de passe actuel incorrect");
    expect(wrong.html).not.toContain(GOOD);

    const changed = await dina.post("/mot-de-passe", { currentPassword: password, newPassword: GOOD, confirmation: GOOD });
    expect(changed.status, changed.html).toBe(302);
    expect((await dina.get("/")).status).toBe(200);
    expect((await browser(app, "198.51.100.12").login("dina@asso.example", password)).status).toBe(401);
    expect((await browser(app, "198.51.100.12").login("dina@asso.example", GOOD)).status).toBe(302);
  });

  it("an administrator's reset issues a new one-time password and ends the sessions", async () => {
    const { password } = await newcomer("emile@asso.example", "finance", "Émile Blanc");
    const emile = browser(app, "198.51.100.13");
    await emile.login("emile@asso.example", password);
    await emile.post("/mot-de-passe", { currentPassword: password, newPassword: GOOD, confirmation: GOOD });
    expect((await emile.get("/")).status).toBe(200);

    const admin = browser(app, "198.51.100.14");
    await admin.login("admin@asso.example", STAFF_PASSWORD);
    const [row] = await database.db.select({ id: users.id }).from(users).where(eq(users.email, "emile@asso.example"));
    const reset = await admin.post(`/utilisateurs/${row!.id}/mot-de-passe`, {}, "/utilisateurs");
    expect(reset.status).toBe(200);
    const issued = /id="mot-de-passe-provisoire">([^<]+)</.exec(reset.html)?.[1];
    expect(issued).toMatch(/^[A-Za-z0-9]{16}$/);
    expect((await emile.get("/")).location).toBe("/connexion");
    expect((await browser(app, "198.51.100.15").login("emile@asso.example", GOOD)).status).toBe(401);
    const again = browser(app, "198.51.100.15");
    expect((await again.login("emile@asso.example", issued!)).status).toBe(302);
    expect((await again.get("/")).location).toBe("/mot-de-passe");
    const audit = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "user.password_reset"), eq(auditLog.entityId, row!.id)));
    expect(audit.map((a) => a.actor)).toContain("user:admin@asso.example");
    expect(JSON.stringify(audit)).not.toContain(issued!);
  });

  it("with MFA_REQUIRED=on, admin and finance enrol a TOTP app, then sign in with its code", async () => {
    let now = new Date("2026-03-06T09:00:00Z");
    const mfa = createTestApp(database.db, { mfaRequired: true, now: () => now });
    const epoch = () => Math.floor(now.getTime() / 1000);
    const bruno = browser(mfa, "198.51.100.16");
    expect((await bruno.login("bruno@asso.example", STAFF_PASSWORD)).location).toBe("/");
    expect((await bruno.get("/paiements")).location).toBe("/securite/totp");
    const enrol = await bruno.get("/securite/totp");
    const secret = /id="totp-secret">([A-Z2-7]+)</.exec(enrol.html)?.[1] ?? "";
    expect(secret).not.toBe("");
    expect(enrol.html).toContain("otpauth://totp/");
    const wrongCode = await bruno.post("/securite/totp", { code: "000000" });
    expect(wrongCode.status).toBe(422);
    expect(wrongCode.html).toContain("code incorrect ou expiré");
    const enrolled = await bruno.post("/securite/totp", { code: await generate({ secret, epoch: epoch() }) });
    expect(enrolled.status).toBe(302);
    expect((await bruno.get("/virements")).status).toBe(200);

    // The next sign-in asks for the code before anything opens.
    const next = browser(mfa, "198.51.100.17");
    expect((await next.login("bruno@asso.example", STAFF_PASSWORD)).location).toBe("/connexion/code");
    expect((await next.get("/paiements")).location).toBe("/connexion/code");
    const refused = await next.post("/connexion/code", { code: "123456" });
    expect(refused.status).toBe(401);
    expect(refused.html).toContain("Code incorrect ou expiré.");
    now = new Date(now.getTime() + 60_000);
    const code = await generate({ secret, epoch: epoch() });
    const accepted = await next.post("/connexion/code", { code });
    expect(accepted.location).toBe("/");
    expect((await next.get("/virements")).status).toBe(200);

    // A code opens one sign-in: the same code, replayed at once, is refused.
    const replay = browser(mfa, "198.51.100.20");
    expect((await replay.login("bruno@asso.example", STAFF_PASSWORD)).location).toBe("/connexion/code");
    expect((await replay.post("/connexion/code", { code })).status).toBe(401);

    // Caseworkers are not required to enrol.
    await staffUser(database.db, "fanny@asso.example", "caseworker", "Fanny Caron");
    const fanny = browser(mfa, "198.51.100.18");
    await fanny.login("fanny@asso.example", STAFF_PASSWORD);
    expect((await fanny.get("/")).status).toBe(200);
  });

  it("the queue dashboard takes no session that still owes its TOTP enrolment", async () => {
    const dashboard = new Hono().get("/", (c) => c.text("tableau des files"));
    const mfa = createTestApp(database.db, { mfaRequired: true, queueDashboard: dashboard });
    const admin = browser(mfa, "198.51.100.21");
    await admin.login("admin@asso.example", STAFF_PASSWORD);
    const refused = await mfa.request("/admin/queues", { headers: { cookie: admin.cookie } });
    expect(refused.status).toBe(401);
    const plain = createTestApp(database.db, { queueDashboard: dashboard });
    const signedIn = browser(plain, "198.51.100.22");
    await signedIn.login("admin@asso.example", STAFF_PASSWORD);
    expect((await plain.request("/admin/queues", { headers: { cookie: signedIn.cookie } })).status).toBe(200);
  });

  it("a session ends after 30 minutes without a request, and each request slides that deadline", async () => {
    let now = new Date("2026-03-06T09:00:00Z");
    const clocked = createTestApp(database.db, { now: () => now });
    const later = (minutes: number) => {
      now = new Date(now.getTime() + minutes * 60_000);
    };
    const admin = browser(clocked, "198.51.100.19");
    await admin.login("admin@asso.example", STAFF_PASSWORD);
    later(29);
    expect((await admin.get("/")).status).toBe(200);
    later(29);
    expect((await admin.get("/")).status).toBe(200);
    later(31);
    const expired = await admin.get("/");
    expect(expired.status).toBe(302);
    expect(expired.location).toBe("/connexion");
  });
});
