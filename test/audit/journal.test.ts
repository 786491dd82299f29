import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/sql";
import { businessDate } from "../../src/domain/business-date";
import { JOBS } from "../../workers/registry";
import { apiCaller, bearer, createTestApp, type TestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { deleteQueueKeys, startTestRuntime } from "../support/queues";
import { staffUser, uiSession } from "../support/ui";

/** GET /v1/audit, the Journal page and the retention job (issue 12, control 7). */
describe("the journal: business audit and access traces", () => {
  let database: TestDatabase;
  let app: TestApp;
  let admin: Record<string, string>;
  let finance: Record<string, string>;
  let beneficiaryId: string;
  let otherId: string;
  const call = (headers: () => Record<string, string>) => apiCaller(() => app, headers);

  beforeAll(async () => {
    database = await createTestDatabase();
    app = createTestApp(database.db, { today: () => "2026-03-06" });
    admin = await bearer(database.db, "admin");
    finance = await bearer(database.db, "finance");
    const asFinance = call(() => finance);
    const make = async (lastName: string) => {
      const b = await asFinance("POST", "/v1/beneficiaries", { firstName: "Marie", lastName, birthDate: "1979-04-02" });
      expect(b.status, b.text).toBe(201);
      return b.body.id as string;
    };
    beneficiaryId = await make(`Durand${randomBytes(3).toString("hex")}`);
    otherId = await make(`Durand${randomBytes(3).toString("hex")}`);
    await asFinance("GET", `/v1/beneficiaries/${beneficiaryId}`);
    await asFinance("GET", "/v1/beneficiaries?q=dur");
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("is for admins (and, once merged, managers): finance and caseworkers get 403", async () => {
    expect((await call(() => admin)("GET", "/v1/audit")).status).toBe(200);
    expect((await call(() => finance)("GET", "/v1/audit")).status).toBe(403);
    const caseworker = await bearer(database.db, "caseworker");
    expect((await call(() => caseworker)("GET", "/v1/audit")).status).toBe(403);
  });

  it("lists both trails newest first, each entry with its kind, and filters by kind, action, actor and beneficiary", async () => {
    const asAdmin = call(() => admin);
    const all = await asAdmin("GET", "/v1/audit?limit=200");
    const kinds = new Set(all.body.items.map((e: { kind: string }) => e.kind));
    expect(kinds).toEqual(new Set(["business", "access"]));
    const times = all.body.items.map((e: { at: string }) => e.at);
    expect([...times].sort().reverse()).toEqual(times);

    const business = await asAdmin("GET", "/v1/audit?kind=business&limit=200");
    expect(business.body.items.every((e: { kind: string }) => e.kind === "business")).toBe(true);
    expect(business.body.items.map((e: { action: string }) => e.action)).toContain("beneficiary.create");

    const reads = await asAdmin("GET", "/v1/audit?action=beneficiary.read");
    expect(reads.body.items).toHaveLength(1);
    expect(reads.body.items[0]).toMatchObject({ kind: "access", beneficiaryId, actor: "token:test-finance", role: "finance" });

    const aboutOne = await asAdmin("GET", `/v1/audit?beneficiaryId=${beneficiaryId}&limit=200`);
    expect(aboutOne.body.items.length).toBeGreaterThanOrEqual(2); // its creation and its read
    expect(aboutOne.body.items.every((e: { beneficiaryId: string }) => e.beneficiaryId === beneficiaryId)).toBe(true);
    expect(aboutOne.body.items.some((e: { beneficiaryId: string }) => e.beneficiaryId === otherId)).toBe(false);

    const byActor = await asAdmin("GET", `/v1/audit?actor=${encodeURIComponent("token:test-finance")}&limit=200`);
    expect(byActor.body.items.length).toBeGreaterThan(0);
    expect(byActor.body.items.every((e: { actor: string }) => e.actor === "token:test-finance")).toBe(true);

    // The search is recorded by its length, never its text.
    const search = await asAdmin("GET", "/v1/audit?action=beneficiary.search");
    expect(search.body.items[0].details).toMatchObject({ search: { length: 3, kind: "text" } });
    expect(JSON.stringify(all.body)).not.toMatch(/Durand[0-9a-f]{6}/);
  });

  it("filters by user (their traces and the business rows they or their tokens wrote) and by dates", async () => {
    const userId = await staffUser(database.db, "journal-user@asso.example", "finance", "Agent Journal");
    const ui = await uiSession(app, "journal-user@asso.example");
    expect((await ui.get("/beneficiaires")).status).toBe(200);
    const asAdmin = call(() => admin);
    const mine = await asAdmin("GET", `/v1/audit?userId=${userId}&limit=200`);
    const actions = mine.body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["login.succeeded", "beneficiary.list"]));
    expect(mine.body.items.every((e: { userId: string | null; actor: string }) => e.userId === userId || e.actor === "user:journal-user@asso.example")).toBe(
      true,
    );

    const past = await asAdmin("GET", "/v1/audit?from=2020-01-01&to=2020-12-31");
    expect(past.body.items).toHaveLength(0);
    // The journal's days are Paris days: between 23:00 and midnight UTC, Paris is already tomorrow.
    const today = businessDate();
    const recent = await asAdmin("GET", `/v1/audit?from=${today}&to=${today}&action=login.succeeded`);
    expect(recent.body.items.length).toBeGreaterThan(0);
  });

  it("pages with a cursor, without duplicates or gaps", async () => {
    const asAdmin = call(() => admin);
    const whole = (await asAdmin("GET", "/v1/audit?limit=200")).body.items.map((e: { id: string }) => e.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await asAdmin("GET", `/v1/audit?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((e: { id: string }) => e.id));
      cursor = page.body.nextCursor;
    } while (cursor && seen.length < 500);
    // Reading is traced, so the pages also hold the newer traces of the reads before them.
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of whole) expect(seen).toContain(id);
  });

  it("answers 422 in the contract's shape for a bad filter or cursor", async () => {
    const asAdmin = call(() => admin);
    for (const query of ["kind=everything", "from=2026-02-30", "userId=nope", "limit=0", "cursor=not-a-cursor", "action=DROP%20TABLE"]) {
      const res = await asAdmin("GET", `/v1/audit?${query}`);
      expect(res.status, query).toBe(422);
      expect(res.body.error.code).toBe("validation_failed");
    }
  });

  it("traces its own reading", async () => {
    await call(() => admin)("GET", "/v1/audit?kind=business");
    const [last] = await queryRows<{ action: string; details: unknown }>(database.db, sql`select action, details from access_log order by id desc limit 1`);
    expect(last?.action).toBe("audit.read");
  });

  describe("the Journal page", () => {
    it("renders the trail with its filters for an admin, and is refused to finance", async () => {
      await staffUser(database.db, "journal-admin@asso.example", "admin", "Admin Journal");
      const ui = await uiSession(app, "journal-admin@asso.example");
      const page = await ui.get("/journal?kind=access&action=beneficiary.read");
      expect(page.status).toBe(200);
      expect(page.html).toContain("Journal des opérations et des accès");
      expect(page.html).toContain("Consultation d&#39;une fiche");
      expect(page.html).toContain(`/beneficiaires/${beneficiaryId}`);
      expect(page.html).toContain('href="/journal"'); // in the navigation

      const refused = await ui.get("/journal?from=31/02/2026");
      expect(refused.status).toBe(200);
      expect(refused.html).toContain("date invalide");

      const financeUi = await uiSession(app, "journal-user@asso.example");
      expect((await financeUi.get("/journal")).status).toBe(403);
      expect((await financeUi.get("/")).html).not.toContain('href="/journal"');
    });
  });

  describe("retention (nightly job)", () => {
    const prefix = `test-ret-${randomBytes(4).toString("hex")}`;
    afterAll(async () => {
      await deleteQueueKeys(prefix);
    });

    it("purges access traces past a year and finished job runs past six months, never the business audit", async () => {
      const marker = `ret-${randomBytes(3).toString("hex")}`;
      await database.db.execute(sql`insert into access_log (at, action, actor) values
        (now() - interval '13 months', 'logout', ${`${marker}-old`}), (now() - interval '11 months', 'logout', ${`${marker}-recent`})`);
      await database.db.execute(sql`insert into audit_log (at, actor, role, action, entity_type, entity_id) values
        (now() - interval '5 years', ${`${marker}-old`}, 'admin', 'beneficiary.update', 'beneficiary', gen_random_uuid())`);
      await database.db.execute(sql`insert into job_runs (id, job, as_of, trigger, status, started_at, finished_at) values
        (gen_random_uuid(), ${marker}, '2025-01-01', 'schedule', 'succeeded', now() - interval '7 months', now() - interval '7 months'),
        (gen_random_uuid(), ${marker}, '2025-01-02', 'schedule', 'running', now() - interval '7 months', null),
        (gen_random_uuid(), ${marker}, '2025-06-01', 'schedule', 'failed', now() - interval '5 months', now() - interval '5 months')`);

      expect(JOBS.retention.schedule?.pattern).toBe("15 2 * * *");
      const runtime = await startTestRuntime(database.db, prefix);
      try {
        const today = new Date().toISOString().slice(0, 10);
        const summary = await runtime.run("retention", { asOf: today });
        expect(summary).toMatchObject({ accessTraces: 1, jobRuns: 1 });
        // Idempotent: nothing more the second time.
        expect(await runtime.run("retention", { asOf: today })).toMatchObject({ accessTraces: 0, jobRuns: 0 });
        // A run for a date far ahead purges no more than the database allows today.
        expect(await runtime.run("retention", { asOf: "2099-01-01" })).toMatchObject({ accessTraces: 0 });
      } finally {
        await runtime.close();
      }
      const left = await queryRows<{ actor: string }>(database.db, sql`select actor from access_log where actor like ${`${marker}%`}`);
      expect(left.map((r) => r.actor)).toEqual([`${marker}-recent`]);
      expect(await queryRows(database.db, sql`select 1 from audit_log where actor = ${`${marker}-old`}`)).toHaveLength(1);
      const runs = await queryRows<{ status: string }>(database.db, sql`select status from job_runs where job = ${marker} order by as_of`);
      expect(runs.map((r) => r.status)).toEqual(["running", "failed"]);
    });
  });
});
