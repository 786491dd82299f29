import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/sql";
import { apiCaller, bearer, createTestApp, type TestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { capturedLogger } from "../support/service-log";
import { STAFF_PASSWORD, staffUser, uiSession } from "../support/ui";

/** Issue 12, control 7: who signed in, out, made tokens and read whose data, from where. */
const ADDRESS = "203.0.113.7";
/** What `@hono/node-server` gives a request that came through a socket. */
const fromSocket = { incoming: { socket: { remoteAddress: ADDRESS, remotePort: 50_000, remoteFamily: "IPv4" } } };
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

interface Trace {
  action: string;
  actor: string;
  role: string | null;
  user_id: string | null;
  token_id: string | null;
  source: string | null;
  request_id: string | null;
  beneficiary_id: string | null;
  details: any;
}

describe("access traces (issue 12, control 7)", () => {
  let database: TestDatabase;
  let app: TestApp;
  const log = capturedLogger();
  let finance: Record<string, string>;
  let financeTokenId: string;
  let beneficiaryId: string;

  const traces = async (where = sql`true`) =>
    (
      await queryRows<Trace>(
        database.db,
        sql`select action, actor, role, user_id::text as user_id, token_id::text as token_id, source, request_id, beneficiary_id::text as beneficiary_id, details
              from access_log where ${where} order by id`,
      )
    ).map((t) => ({ ...t, details: typeof t.details === "string" ? JSON.parse(t.details) : t.details }));
  const lastTrace = async (action: string) => (await traces(sql`action = ${action}`)).at(-1);

  beforeAll(async () => {
    database = await createTestDatabase();
    app = createTestApp(database.db, { logger: log.logger, today: () => "2026-03-06" });
    finance = await bearer(database.db, "finance");
    const [token] = await queryRows<{ id: string }>(database.db, sql`select id::text as id from api_tokens where name = 'test-finance'`);
    financeTokenId = token!.id;
    const b = await apiCaller(
      () => app,
      () => finance,
    )("POST", "/v1/beneficiaries", { firstName: "Jeanne", lastName: "Valjeanne", birthDate: "1971-04-23", cafNumber: "9876543" });
    expect(b.status, b.text).toBe(201);
    beneficiaryId = b.body.id;
  });
  afterAll(async () => {
    await database?.dispose();
  });

  describe("sign-ins, sign-outs, tokens", () => {
    it("records a sign-in with the user, role and the client's address", async () => {
      const userId = await staffUser(database.db, "trace-ok@asso.example", "caseworker", "Agent Trace");
      const res = await app.request(
        "/connexion",
        { method: "POST", body: new URLSearchParams({ email: "trace-ok@asso.example", password: STAFF_PASSWORD }) },
        fromSocket,
      );
      expect(res.status).toBe(302);
      expect(await lastTrace("login.succeeded")).toMatchObject({ user_id: userId, role: "caseworker", source: ADDRESS, actor: "user:trace-ok@asso.example" });
    });

    it("records a failed sign-in with the account aimed at (if any) and the address, never the e-mail typed", async () => {
      const userId = await staffUser(database.db, "trace-ko@asso.example", "finance", "Agent Ko");
      const wrong = await app.request(
        "/connexion",
        { method: "POST", body: new URLSearchParams({ email: "trace-ko@asso.example", password: "not the password" }) },
        fromSocket,
      );
      expect(wrong.status).toBe(401);
      expect(await lastTrace("login.failed")).toMatchObject({ user_id: userId, source: ADDRESS, actor: "anonymous", details: { knownAccount: true } });

      const unknown = await app.request(
        "/connexion",
        { method: "POST", body: new URLSearchParams({ email: "nobody-here@asso.example", password: "whatever" }) },
        fromSocket,
      );
      expect(unknown.status).toBe(401);
      const trace = await lastTrace("login.failed");
      expect(trace).toMatchObject({ user_id: null, source: ADDRESS, details: { knownAccount: false } });
      expect(JSON.stringify(await traces())).not.toContain("nobody-here");
    });

    it("records a sign-out with who signed out", async () => {
      const userId = await staffUser(database.db, "trace-out@asso.example", "finance", "Agent Out");
      const ui = await uiSession(app, "trace-out@asso.example");
      const res = await app.request(
        "/deconnexion",
        { method: "POST", headers: { cookie: ui.cookie }, body: new URLSearchParams({ _csrf: ui.csrf }) },
        fromSocket,
      );
      expect(res.status).toBe(302);
      expect(await lastTrace("logout")).toMatchObject({ user_id: userId, role: "finance", source: ADDRESS });
    });

    it("records a token created from the command line, with the operating-system account and machine", async () => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ["--import", "tsx", "src/cli.ts", "tokens:create", "--role", "finance", "--name", "poste-trace"],
        {
          cwd: repoRoot,
          env: { ...process.env, DATABASE_URL: database.url, DATABASE_OWNER_URL: database.ownerUrl, LOG_LEVEL: "warn" },
          timeout: 60_000,
        },
      );
      const id = /\(id ([0-9a-f-]{36})\)/.exec(stdout)?.[1];
      expect(id).toBeDefined();
      const trace = await lastTrace("token.created");
      expect(trace).toMatchObject({ actor: "cli", details: { createdTokenId: id, role: "finance" } });
      expect(trace?.source).toMatch(/^cli:.+@.+/);
    });
  });

  describe("reads of personal data", () => {
    it("records list, search (its length, never its text), fiche, alerts and payment orders, with the token and request id", async () => {
      const call = apiCaller(
        () => app,
        () => finance,
      );
      expect((await call("GET", "/v1/beneficiaries")).status).toBe(200);
      const list = await lastTrace("beneficiary.list");
      expect(list).toMatchObject({ token_id: financeTokenId, role: "finance", actor: "token:test-finance" });
      expect(list?.request_id).toBeTruthy();

      const search = await call("GET", "/v1/beneficiaries?q=Valjea");
      expect(search.body.items).toHaveLength(1);
      expect((await lastTrace("beneficiary.search"))?.details).toMatchObject({ search: { length: 6, kind: "text" }, results: 1 });
      await call("GET", "/v1/beneficiaries?q=98765");
      expect((await lastTrace("beneficiary.search"))?.details).toMatchObject({ search: { length: 5, kind: "number" } });

      expect((await call("GET", `/v1/beneficiaries/${beneficiaryId}`)).status).toBe(200);
      expect(await lastTrace("beneficiary.read")).toMatchObject({ beneficiary_id: beneficiaryId, token_id: financeTokenId });
      // A fiche read is an access trace now, not a business audit row.
      expect(await queryRows(database.db, sql`select 1 from audit_log where action = 'beneficiary.read'`)).toHaveLength(0);

      expect((await call("GET", `/v1/alerts?beneficiaryId=${beneficiaryId}`)).status).toBe(200);
      expect(await lastTrace("alert.list")).toMatchObject({ beneficiary_id: beneficiaryId });
      expect((await call("GET", "/v1/payment-orders?status=pending")).status).toBe(200);
      expect((await lastTrace("payment_order.list"))?.details).toMatchObject({ status: "pending", results: 0 });

      const everything = JSON.stringify(await traces());
      for (const value of ["Valjea", "Jeanne", "98765"]) expect(everything).not.toContain(value);
    });

    it("records the UI's searches with the signed-in user and the address", async () => {
      const userId = await staffUser(database.db, "trace-ui@asso.example", "finance", "Agent UI");
      const ui = await uiSession(app, "trace-ui@asso.example");
      const res = await app.request("/beneficiaires?q=Valjeanne", { headers: { cookie: ui.cookie } }, fromSocket);
      expect(res.status).toBe(200);
      expect(await lastTrace("beneficiary.search")).toMatchObject({ user_id: userId, source: ADDRESS, details: { search: { length: 9 } } });
    });
  });

  describe("the request log", () => {
    it("carries the request id and who made the request (token or user id), never a name or an e-mail", async () => {
      log.lines.length = 0;
      await app.request("/v1/beneficiaries", { headers: finance });
      const ui = await uiSession(app, "trace-ui@asso.example");
      await app.request("/beneficiaires", { headers: { cookie: ui.cookie } });
      const requests = log.lines.map((l) => JSON.parse(l)).filter((l) => l.msg === "request");
      const api = requests.find((l) => l.path === "/v1/beneficiaries");
      expect(api).toMatchObject({ tokenId: financeTokenId, role: "finance" });
      expect(api.requestId).toBeTruthy();
      const page = requests.filter((l) => l.path === "/beneficiaires").at(-1);
      expect(page.userId).toMatch(/^[0-9a-f-]{36}$/);
      expect(page.requestId).toBeTruthy();
      expect(log.text()).not.toContain("trace-ui@asso.example");
      expect(log.text()).not.toContain("Agent UI");
    });
  });

  describe("the access_log table", () => {
    it("is append-only: no update, no delete of a trace younger than a year, no truncate", async () => {
      await expect(database.db.execute(sql`update access_log set actor = 'x'`)).rejects.toThrow();
      await expect(database.db.execute(sql`delete from access_log`)).rejects.toThrow();
      await expect(database.db.execute(sql`truncate access_log`)).rejects.toThrow();
      await database.db.execute(sql`insert into access_log (at, action, actor) values (now() - interval '13 months', 'logout', 'old')`);
      await database.db.execute(sql`delete from access_log where actor = 'old'`);
      expect(await traces(sql`actor = 'old'`)).toHaveLength(0);
    });
  });
});
