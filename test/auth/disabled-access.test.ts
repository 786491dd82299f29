import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken, createTokenResolver } from "../../src/auth/tokens";
import { openDatabase } from "../../src/db/client";
import { auditLog } from "../../src/db/schema/audit";
import { createApp } from "../../src/http/app";
import { createLogger } from "../../src/logger";
import { systemContext } from "../../src/services/context";
import { enableUser } from "../../src/services/users/user-access";
import { apiCaller, bearer, createTestApp, type TestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { STAFF_PASSWORD, staffUser } from "../support/ui";
import { browser } from "./support";

/** Runs the CLI (`node --import tsx src/cli.ts`) on the test database to completion. */
function runCli(args: string[], databaseUrl: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], {
      env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d) => (stdout += d));
    child.stderr?.on("data", (d) => (stderr += d));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Issue 12, item 4: a disabled staff member is out everywhere at once (API tokens and UI
 * sessions), re-enabling brings them back, and a revoked token is refused at its next
 * request even by another resolver on another connection pool (another process).
 */
describe("disabled staff and revoked tokens", { timeout: 120_000 }, () => {
  let database: TestDatabase;
  let app: TestApp;
  let adminId: string;
  let claireId: string;
  let claireToken: string;
  let claireTokenId: string;

  const api = (token: string, target: TestApp = app) => target.request("/v1/beneficiaries", { headers: { Authorization: `Bearer ${token}` } });
  const audited = async (action: string, entityId: string) =>
    (
      await database.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, action), eq(auditLog.entityId, entityId)))
    ).length;

  beforeAll(async () => {
    database = await createTestDatabase();
    app = createTestApp(database.db);
    adminId = await staffUser(database.db, "admin@asso.example", "admin", "Alice Admin");
    claireId = await staffUser(database.db, "claire@asso.example", "caseworker", "Claire Durand");
    ({ id: claireTokenId, token: claireToken } = await createToken(database.db, { role: "caseworker", name: "claire-poste", userId: claireId }));
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("disabling through the users page ends the UI sessions and refuses the tokens at once; re-enabling restores both", async () => {
    const admin = browser(app);
    expect((await admin.login("admin@asso.example", STAFF_PASSWORD)).status).toBe(302);
    const claire = browser(app, "192.0.2.20");
    expect((await claire.login("claire@asso.example", STAFF_PASSWORD)).status).toBe(302);
    expect((await claire.get("/")).status).toBe(200);
    expect((await api(claireToken)).status).toBe(200);

    const page = await admin.get("/utilisateurs");
    expect(page.status).toBe(200);
    expect(page.html).toContain("claire@asso.example");
    expect(page.html).toContain("claire-poste");
    const disabled = await admin.post(`/utilisateurs/${claireId}/desactiver`, {}, "/utilisateurs");
    expect(disabled.status, disabled.html).toBe(302);

    expect((await api(claireToken)).status).toBe(401);
    const after = await claire.get("/");
    expect(after.status).toBe(302);
    expect(after.location).toBe("/connexion");
    expect((await browser(app, "192.0.2.21").login("claire@asso.example", STAFF_PASSWORD)).status).toBe(401);
    expect((await admin.get("/utilisateurs")).html).toContain("suspendu (compte désactivé)");
    expect(await audited("user.disable", claireId)).toBe(1);

    await enableUser({ ctx: systemContext(database.db, "test"), data: { userId: claireId } });
    expect((await api(claireToken)).status).toBe(200);
    expect((await browser(app, "192.0.2.22").login("claire@asso.example", STAFF_PASSWORD)).status).toBe(302);
    expect(await audited("user.enable", claireId)).toBe(1);
  });

  it("an administrator may not disable their own account; other roles do not reach the users page", async () => {
    const admin = browser(app);
    await admin.login("admin@asso.example", STAFF_PASSWORD);
    const self = await admin.post(`/utilisateurs/${adminId}/desactiver`, {}, "/utilisateurs");
    expect(self.status).toBe(409);
    expect(self.html).toContain("votre propre compte");
    const claire = browser(app, "192.0.2.23");
    await claire.login("claire@asso.example", STAFF_PASSWORD);
    expect((await claire.get("/utilisateurs")).status).toBe(403);
    expect((await claire.post(`/utilisateurs/${adminId}/desactiver`, {}, "/")).status).toBe(403);
  });

  it("a revoked token is refused at its next request by a second resolver on its own connection pool", async () => {
    const second = await openDatabase({ url: database.url!, poolMax: 2 });
    try {
      const other = createApp({
        db: second.db,
        logger: createLogger("silent"),
        resolveToken: createTokenResolver(second.db),
        queueState: async () => "disabled",
      });
      const { id, token } = await createToken(database.db, { role: "finance", name: "batch-caf" });
      expect((await api(token, other)).status).toBe(200);
      const admin = browser(app);
      await admin.login("admin@asso.example", STAFF_PASSWORD);
      const revoked = await admin.post(`/utilisateurs/jetons/${id}/revoquer`, {}, "/utilisateurs");
      expect(revoked.status, revoked.html).toBe(302);
      const refused = await api(token, other);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ error: { code: "unauthorized" } });
      expect((await api(token)).status).toBe(401);
      expect(await audited("token.revoke", id)).toBe(1);
      expect((await admin.get("/utilisateurs")).html).toContain("révoqué le");
    } finally {
      await second.close();
    }
  });

  it("the API disables and re-enables a user, lists and revokes tokens (admins only)", async () => {
    const call = apiCaller(
      () => app,
      () => ({}),
    );
    const admin = await bearer(database.db, "admin");
    const finance = await bearer(database.db, "finance");
    expect((await call("POST", `/v1/users/${claireId}/disable`, undefined, finance)).status).toBe(403);
    const disabled = await call("POST", `/v1/users/${claireId}/disable`, undefined, admin);
    expect(disabled.status).toBe(200);
    expect(disabled.body).toEqual({ id: claireId, disabled: true });
    expect((await api(claireToken)).status).toBe(401);
    expect((await call("POST", `/v1/users/${claireId}/enable`, undefined, admin)).body).toEqual({ id: claireId, disabled: false });
    expect((await api(claireToken)).status).toBe(200);
    expect((await call("POST", `/v1/users/${randomUUID()}/disable`, undefined, admin)).status).toBe(404);

    const { id, token } = await createToken(database.db, { role: "caseworker", name: "claire-tablette", userId: claireId });
    const listed = await call("GET", `/v1/tokens?userId=${claireId}`, undefined, admin);
    expect(listed.body.items.map((t: { id: string }) => t.id)).toContain(id);
    expect(JSON.stringify(listed.body)).not.toContain(token);
    expect((await call("POST", `/v1/tokens/${id}/revoke`, undefined, admin)).body).toEqual({ id, revoked: true });
    expect((await api(token)).status).toBe(401);
  });

  it("the CLI disables and re-enables a user, lists and revokes tokens", async () => {
    const url = database.url!;
    const disable = await runCli(["users:disable", "--email", "claire@asso.example"], url);
    expect(disable.code, disable.stderr).toBe(0);
    expect((await api(claireToken)).status).toBe(401);
    const enable = await runCli(["users:enable", "--email", "claire@asso.example"], url);
    expect(enable.code, enable.stderr).toBe(0);
    expect((await api(claireToken)).status).toBe(200);

    const list = await runCli(["tokens:list", "--user", "claire@asso.example"], url);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain(claireTokenId);
    expect(list.stdout).toContain("active");
    const revoke = await runCli(["tokens:revoke", "--id", claireTokenId], url);
    expect(revoke.code, revoke.stderr).toBe(0);
    expect((await api(claireToken)).status).toBe(401);
  });
});
