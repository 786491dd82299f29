import { randomBytes, randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../src/auth/tokens";
import { queryRows } from "../../src/db/sql";
import { apiCaller, bearer, createTestApp, type TestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { approvedBy } from "../support/four-eyes";

const TODAY = "2026-11-23";
const IBAN = "FR7630006000011234567890189";

type Headers = Record<string, string>;

describe("beneficiaries API", () => {
  let database: TestDatabase;
  let app: TestApp;
  let admin: Headers;
  let finance: Headers;

  const api = apiCaller(
    () => app,
    () => admin,
  );
  const call = (method: string, path: string, headers: Headers, body?: unknown) => api(method, path, body, headers);
  /** A changed IBAN is proposed (202) and applied when someone else approves it: here an admin (four eyes). */
  const approved = approvedBy(api, () => admin);

  const tag = () =>
    randomBytes(3)
      .toString("hex")
      .replace(/\d/g, (d) => "ghijklmnop"[Number(d)]!);
  const digits = (n: number) => Array.from(randomBytes(n), (b) => String(b % 10)).join("");

  const person = (overrides: Record<string, unknown> = {}) => ({
    firstName: "Marie",
    lastName: `Durand${tag()}`,
    birthDate: "1979-04-02",
    cafNumber: digits(7),
    msaNumber: null,
    iban: IBAN,
    ...overrides,
  });

  const create = async (headers: Headers, overrides: Record<string, unknown> = {}) => {
    const res = await call("POST", "/v1/beneficiaries", headers, person(overrides));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };

  const fields = (body: any): string[] => (body?.error?.details ?? []).map((d: { field: string }) => d.field);

  async function caseworker(label: string): Promise<{ userId: string; headers: Headers }> {
    const res = await call("POST", "/v1/users", admin, { email: `${label}-${tag()}@example.org`, displayName: `CW ${label}`, role: "caseworker" });
    expect(res.status).toBe(201);
    const { token } = await createToken(database.db, { role: "caseworker", name: `cw-${label}`, userId: res.body.id });
    return { userId: res.body.id, headers: { Authorization: `Bearer ${token}` } };
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    app = createTestApp(database.db, { today: () => TODAY });
    [admin, finance] = await Promise.all([bearer(database.db, "admin"), bearer(database.db, "finance")]);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  describe("POST /v1/beneficiaries", () => {
    it("creates a beneficiary (201) and returns every field, the IBAN in electronic format", async () => {
      const input = person({ iban: "fr76 3000 6000 0112 3456 7890 189", msaNumber: "12345" });
      const res = await call("POST", "/v1/beneficiaries", finance, input);
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        firstName: "Marie",
        lastName: input.lastName,
        birthDate: "1979-04-02",
        cafNumber: input.cafNumber,
        msaNumber: "12345",
        iban: IBAN,
        caseworkerId: null,
        mjagbf: false,
        address: null,
        bankAccountId: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const got = await call("GET", `/v1/beneficiaries/${res.body.id}`, finance);
      expect(got.status).toBe(200);
      expect(got.body).toEqual(res.body);
    });

    it("trims names and accepts a beneficiary without IBAN, CAF or MSA number", async () => {
      const res = await call("POST", "/v1/beneficiaries", admin, { firstName: "  Jean ", lastName: " Martin ", birthDate: "1960-01-01" });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ firstName: "Jean", lastName: "Martin", iban: null, cafNumber: null, msaNumber: null, mjagbf: false });
    });

    it("accepts someone whose 18th birthday is today, refuses someone who is 18 tomorrow (422, birthDate)", async () => {
      expect((await call("POST", "/v1/beneficiaries", admin, person({ birthDate: "2008-11-23" }))).status).toBe(201);
      expect((await call("POST", "/v1/beneficiaries", admin, person({ birthDate: "2008-11-22" }))).status).toBe(201);
      const res = await call("POST", "/v1/beneficiaries", admin, person({ birthDate: "2008-11-24" }));
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe("validation_failed");
      expect(res.body.error.details).toEqual([expect.objectContaining({ field: "birthDate", code: "under_18" })]);
    });

    it("refuses a birth date in the future or not a calendar date (422, birthDate)", async () => {
      for (const birthDate of ["2026-11-24", "2030-01-01", "1979-02-30", "02/04/1979", ""]) {
        const res = await call("POST", "/v1/beneficiaries", admin, person({ birthDate }));
        expect(res.status, birthDate).toBe(422);
        expect(fields(res.body), birthDate).toEqual(["birthDate"]);
      }
    });

    it("refuses an IBAN with a wrong checksum or a wrong RIB key (422, iban)", async () => {
      for (const iban of ["FR7630006000011234567890188", "FR7730006000011234567890189", "FR0630006000011234567890188", "nope"]) {
        const res = await call("POST", "/v1/beneficiaries", admin, person({ iban }));
        expect(res.status, iban).toBe(422);
        expect(fields(res.body), iban).toEqual(["iban"]);
      }
    });

    it("refuses a CAF or MSA number with letters or too long (422)", async () => {
      for (const [field, value] of [
        ["cafNumber", "12A4567"],
        ["cafNumber", "1234 567"],
        ["cafNumber", "12345678901234"],
        ["msaNumber", "X1"],
      ] as const) {
        const res = await call("POST", "/v1/beneficiaries", admin, person({ [field]: value }));
        expect(res.status, value).toBe(422);
        expect(fields(res.body), value).toEqual([field]);
      }
    });

    it("refuses missing or blank names and names with control characters (422)", async () => {
      const { firstName: _omit, ...noFirst } = person();
      expect(fields((await call("POST", "/v1/beneficiaries", admin, noFirst)).body)).toEqual(["firstName"]);
      expect(fields((await call("POST", "/v1/beneficiaries", admin, person({ lastName: "   " }))).body)).toEqual(["lastName"]);
      expect(fields((await call("POST", "/v1/beneficiaries", admin, person({ lastName: "Du\u0000rand" }))).body)).toEqual(["lastName"]);
    });

    it("refuses an unknown caseworkerId, or a user who is not a caseworker (422, caseworkerId)", async () => {
      const unknown = await call("POST", "/v1/beneficiaries", admin, person({ caseworkerId: randomUUID() }));
      expect(unknown.status).toBe(422);
      expect(unknown.body.error.details).toEqual([expect.objectContaining({ field: "caseworkerId", code: "unknown_caseworker" })]);
      const user = await call("POST", "/v1/users", admin, { email: `fin-${tag()}@example.org`, displayName: "Finance person", role: "finance" });
      expect(user.status).toBe(201);
      const notCaseworker = await call("POST", "/v1/beneficiaries", admin, person({ caseworkerId: user.body.id }));
      expect(notCaseworker.status).toBe(422);
      expect(fields(notCaseworker.body)).toEqual(["caseworkerId"]);
      expect(fields((await call("POST", "/v1/beneficiaries", admin, person({ caseworkerId: "not-a-uuid" }))).body)).toEqual(["caseworkerId"]);
    });

    it("answers malformed JSON with 400", async () => {
      const res = await call("POST", "/v1/beneficiaries", admin, '{"firstName": "Marie",');
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: "malformed_request", message: expect.any(String) });
    });

    it("answers without a token or with an unknown one with 401", async () => {
      expect((await call("POST", "/v1/beneficiaries", {}, person())).status).toBe(401);
      expect((await call("GET", `/v1/beneficiaries/${randomUUID()}`, {})).status).toBe(401);
      expect((await call("GET", "/v1/beneficiaries", { Authorization: "Bearer masp_not_a_real_token_0000" })).status).toBe(401);
    });
  });

  describe("GET /v1/beneficiaries/{id}", () => {
    it("answers 404 for an unknown id and for a malformed id", async () => {
      const unknown = await call("GET", `/v1/beneficiaries/${randomUUID()}`, admin);
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe("not_found");
      for (const id of ["123", "not-a-uuid", "%27%20or%201%3D1"]) {
        const res = await call("GET", `/v1/beneficiaries/${id}`, admin);
        expect(res.status, id).toBe(404);
        expect(res.body.error.code).toBe("not_found");
      }
    });
  });

  describe("PATCH /v1/beneficiaries/{id}", () => {
    it("changes the given fields only, normalising the IBAN", async () => {
      const b = await create(admin);
      const res = await approved(
        "PATCH",
        `/v1/beneficiaries/${b.id}`,
        {
          firstName: "Marie-Claire",
          iban: "fr14 2004 1010 0505 0001 3m02 606",
          msaNumber: "777",
        },
        finance,
      );
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ ...b, firstName: "Marie-Claire", iban: "FR1420041010050500013M02606", msaNumber: "777", updatedAt: expect.any(String) });
      expect(res.body.lastName).toBe(b.lastName);
      expect((await call("GET", `/v1/beneficiaries/${b.id}`, admin)).body).toEqual(res.body);
      const cleared = await approved("PATCH", `/v1/beneficiaries/${b.id}`, { iban: null }, finance);
      expect(cleared.status).toBe(200);
      expect(cleared.body.iban).toBeNull();
    });

    it("validates like creation: invalid IBAN, under 18, unknown field, empty body (422); unknown id (404)", async () => {
      const b = await create(admin);
      expect(fields((await call("PATCH", `/v1/beneficiaries/${b.id}`, admin, { iban: "FR7630006000011234567890188" })).body)).toEqual(["iban"]);
      const minor = await call("PATCH", `/v1/beneficiaries/${b.id}`, admin, { birthDate: "2010-01-01" });
      expect(minor.status).toBe(422);
      expect(fields(minor.body)).toEqual(["birthDate"]);
      expect((await call("PATCH", `/v1/beneficiaries/${b.id}`, admin, { nir: "1790412345678" })).status).toBe(422);
      expect((await call("PATCH", `/v1/beneficiaries/${b.id}`, admin, {})).status).toBe(422);
      expect((await call("PATCH", `/v1/beneficiaries/${randomUUID()}`, admin, { firstName: "X" })).status).toBe(404);
      expect((await call("PATCH", `/v1/beneficiaries/${b.id}`, admin, "{oops")).status).toBe(400);
      // Nothing changed.
      expect((await call("GET", `/v1/beneficiaries/${b.id}`, admin)).body).toEqual(b);
    });
  });

  describe("GET /v1/beneficiaries (search, pagination)", () => {
    it("searches by part of a name, case-insensitively, and by the beginning of a CAF number", async () => {
      const key = tag();
      const a = await create(admin, { firstName: "Amandine", lastName: `Lefebvre${key}` });
      const b = await create(admin, { firstName: `Zoe${key}`, lastName: "Bernard" });
      await create(admin, { firstName: "Other", lastName: "Person" });

      const byLast = await call("GET", `/v1/beneficiaries?q=${encodeURIComponent(`FEBVRE${key.toUpperCase()}`)}`, admin);
      expect(byLast.status).toBe(200);
      expect(byLast.body.items.map((i: any) => i.id)).toEqual([a.id]);

      const byPart = await call("GET", `/v1/beneficiaries?q=${key}`, admin);
      expect(byPart.body.items.map((i: any) => i.id)).toEqual([b.id, a.id]); // Bernard before Lefebvre…
      expect(byPart.body.nextCursor).toBeNull();

      const full = await call("GET", `/v1/beneficiaries?q=${encodeURIComponent(`amandine lefebvre${key}`)}`, admin);
      expect(full.body.items.map((i: any) => i.id)).toEqual([a.id]);

      const prefix = `9${digits(6)}`;
      const c1 = await create(admin, { cafNumber: `${prefix}1` });
      const c2 = await create(admin, { cafNumber: `${prefix}23` });
      await create(admin, { cafNumber: `1${prefix}` }); // contains the prefix, does not begin with it
      const byCaf = await call("GET", `/v1/beneficiaries?q=${prefix}`, admin);
      expect(byCaf.body.items.map((i: any) => i.id).sort()).toEqual([c1.id, c2.id].sort());
      const exact = await call("GET", `/v1/beneficiaries?q=${prefix}23`, admin);
      expect(exact.body.items.map((i: any) => i.id)).toEqual([c2.id]);

      // LIKE wildcards are searched for literally.
      expect((await call("GET", `/v1/beneficiaries?q=${encodeURIComponent("%")}`, admin)).body.items).toEqual([]);
      expect((await call("GET", `/v1/beneficiaries?q=${encodeURIComponent("_")}`, admin)).body.items).toEqual([]);
    });

    it("pages 7 beneficiaries 3 at a time, alphabetically, without duplicates or gaps", async () => {
      const key = tag();
      const names: [string, string][] = [
        ["Paul", `Moreau${key}`],
        ["anne", `Moreau${key}`],
        ["Paul", `moreau${key}`], // same name, other case: the id breaks the tie
        ["Luc", `Blanc${key}`],
        ["Eve", `Zola${key}`],
        ["Jean", `Arnaud${key}`],
        ["Marc", `Petit${key}`],
      ];
      const created = [];
      for (const [firstName, lastName] of names) created.push(await create(admin, { firstName, lastName }));
      const expected = [...created]
        .sort((x, y) => {
          const a = [x.lastName.toLowerCase(), x.firstName.toLowerCase(), x.id];
          const b = [y.lastName.toLowerCase(), y.firstName.toLowerCase(), y.id];
          for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
          return 0;
        })
        .map((b) => b.id);

      const seen: string[] = [];
      const pageSizes: number[] = [];
      let cursor: string | null = null;
      do {
        const query = new URLSearchParams({ q: key, limit: "3", ...(cursor ? { cursor } : {}) });
        const page = await call("GET", `/v1/beneficiaries?${query}`, admin);
        expect(page.status).toBe(200);
        pageSizes.push(page.body.items.length);
        seen.push(...page.body.items.map((i: any) => i.id));
        cursor = page.body.nextCursor;
      } while (cursor && pageSizes.length < 10);
      expect(pageSizes).toEqual([3, 3, 1]);
      expect(seen).toEqual(expected);
      expect(new Set(seen).size).toBe(7);

      // A beneficiary added after the first page does not shift the following pages.
      const first = await call("GET", `/v1/beneficiaries?${new URLSearchParams({ q: key, limit: "3" })}`, admin);
      await create(admin, { firstName: "Aaron", lastName: `Aaa${key}` });
      const second = await call("GET", `/v1/beneficiaries?${new URLSearchParams({ q: key, limit: "3", cursor: first.body.nextCursor })}`, admin);
      expect(second.body.items.map((i: any) => i.id)).toEqual(expected.slice(3, 6));
    });

    it("refuses a forged cursor and an out-of-range limit (422)", async () => {
      const bad = await call("GET", "/v1/beneficiaries?cursor=not-a-cursor", admin);
      expect(bad.status).toBe(422);
      expect(fields(bad.body)).toEqual(["cursor"]);
      expect((await call("GET", "/v1/beneficiaries?limit=0", admin)).status).toBe(422);
      expect((await call("GET", "/v1/beneficiaries?limit=201", admin)).status).toBe(422);
      expect((await call("GET", "/v1/beneficiaries?limit=abc", admin)).status).toBe(422);
    });

    // A cursor is decoded and checked whole: an id that is not a UUID never reaches PostgreSQL.
    it("refuses a well-formed cursor whose id is not a UUID with 422, never a 500", async () => {
      const forged = Buffer.from(JSON.stringify(["a", "b", "not-a-uuid"])).toString("base64url");
      const res = await call("GET", `/v1/beneficiaries?cursor=${forged}`, admin);
      expect(res.status).toBe(422);
      expect(fields(res.body)).toEqual(["cursor"]);
    });
  });

  describe("caseworker scoping", () => {
    it("a caseworker sees only their own caseload (list) and gets 404 on another's beneficiary", async () => {
      const a = await caseworker("a");
      const b = await caseworker("b");
      const key = tag();
      const ofA = await create(admin, { lastName: `Alpha${key}`, caseworkerId: a.userId });
      const ofB = await create(admin, { lastName: `Beta${key}`, caseworkerId: b.userId });
      const unassigned = await create(admin, { lastName: `Gamma${key}` });
      // A caseworker creating a beneficiary takes them into their own caseload.
      const createdByA = await call("POST", "/v1/beneficiaries", a.headers, person({ lastName: `Delta${key}` }));
      expect(createdByA.status).toBe(201);
      expect(createdByA.body.caseworkerId).toBe(a.userId);
      // …and cannot place one in another caseload (nothing is written).
      const placed = await call("POST", "/v1/beneficiaries", a.headers, person({ lastName: `Epsilon${key}`, caseworkerId: b.userId }));
      expect(placed.status).toBe(422);
      expect(placed.body.error.details).toEqual([expect.objectContaining({ field: "caseworkerId", code: "forbidden_reassignment" })]);

      const listA = await call("GET", `/v1/beneficiaries?q=${key}`, a.headers);
      expect(listA.status).toBe(200);
      expect(listA.body.items.map((i: any) => i.id)).toEqual([ofA.id, createdByA.body.id]);
      const allA = await call("GET", "/v1/beneficiaries?limit=200", a.headers);
      expect(allA.body.items.every((i: any) => i.caseworkerId === a.userId)).toBe(true);

      const listB = await call("GET", `/v1/beneficiaries?q=${key}`, b.headers);
      expect(listB.body.items.map((i: any) => i.id)).toEqual([ofB.id]);
      // Asking for the other caseworker's caseload changes nothing.
      expect((await call("GET", `/v1/beneficiaries?q=${key}&caseworkerId=${b.userId}`, a.headers)).body.items).toEqual([]);

      const adminList = await call("GET", `/v1/beneficiaries?q=${key}`, admin);
      expect(adminList.body.items.map((i: any) => i.id)).toEqual([ofA.id, ofB.id, createdByA.body.id, unassigned.id]);

      expect((await call("GET", `/v1/beneficiaries/${ofA.id}`, a.headers)).status).toBe(200);
      for (const id of [ofB.id, unassigned.id]) {
        const res = await call("GET", `/v1/beneficiaries/${id}`, a.headers);
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe("not_found");
        expect((await call("PATCH", `/v1/beneficiaries/${id}`, a.headers, { firstName: "Hack" })).status).toBe(404);
      }
      // A caseworker cannot hand a beneficiary over.
      const handover = await call("PATCH", `/v1/beneficiaries/${ofA.id}`, a.headers, { caseworkerId: b.userId });
      expect(handover.status).toBe(422);
      expect(fields(handover.body)).toEqual(["caseworkerId"]);
      expect((await call("GET", `/v1/beneficiaries/${ofB.id}`, admin)).body.firstName).toBe("Marie");
    });

    it("a caseworker token tied to no user sees nobody", async () => {
      const key = tag();
      await create(admin, { lastName: `Orphan${key}` });
      const headers = await bearer(database.db, "caseworker");
      const res = await call("GET", `/v1/beneficiaries?q=${key}`, headers);
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual([]);
    });
  });

  describe("audit trail", () => {
    it("records creation and changes with field names, never the names' values", async () => {
      const firstName = `Prenom${tag()}`;
      const lastName = `Nom${tag()}`;
      const b = await create(finance, { firstName, lastName });
      const patched = await call("PATCH", `/v1/beneficiaries/${b.id}`, finance, { lastName: `${lastName}x`, cafNumber: "7654321" });
      expect(patched.status).toBe(200);

      const rows = await queryRows<{
        action: string;
        actor: string;
        role: string;
        entity_type: string;
        entity_id: string;
        beneficiary_id: string;
        request_id: string | null;
        changes: any;
      }>(
        database.db,
        sql`select action, actor, role, entity_type, entity_id::text, beneficiary_id::text, request_id, changes from audit_log where beneficiary_id = ${b.id} order by id`,
      );
      expect(rows.map((r) => r.action)).toEqual(["beneficiary.create", "beneficiary.update"]);
      for (const row of rows) {
        expect(row).toMatchObject({ role: "finance", entity_type: "beneficiary", entity_id: b.id, beneficiary_id: b.id, actor: "token:test-finance" });
        expect(row.request_id).toBeTruthy();
      }
      const changes = (row: (typeof rows)[number]) => (typeof row.changes === "string" ? JSON.parse(row.changes) : row.changes);
      expect(changes(rows[0]!).fields).toEqual(expect.arrayContaining(["firstName", "lastName", "birthDate", "iban"]));
      expect(changes(rows[1]!).fields.sort()).toEqual(["cafNumber", "lastName"]);

      const everything = JSON.stringify(rows);
      expect(everything).not.toContain(firstName);
      expect(everything).not.toContain(lastName);
      expect(everything).not.toContain(IBAN);
      expect(everything).not.toContain("7654321");

      // The trail is append-only.
      await expect(database.db.execute(sql`update audit_log set actor = 'x' where beneficiary_id = ${b.id}`)).rejects.toThrow();
      await expect(database.db.execute(sql`delete from audit_log where beneficiary_id = ${b.id}`)).rejects.toThrow();
    });
  });
});
