import { randomUUID } from "node:crypto";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Action, may, PERMISSIONS } from "../../src/auth/permissions";
import { ROLES, type Role } from "../../src/auth/tokens";
import { apiCaller, bearer, createTestApp, type TestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { staffUser, uiSession } from "../support/ui";

type Session = Awaited<ReturnType<typeof uiSession>>;

/**
 * One role helper (`PERMISSIONS`/`may`) answers for the API and the UI alike: for each
 * action reachable both ways, each role is refused (403) on both or on neither. Requests
 * carry invalid input, so an allowed one is refused later (422, 404…) and writes nothing.
 */
describe("one role matrix for the API and the UI", () => {
  let database: TestDatabase;
  let app: TestApp;
  const tokens = {} as Record<Role, Record<string, string>>;
  const sessions = {} as Record<Role, Session>;

  beforeAll(async () => {
    database = await createTestDatabase();
    app = createTestApp(database.db, { today: () => "2026-03-06", runJob: async () => ({}), queueDashboard: new Hono().get("*", (c) => c.text("tableau")) });
    for (const role of ROLES) {
      tokens[role] = await bearer(database.db, role);
      await staffUser(database.db, `${role}@roles.example`, role, `Staff ${role}`);
      sessions[role] = await uiSession(app, `${role}@roles.example`);
    }
  });
  afterAll(async () => {
    await database?.dispose();
  });

  const unknownAlert = randomUUID();
  const cases: { action: Action; api: (role: Role) => Promise<number>; ui: (role: Role) => Promise<number> }[] = [
    {
      action: "credit.record",
      api: async (role) =>
        (
          await apiCaller(
            () => app,
            () => ({ ...tokens[role], "Idempotency-Key": randomUUID() }),
          )("POST", "/v1/credits", {})
        ).status,
      ui: async (role) => (await sessions[role].post("/versements/apercu", {})).status,
    },
    {
      action: "beneficiary.write",
      api: async (role) =>
        (
          await apiCaller(
            () => app,
            () => tokens[role],
          )("POST", "/v1/beneficiaries", {})
        ).status,
      ui: async (role) => (await sessions[role].post("/beneficiaires/nouveau", {})).status,
    },
    {
      action: "alert.handle",
      api: async (role) =>
        (
          await apiCaller(
            () => app,
            () => tokens[role],
          )("POST", `/v1/alerts/${unknownAlert}/acknowledge`)
        ).status,
      ui: async (role) => (await sessions[role].post(`/alertes/${unknownAlert}/prise-en-compte`, {})).status,
    },
    {
      action: "job.run",
      api: async (role) =>
        (
          await apiCaller(
            () => app,
            () => tokens[role],
          )("POST", "/v1/jobs/ledger-verify/runs", { asOf: "not a date" })
        ).status,
      ui: async (role) => (await sessions[role].post("/traitements", { job: "ledger-verify", asOf: "not a date" })).status,
    },
    {
      action: "user.manage",
      api: async (role) =>
        (
          await apiCaller(
            () => app,
            () => tokens[role],
          )("POST", `/v1/tokens/${unknownAlert}/revoke`)
        ).status,
      ui: async (role) => (await sessions[role].post(`/utilisateurs/jetons/${unknownAlert}/revoquer`, {})).status,
    },
    {
      action: "queue.dashboard",
      api: async (role) => (await app.request("/admin/queues", { headers: tokens[role] })).status,
      ui: async (role) => (await app.request("/admin/queues", { headers: { cookie: sessions[role].cookie } })).status,
    },
  ];

  it("pins who may do what (admins everything)", () => {
    const matrix = Object.fromEntries(Object.keys(PERMISSIONS).map((a) => [a, ROLES.filter((r) => may(r, a as Action))]));
    expect(matrix).toEqual({
      "beneficiary.write": ["admin", "finance", "caseworker"],
      "beneficiary.assign": ["admin", "finance"],
      "beneficiary.readAll": ["admin", "finance"],
      "credit.record": ["admin", "finance"],
      "operations.view": ["admin", "finance"],
      "ledger.trialBalance": ["admin", "finance"],
      "ledger.verify": ["admin"],
      "job.run": ["admin"],
      "queue.dashboard": ["admin"],
      "alert.handle": ["admin", "caseworker"],
      "user.create": ["admin"],
      "user.list": ["admin", "finance", "caseworker"],
      "user.manage": ["admin"],
    });
  });

  for (const { action, api, ui } of cases) {
    it(`${action}: the API and the UI refuse the same roles`, async () => {
      for (const role of ROLES) {
        const [apiStatus, uiStatus] = [await api(role), await ui(role)];
        const refused = !may(role, action);
        expect(apiStatus === 403, `API ${action} as ${role}: ${apiStatus}`).toBe(refused);
        expect(uiStatus === 403, `UI ${action} as ${role}: ${uiStatus}`).toBe(refused);
      }
    });
  }
});
