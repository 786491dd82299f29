import { randomBytes, randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../src/auth/tokens";
import { queryRows } from "../../src/db/sql";
import { END_REASONS } from "../../src/domain/measure-rules";
import { apiCaller, bearer, createTestApp, type TestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";

const TODAY = "2026-11-23";
/** The business date the app sees: TODAY, but for a step taken on another day (a renewal by its end date). */
let today = TODAY;
async function on<T>(date: string, step: () => Promise<T>): Promise<T> {
  today = date;
  try {
    return await step();
  } finally {
    today = TODAY;
  }
}

type Headers = Record<string, string>;

/** The D.271-2 table of docs/domain.md: code → [item, scope, earmarked, masp3]. */
const TABLE: Record<string, [number, "default" | "extension", "housing" | "care" | null, "base" | "extension" | null]> = {
  APL: [1, "default", "housing", "base"],
  ALS: [2, "default", "housing", "base"],
  APA: [3, "default", "care", null],
  ASPA: [4, "default", null, "base"],
  AVTS: [5, "default", null, "base"],
  AVTNS: [6, "default", null, "base"],
  AMF: [7, "default", null, "base"],
  ASV: [8, "default", null, "base"],
  AVR: [9, "default", null, "base"],
  AVA: [10, "default", null, "base"],
  ASUP: [11, "default", null, "base"],
  ASI: [12, "default", null, "base"],
  AAH: [13, "default", null, "base"],
  ACTP: [14, "default", "care", null],
  PCH: [15, "default", "care", null],
  RSA: [17, "default", null, "base"],
  PAJE: [18, "extension", null, "extension"],
  AF: [19, "extension", null, "extension"],
  CF: [20, "extension", null, "extension"],
  ALF: [21, "extension", null, "extension"],
  AEEH: [22, "extension", null, "extension"],
  ASF: [23, "extension", null, "extension"],
  ARS: [24, "extension", null, "extension"],
  AJPP: [25, "extension", null, "extension"],
  RENTE_AT_ORPHELIN: [26, "extension", null, "extension"],
  ARSM: [27, "extension", "care", null],
  ADIFF: [28, "extension", null, "extension"],
  PCH_ENFANT: [29, "extension", "care", null],
};

describe("measures API", () => {
  let database: TestDatabase;
  let app: TestApp;
  let admin: Headers;
  let caseworker: Headers;

  const call = apiCaller(
    () => app,
    () => admin,
  );

  const fields = (body: any): string[] => (body?.error?.details ?? []).map((d: { field: string }) => d.field);
  const codes = (body: any): string[] => (body?.error?.details ?? []).map((d: { code: string }) => d.code);

  async function beneficiary(overrides: Record<string, unknown> = {}, headers: Headers = admin): Promise<string> {
    const res = await call(
      "POST",
      "/v1/beneficiaries",
      { firstName: "Marie", lastName: `Durand${randomBytes(3).toString("hex")}`, birthDate: "1980-05-17", ...overrides },
      headers,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id;
  }

  const open = (beneficiaryId: string, body: Record<string, unknown>, headers: Headers = admin) =>
    call("POST", `/v1/beneficiaries/${beneficiaryId}/measures`, body, headers);

  const masp1 = (startDate: string, endDate: string) => ({ level: "MASP1", startDate, endDate });
  const masp2 = (startDate: string, endDate: string, managedPrestations: string[] = ["RSA"], extra: Record<string, unknown> = {}) => ({
    level: "MASP2",
    startDate,
    endDate,
    managedPrestations,
    ...extra,
  });

  async function opened(beneficiaryId: string, body: Record<string, unknown>) {
    const res = await open(beneficiaryId, body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  }

  const review = (date: string, outcome = "renew") => ({ date, author: "CESF Laval", outcome, comment: "bilan" });

  beforeAll(async () => {
    database = await createTestDatabase();
    app = createTestApp(database.db, { today: () => today });
    [admin, caseworker] = await Promise.all([bearer(database.db, "admin"), bearer(database.db, "caseworker")]);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  describe("durations (L.271-2: 6 to 24 months)", () => {
    it("accepts exactly 6 months and answers the contract's shape", async () => {
      const b = await beneficiary();
      const res = await open(b, masp2("2026-01-01", "2026-06-30", ["RSA", "AAH", "ALS"]));
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        beneficiaryId: b,
        level: "MASP2",
        startDate: "2026-01-01",
        endDate: "2026-06-30",
        status: "active",
        managedPrestations: ["RSA", "AAH", "ALS"],
        extension: false,
        extensionReason: null,
        previousMeasureId: null,
        endedOn: null,
        endReason: null,
        amendments: [],
        reviews: [],
      });
      expect(res.body.history).toEqual([expect.objectContaining({ type: "opened", effectiveDate: "2026-01-01", status: "active" })]);
      const got = await call("GET", `/v1/measures/${res.body.id}`);
      expect(got.status).toBe(200);
      expect(got.body).toEqual(res.body);
    });

    it("accepts exactly 24 months", async () => {
      expect((await open(await beneficiary(), masp1("2026-01-01", "2027-12-31"))).status).toBe(201);
      expect((await open(await beneficiary(), masp1("2026-08-31", "2028-08-30"))).status).toBe(201);
    });

    it("refuses 6 months minus a day and 24 months plus a day (422, endDate)", async () => {
      const b = await beneficiary();
      const short = await open(b, masp1("2026-01-01", "2026-06-29"));
      expect(short.status).toBe(422);
      expect(short.body.error.code).toBe("validation_failed");
      expect(short.body.error.details).toEqual([expect.objectContaining({ field: "endDate", code: "too_short" })]);
      const long = await open(b, masp1("2026-01-01", "2028-01-01"));
      expect(long.status).toBe(422);
      expect(long.body.error.details).toEqual([expect.objectContaining({ field: "endDate", code: "too_long" })]);
      const backwards = await open(b, masp1("2026-06-01", "2026-01-01"));
      expect(backwards.status).toBe(422);
      expect(fields(backwards.body)).toEqual(["endDate"]);
      // Month-end start: 31 Aug + 6 months is 28 Feb, the period may end the day before.
      expect(fields((await open(b, masp1("2026-08-31", "2027-02-26"))).body)).toEqual(["endDate"]);
      // Nothing was opened.
      expect((await call("GET", `/v1/beneficiaries/${b}/measures`)).body).toEqual({ items: [], fourYearLimit: null });
    });

    it("refuses malformed input: dates that do not exist, an unknown level, malformed JSON", async () => {
      const b = await beneficiary();
      expect(fields((await open(b, masp1("2026-02-30", "2026-12-31"))).body)).toEqual(["startDate"]);
      expect(fields((await open(b, { ...masp1("2026-01-01", "2026-12-31"), level: "MASP3" })).body)).toEqual(["level"]);
      expect((await call("POST", `/v1/beneficiaries/${b}/measures`, "{nope")).status).toBe(400);
      expect((await open(randomUUID(), masp1("2026-01-01", "2026-12-31"))).status).toBe(404);
      expect((await open("nope", masp1("2026-01-01", "2026-12-31"))).status).toBe(404);
    });
  });

  describe("age (L.271-1: an adult at the start)", () => {
    it("accepts an 18th birthday the day before or the day of the start, refuses the day after (422, startDate)", async () => {
      const dayBefore = await beneficiary({ birthDate: "2008-03-09" });
      expect((await open(dayBefore, masp1("2026-03-10", "2026-09-30"))).status).toBe(201);
      const sameDay = await beneficiary({ birthDate: "2008-03-10" });
      expect((await open(sameDay, masp1("2026-03-10", "2026-09-30"))).status).toBe(201);
      const dayAfter = await beneficiary({ birthDate: "2008-03-11" });
      const res = await open(dayAfter, masp1("2026-03-10", "2026-09-30"));
      expect(res.status).toBe(422);
      expect(res.body.error.details).toEqual([expect.objectContaining({ field: "startDate", code: "under_18" })]);
      // The day after the birthday it is fine.
      expect((await open(dayAfter, masp1("2026-03-11", "2026-09-30"))).status).toBe(201);
    });
  });

  describe("one measure at a time", () => {
    it("refuses an overlapping measure (409), even by one day; the day after the end is free", async () => {
      const b = await beneficiary();
      const first = await opened(b, masp1("2026-01-01", "2026-12-31"));
      for (const [start, end] of [
        ["2026-06-01", "2026-12-31"],
        ["2026-12-31", "2027-06-30"],
        ["2025-07-01", "2026-01-01"],
        ["2025-12-01", "2027-06-30"],
      ]) {
        const res = await open(b, masp1(start!, end!));
        expect(res.status, `${start} → ${end}`).toBe(409);
        expect(res.body.error.code).toBe("conflict");
        expect(res.body.error.details).toMatchObject({ measureId: first.id });
      }
      expect((await open(b, masp1("2027-01-01", "2027-06-30"))).status).toBe(201);
    });

    it("an ended measure no longer blocks the dates after its end", async () => {
      const b = await beneficiary();
      const m = await opened(b, masp1("2026-01-01", "2026-12-31"));
      expect((await call("POST", `/v1/measures/${m.id}/end`, { endDate: "2026-03-31", reason: "no_longer_adheres" })).status).toBe(200);
      expect((await open(b, masp1("2026-03-31", "2026-10-31"))).status).toBe(409);
      expect((await open(b, masp1("2026-04-01", "2026-10-31"))).status).toBe(201);
    });

    it("five parallel openings of overlapping measures: exactly one 201, the others 409", async () => {
      const b = await beneficiary();
      const results = await Promise.all(["2026-06-30", "2026-07-31", "2026-08-31", "2026-09-30", "2026-12-31"].map((end) => open(b, masp2("2026-01-01", end))));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409]);
      const rows = await queryRows<{ n: string }>(database.db, sql`select count(*)::text as n from measures where beneficiary_id = ${b}`);
      expect(rows[0]!.n).toBe("1");
    });
  });

  describe("48 months in all, renewals", () => {
    it("24 months then a 24-month renewal (exactly 48) pass; any further renewal is refused (422)", async () => {
      const b = await beneficiary();
      const first = await opened(b, masp2("2026-01-01", "2027-12-31", ["RSA"]));
      const renewed = await call("POST", `/v1/measures/${first.id}/renewals`, { review: review("2027-12-01"), endDate: "2029-12-31" });
      expect(renewed.status).toBe(201);
      expect(renewed.body).toMatchObject({
        startDate: "2028-01-01",
        endDate: "2029-12-31",
        status: "active",
        level: "MASP2",
        managedPrestations: ["RSA"],
        previousMeasureId: first.id,
      });
      const previous = await call("GET", `/v1/measures/${first.id}`);
      expect(previous.body.status).toBe("renewed");
      expect(previous.body.reviews).toEqual([expect.objectContaining({ date: "2027-12-01", outcome: "renew", author: "CESF Laval" })]);

      const further = await call("POST", `/v1/measures/${renewed.body.id}/renewals`, { review: review("2029-12-01"), endDate: "2030-06-30" });
      expect(further.status).toBe(422);
      expect(further.body.error.details).toEqual([expect.objectContaining({ field: "endDate", code: "over_48_months" })]);

      const list = await call("GET", `/v1/beneficiaries/${b}/measures`);
      expect(list.status).toBe(200);
      expect(list.body.items.map((m: any) => [m.id, m.status])).toEqual([
        [first.id, "renewed"],
        [renewed.body.id, "active"],
      ]);
      expect(list.body.fourYearLimit).toEqual({ firstStart: "2026-01-01", limitDate: "2029-12-31", usedDays: 1461, limitDays: 1461, daysLeft: 0 });
    });

    it("shows the 4-year limit's days left for a single measure", async () => {
      const b = await beneficiary();
      await opened(b, masp1("2026-01-01", "2026-12-31"));
      const list = await call("GET", `/v1/beneficiaries/${b}/measures`);
      expect(list.body.fourYearLimit).toEqual({ firstStart: "2026-01-01", limitDate: "2029-12-31", usedDays: 365, limitDays: 1461, daysLeft: 1096 });
      expect((await call("GET", `/v1/beneficiaries/${randomUUID()}/measures`)).status).toBe(404);
    });

    it("a renewal needs a review with outcome `renew` held during the period (422)", async () => {
      const b = await beneficiary();
      const m = await opened(b, masp1("2026-01-01", "2026-12-31"));
      for (const outcome of ["continue", "end"]) {
        const res = await call("POST", `/v1/measures/${m.id}/renewals`, { review: review("2026-12-01", outcome), endDate: "2027-12-31" });
        expect(res.status).toBe(422);
        expect(fields(res.body)).toEqual(["review.outcome"]);
      }
      const noReview = await call("POST", `/v1/measures/${m.id}/renewals`, { endDate: "2027-12-31" });
      expect(noReview.status).toBe(422);
      expect(fields(noReview.body)).toEqual(["review"]);
      const late = await call("POST", `/v1/measures/${m.id}/renewals`, { review: review("2027-01-05"), endDate: "2027-12-31" });
      expect(late.status).toBe(422);
      expect(fields(late.body)).toEqual(["review.date"]);
      const tooShort = await call("POST", `/v1/measures/${m.id}/renewals`, { review: review("2026-12-01"), endDate: "2027-05-31" });
      expect(tooShort.status).toBe(422);
      expect(fields(tooShort.body)).toEqual(["endDate"]);
      expect((await call("GET", `/v1/measures/${m.id}`)).body).toMatchObject({ status: "active", reviews: [] });
    });

    it("an ended or already renewed measure cannot be renewed (409)", async () => {
      const b = await beneficiary();
      const m = await opened(b, masp1("2026-01-01", "2026-12-31"));
      expect((await call("POST", `/v1/measures/${m.id}/end`, { endDate: "2026-06-30", reason: "objectives_reached" })).status).toBe(200);
      const res = await call("POST", `/v1/measures/${m.id}/renewals`, { review: review("2026-06-01"), endDate: "2027-12-31" });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe("conflict");

      const b2 = await beneficiary();
      const m2 = await opened(b2, masp1("2026-01-01", "2026-06-30"));
      expect(
        (await on("2026-06-01", () => call("POST", `/v1/measures/${m2.id}/renewals`, { review: review("2026-06-01"), endDate: "2026-12-31" }))).status,
      ).toBe(201);
      expect((await call("POST", `/v1/measures/${m2.id}/renewals`, { review: review("2026-06-01"), endDate: "2026-12-31" })).status).toBe(409);
      expect((await call("POST", `/v1/measures/${randomUUID()}/renewals`, { review: review("2026-06-01"), endDate: "2026-12-31" })).status).toBe(404);
    });

    // A renewal takes the prestations AND the extension in force at the end date, amendments
    // included: an avenant that added AF with the extension renews as it stands.
    it("a renewal carries over the extension granted by an amendment", async () => {
      const b = await beneficiary();
      const m = await opened(b, masp2("2026-01-01", "2026-12-31", ["RSA"]));
      const amended = await call("POST", `/v1/measures/${m.id}/amendments`, {
        effectiveDate: "2026-04-01",
        reason: "naissance",
        managedPrestations: ["RSA", "AF"],
        extension: true,
        extensionReason: "enfant au foyer",
      });
      expect(amended.status).toBe(201);
      const renewed = await call("POST", `/v1/measures/${m.id}/renewals`, { review: review("2026-12-01"), endDate: "2027-12-31" });
      expect(renewed.status).toBe(201);
      expect(renewed.body).toMatchObject({ managedPrestations: ["RSA", "AF"], extension: true, extensionReason: "enfant au foyer" });
    });
  });

  describe("prestations (D.271-2, R.271-3)", () => {
    it("a MASP1 manages no prestation; a MASP2 at least one (422, managedPrestations)", async () => {
      const b = await beneficiary();
      const m1 = await open(b, { ...masp1("2026-01-01", "2026-12-31"), managedPrestations: ["RSA"] });
      expect(m1.status).toBe(422);
      expect(m1.body.error.details).toEqual([expect.objectContaining({ field: "managedPrestations", code: "masp1_manages_nothing" })]);
      const m2 = await open(b, masp2("2026-01-01", "2026-12-31", []));
      expect(m2.status).toBe(422);
      expect(fields(m2.body)).toEqual(["managedPrestations"]);
      const m2Omitted = await open(b, { level: "MASP2", startDate: "2026-01-01", endDate: "2026-12-31" });
      expect(fields(m2Omitted.body)).toEqual(["managedPrestations"]);
      expect((await open(b, { ...masp1("2026-01-01", "2026-12-31"), managedPrestations: [] })).status).toBe(201);
    });

    it("refuses codes outside the catalogue (salary, ARE) with the field managedPrestations.<index>", async () => {
      const b = await beneficiary();
      const salary = await open(b, masp2("2026-01-01", "2026-12-31", ["RSA", "SALAIRE"]));
      expect(salary.status).toBe(422);
      expect(salary.body.error.details).toEqual([expect.objectContaining({ field: "managedPrestations.1", code: "unknown_prestation" })]);
      const are = await open(b, masp2("2026-01-01", "2026-12-31", ["ARE"]));
      expect(are.body.error.details).toEqual([expect.objectContaining({ field: "managedPrestations.0", code: "unknown_prestation" })]);
      const several = await open(b, masp2("2026-01-01", "2026-12-31", ["SALAIRE", "AAH", "ASS", "PRIME_ACTIVITE"]));
      expect(fields(several.body)).toEqual(["managedPrestations.0", "managedPrestations.2", "managedPrestations.3"]);
      // Codes are matched whatever their case.
      const lower = await open(b, masp2("2026-01-01", "2026-12-31", ["rsa", "Aah"]));
      expect(lower.status).toBe(201);
      expect(lower.body.managedPrestations).toEqual(["RSA", "AAH"]);
    });

    it("the index of a bad code is its index in the request, duplicates included", async () => {
      const b = await beneficiary();
      const res = await open(b, masp2("2026-01-01", "2026-12-31", ["RSA", "rsa", "ARE"]));
      expect(res.status).toBe(422);
      expect(fields(res.body)).toEqual(["managedPrestations.2"]);
    });

    it("items 18-29 need the extension and its reason; both given, the measure opens", async () => {
      const b = await beneficiary();
      const without = await open(b, masp2("2026-01-01", "2026-12-31", ["RSA", "AF", "ALF"]));
      expect(without.status).toBe(422);
      expect(without.body.error.details).toEqual([
        expect.objectContaining({ field: "managedPrestations.1", code: "needs_extension" }),
        expect.objectContaining({ field: "managedPrestations.2", code: "needs_extension" }),
      ]);
      const noReason = await open(b, masp2("2026-01-01", "2026-12-31", ["RSA", "AF"], { extension: true }));
      expect(noReason.status).toBe(422);
      expect(fields(noReason.body)).toEqual(["extensionReason"]);
      const blankReason = await open(b, masp2("2026-01-01", "2026-12-31", ["RSA", "AF"], { extension: true, extensionReason: "   " }));
      expect(blankReason.status).toBe(422);
      const ok = await open(b, masp2("2026-01-01", "2026-12-31", ["RSA", "AF", "ALF"], { extension: true, extensionReason: "trois enfants à charge" }));
      expect(ok.status).toBe(201);
      expect(ok.body).toMatchObject({ managedPrestations: ["RSA", "AF", "ALF"], extension: true, extensionReason: "trois enfants à charge" });
    });

    it("refuses the extension while a family-budget judicial measure (MJAGBF) exists (422, extension)", async () => {
      const b = await beneficiary({ mjagbf: true });
      const res = await open(b, masp2("2026-01-01", "2026-12-31", ["RSA", "AF"], { extension: true, extensionReason: "enfants" }));
      expect(res.status).toBe(422);
      expect(res.body.error.details).toEqual([expect.objectContaining({ field: "extension", code: "mjagbf" })]);
      expect((await open(b, masp2("2026-01-01", "2026-12-31", ["RSA"]))).status).toBe(201);
    });
  });

  describe("amendments, reviews and history", () => {
    it("an amendment changes the prestations from its date; the history shows every step", async () => {
      const b = await beneficiary();
      const m = await opened(b, masp2("2026-01-01", "2026-12-31", ["RSA"]));

      const a1 = await call("POST", `/v1/measures/${m.id}/amendments`, {
        effectiveDate: "2026-06-01",
        reason: "avenant n°1",
        managedPrestations: ["RSA", "AAH"],
      });
      expect(a1.status).toBe(201);
      expect(a1.body.amendments).toEqual([
        expect.objectContaining({ effectiveDate: "2026-06-01", reason: "avenant n°1", managedPrestations: ["RSA", "AAH"], extension: null }),
      ]);
      // In force today (2026-11-23).
      expect(a1.body.managedPrestations).toEqual(["RSA", "AAH"]);

      // A change that starts after today is recorded but not yet in force.
      const a2 = await call("POST", `/v1/measures/${m.id}/amendments`, {
        effectiveDate: "2026-12-01",
        reason: "avenant n°2",
        managedPrestations: ["RSA", "AAH", "ALS"],
      });
      expect(a2.status).toBe(201);
      expect(a2.body.managedPrestations).toEqual(["RSA", "AAH"]);
      expect(a2.body.amendments.map((a: any) => a.effectiveDate)).toEqual(["2026-06-01", "2026-12-01"]);

      const note = await call("POST", `/v1/measures/${m.id}/amendments`, { effectiveDate: "2026-07-01", reason: "budget", budgetPlanNote: "EDF mensualisé" });
      expect(note.status).toBe(201);
      expect(note.body.managedPrestations).toEqual(["RSA", "AAH"]);

      const reviewed = await call("POST", `/v1/measures/${m.id}/reviews`, review("2026-09-15", "continue"));
      expect(reviewed.status).toBe(201);
      expect(reviewed.body).toMatchObject({ measureId: m.id, date: "2026-09-15", outcome: "continue" });

      const renewed = await call("POST", `/v1/measures/${m.id}/renewals`, { review: review("2026-12-10"), endDate: "2027-12-31" });
      expect(renewed.status).toBe(201);
      // The renewal takes the prestations in force at the end of the period.
      expect(renewed.body.managedPrestations).toEqual(["RSA", "AAH", "ALS"]);

      const ended = await call("POST", `/v1/measures/${renewed.body.id}/end`, { endDate: "2027-03-31", reason: "objectives_reached", comment: "autonome" });
      expect(ended.status).toBe(200);

      const first = (await call("GET", `/v1/measures/${m.id}`)).body;
      expect(first.status).toBe("renewed");
      expect(first.history.map((e: any) => e.type)).toEqual(["opened", "amended", "amended", "amended", "reviewed", "reviewed", "renewed"]);
      expect(first.history.at(-1)).toMatchObject({ type: "renewed", effectiveDate: "2027-01-01", status: "renewed", data: { nextMeasureId: renewed.body.id } });
      expect(first.reviews.map((r: any) => [r.date, r.outcome])).toEqual([
        ["2026-09-15", "continue"],
        ["2026-12-10", "renew"],
      ]);
      expect(first.amendments.map((a: any) => a.effectiveDate)).toEqual(["2026-06-01", "2026-07-01", "2026-12-01"]);

      const second = (await call("GET", `/v1/measures/${renewed.body.id}`)).body;
      expect(second).toMatchObject({
        status: "ended",
        endedOn: "2027-03-31",
        endReason: "objectives_reached",
        endComment: "autonome",
        previousMeasureId: m.id,
      });
      expect(second.history.map((e: any) => [e.type, e.effectiveDate, e.status])).toEqual([
        ["opened", "2027-01-01", "active"],
        ["ended", "2027-03-31", "ended"],
      ]);

      // An ended measure takes no amendment or review.
      expect((await call("POST", `/v1/measures/${renewed.body.id}/amendments`, { effectiveDate: "2027-02-01", reason: "x", budgetPlanNote: "y" })).status).toBe(
        409,
      );
      expect((await call("POST", `/v1/measures/${renewed.body.id}/reviews`, review("2027-02-01", "continue"))).status).toBe(409);
    });

    it("an amendment obeys the measure's rules (422) and its period", async () => {
      const b = await beneficiary();
      const m = await opened(b, masp2("2026-01-01", "2026-12-31", ["RSA"]));
      const amend = (body: Record<string, unknown>) => call("POST", `/v1/measures/${m.id}/amendments`, { reason: "avenant", ...body });
      expect(fields((await amend({ effectiveDate: "2027-01-01", managedPrestations: ["AAH"] })).body)).toEqual(["effectiveDate"]);
      expect(fields((await amend({ effectiveDate: "2025-12-31", managedPrestations: ["AAH"] })).body)).toEqual(["effectiveDate"]);
      expect(fields((await amend({ effectiveDate: "2026-03-01", managedPrestations: ["RSA", "SALAIRE"] })).body)).toEqual(["managedPrestations.1"]);
      expect(codes((await amend({ effectiveDate: "2026-03-01", managedPrestations: ["RSA", "AF"] })).body)).toEqual(["needs_extension"]);
      expect(fields((await amend({ effectiveDate: "2026-03-01", managedPrestations: [] })).body)).toEqual(["managedPrestations"]);
      expect((await amend({ effectiveDate: "2026-03-01" })).status).toBe(422);
      const ext = await amend({ effectiveDate: "2026-03-01", managedPrestations: ["RSA", "AF"], extension: true, extensionReason: "enfant" });
      expect(ext.status).toBe(201);
      expect(ext.body).toMatchObject({ managedPrestations: ["RSA", "AF"], extension: true, extensionReason: "enfant" });

      const b1 = await beneficiary();
      const m1 = await opened(b1, masp1("2026-01-01", "2026-12-31"));
      const onMasp1 = await call("POST", `/v1/measures/${m1.id}/amendments`, { effectiveDate: "2026-03-01", reason: "x", managedPrestations: ["RSA"] });
      expect(onMasp1.status).toBe(422);
      expect(fields(onMasp1.body)).toEqual(["managedPrestations"]);
      expect((await call("POST", `/v1/measures/${randomUUID()}/amendments`, { effectiveDate: "2026-03-01", reason: "x", budgetPlanNote: "y" })).status).toBe(
        404,
      );
      expect((await call("GET", `/v1/measures/${randomUUID()}`)).status).toBe(404);
      expect((await call("GET", "/v1/measures/not-an-id")).status).toBe(404);
    });
  });

  describe("ending a measure", () => {
    it.each(END_REASONS.map((reason) => [reason]))("ends with the reason %s", async (reason) => {
      const b = await beneficiary();
      const m = await opened(b, masp2("2026-01-01", "2026-12-31"));
      const body = { endDate: "2026-06-30", reason, ...(reason === "worsened_orientation" ? { orientation: "curatelle" } : {}) };
      const res = await call("POST", `/v1/measures/${m.id}/end`, body);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        id: m.id,
        status: "ended",
        endedOn: "2026-06-30",
        endReason: reason,
        endOrientation: reason === "worsened_orientation" ? "curatelle" : null,
      });
      expect(res.body.history.map((e: any) => e.type)).toEqual(["opened", "ended"]);
      expect(res.body.history[1]).toMatchObject({ effectiveDate: "2026-06-30", status: "ended", data: { reason } });
      // Ending twice is a conflict.
      const again = await call("POST", `/v1/measures/${m.id}/end`, body);
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe("conflict");
      expect((await call("GET", `/v1/measures/${m.id}`)).body.status).toBe("ended");
    });

    it("worsened_orientation needs an orientation, and only it takes one (422)", async () => {
      const b = await beneficiary();
      const m = await opened(b, masp1("2026-01-01", "2026-12-31"));
      const end = (body: Record<string, unknown>) => call("POST", `/v1/measures/${m.id}/end`, { endDate: "2026-06-30", ...body });
      expect(fields((await end({ reason: "worsened_orientation" })).body)).toEqual(["orientation"]);
      expect(fields((await end({ reason: "worsened_orientation", orientation: "prison" })).body)).toEqual(["orientation"]);
      expect(fields((await end({ reason: "objectives_reached", orientation: "MAJ" })).body)).toEqual(["orientation"]);
      expect(fields((await end({ reason: "bored" })).body)).toEqual(["reason"]);
      expect(fields((await end({ reason: "transfer", endDate: "2027-01-01" })).body)).toEqual(["endDate"]);
      expect(fields((await end({ reason: "transfer", endDate: "2025-12-31" })).body)).toEqual(["endDate"]);
      expect((await call("GET", `/v1/measures/${m.id}`)).body.status).toBe("active");
      for (const orientation of ["MAJ", "tutelle"]) {
        // (the second one is a conflict: already ended)
        const res = await end({ reason: "worsened_orientation", orientation });
        expect(res.status).toBe(orientation === "MAJ" ? 200 : 409);
      }
      expect((await call("GET", `/v1/measures/${m.id}`)).body).toMatchObject({ status: "ended", endOrientation: "MAJ" });
    });

    it("a renewed period cannot be ended (409): the current period is", async () => {
      const b = await beneficiary();
      const m = await opened(b, masp1("2026-01-01", "2026-06-30"));
      const renewed = await on("2026-06-01", () => call("POST", `/v1/measures/${m.id}/renewals`, { review: review("2026-06-01"), endDate: "2026-12-31" }));
      expect(renewed.status).toBe(201);
      expect((await call("POST", `/v1/measures/${m.id}/end`, { endDate: "2026-06-30", reason: "transfer" })).status).toBe(409);
      expect((await call("POST", `/v1/measures/${renewed.body.id}/end`, { endDate: "2026-07-01", reason: "transfer" })).status).toBe(200);
    });
  });

  describe("ledger envelopes", () => {
    it("opening a MASP2 creates the rent and available envelopes; a MASP1 creates none", async () => {
      const accounts = (b: string) =>
        queryRows<{ address: string }>(
          database.db,
          sql`select address from ledger_accounts where beneficiary_id = ${b} or address like ${`beneficiary:${b}:%`} order by address`,
        );
      const b2 = await beneficiary();
      await opened(b2, masp2("2026-01-01", "2026-12-31"));
      expect((await accounts(b2)).map((r) => r.address)).toEqual([`beneficiary:${b2}:available`, `beneficiary:${b2}:rent`]);

      const b1 = await beneficiary();
      await opened(b1, masp1("2026-01-01", "2026-12-31"));
      expect(await accounts(b1)).toEqual([]);
    });
  });

  describe("caseload", () => {
    it("a caseworker cannot see or act on another caseworker's measures (404)", async () => {
      const user = await call("POST", "/v1/users", { email: `cw-${randomBytes(3).toString("hex")}@example.org`, displayName: "CW A", role: "caseworker" });
      expect(user.status).toBe(201);
      const { token } = await createToken(database.db, { role: "caseworker", name: "cw-a", userId: user.body.id });
      const mine: Headers = { Authorization: `Bearer ${token}` };
      const own = await beneficiary({}, mine);
      expect((await open(own, masp1("2026-01-01", "2026-12-31"), mine)).status).toBe(201);

      const other = await beneficiary();
      const m = await opened(other, masp1("2026-01-01", "2026-12-31"));
      expect((await call("GET", `/v1/measures/${m.id}`, undefined, mine)).status).toBe(404);
      expect((await call("GET", `/v1/beneficiaries/${other}/measures`, undefined, mine)).status).toBe(404);
      expect((await open(other, masp1("2027-01-01", "2027-12-31"), mine)).status).toBe(404);
      expect((await call("POST", `/v1/measures/${m.id}/end`, { endDate: "2026-06-30", reason: "transfer" }, mine)).status).toBe(404);
      // A caseworker token for no user sees nothing either.
      expect((await call("GET", `/v1/measures/${m.id}`, undefined, caseworker)).status).toBe(404);
      expect((await call("GET", `/v1/measures/${m.id}`)).body.status).toBe("active");
    });
  });

  describe("GET /v1/prestations", () => {
    it("lists the 28 prestations of D.271-2 with the codes, scopes, earmarks and MASP 3 flags of docs/domain.md", async () => {
      const res = await call("GET", "/v1/prestations");
      expect(res.status).toBe(200);
      const items: any[] = res.body.items;
      expect(items).toHaveLength(28);
      expect(items.map((p) => p.code).sort()).toEqual(Object.keys(TABLE).sort());
      for (const p of items) {
        const [item, scope, earmarked, masp3] = TABLE[p.code]!;
        expect(p, p.code).toEqual({ code: p.code, item, label: expect.any(String), payer: expect.any(String), scope, earmarked, masp3 });
        expect(p.label.length).toBeGreaterThan(3);
        expect(p.scope === "extension").toBe(p.item >= 18 && p.item <= 29);
      }
      expect(items.map((p) => p.item)).not.toContain(16);
      expect(
        items
          .filter((p) => p.earmarked === "housing")
          .map((p) => p.code)
          .sort(),
      ).toEqual(["ALS", "APL"]);
      expect(
        items
          .filter((p) => p.earmarked === "care")
          .map((p) => p.code)
          .sort(),
      ).toEqual(["ACTP", "APA", "ARSM", "PCH", "PCH_ENFANT"]);
      expect(
        items
          .filter((p) => p.masp3 === null)
          .map((p) => p.code)
          .sort(),
      ).toEqual(["ACTP", "APA", "ARSM", "PCH", "PCH_ENFANT"]);
      expect(
        items
          .filter((p) => p.masp3 === "extension")
          .map((p) => p.item)
          .sort((a, b) => a - b),
      ).toEqual([18, 19, 20, 21, 22, 23, 24, 25, 26, 28]);
      for (const code of ["SALAIRE", "ARE", "ASS", "PRIME_ACTIVITE"]) expect(items.map((p) => p.code)).not.toContain(code);
      expect((await call("GET", "/v1/prestations", undefined, caseworker)).status).toBe(200);
      expect((await call("GET", "/v1/prestations", undefined, {})).status).toBe(401);
      expect((await call("GET", "/v1/prestations?asOf=2026-13-01")).status).toBe(422);
    });
  });
});
