import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { queryRows } from "../../src/db/sql";
import { systemContext } from "../../src/services/context";
import { CreditBatcher, type CreditRequestData } from "../../src/services/credits/credit-batcher";
import { apiCaller, bearer, createTestApp, type Headers, type TestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { householdMaker } from "../support/household";

/**
 * The credit batcher writes concurrent credits as one batch; a batch that fails as a
 * whole (here: a reference PostgreSQL cannot store, a NUL character, makes the batch's
 * JSON unreadable) is written again one request at a time, so that one bad request
 * fails alone and the others are recorded, once each.
 */
describe("credit batcher", () => {
  let database: TestDatabase;
  let app: TestApp;
  let admin: Headers;
  const call = apiCaller(
    () => app,
    () => admin,
  );
  const household = householdMaker(call, { managed: ["RSA"] });

  beforeAll(async () => {
    database = await createTestDatabase();
    app = createTestApp(database.db, { today: () => "2026-11-23" });
    admin = await bearer(database.db, "admin");
  });
  afterAll(async () => {
    await database?.dispose();
  });

  const data = (beneficiaryId: string, reference: string): CreditRequestData => ({
    beneficiaryId,
    payer: "CAF",
    prestation: "RSA",
    amount: 10_000n,
    valueDate: "2026-02-05",
    reference,
  });

  it("falls back to one request at a time when a batch fails: one bad request does not fail the others", async () => {
    const h = await household({ lease: null });
    const other = await household({ lease: null });
    // One write at a time: the first submit is a batch of one, the next three queue into one batch.
    const batcher = new CreditBatcher(database.db, { maxBatch: 128, maxInFlight: 1 });
    const write = vi.spyOn(batcher as unknown as { write: (batch: unknown[]) => Promise<void> }, "write");
    const ctx = systemContext(database.db, "test");
    const submit = (beneficiaryId: string, reference: string) => batcher.submit(ctx, randomUUID(), randomUUID(), data(beneficiaryId, reference));
    const outcomes = await Promise.allSettled([
      submit(h.id, "first, alone"),
      submit(h.id, "good 1"),
      submit(other.id, "bad \u0000 reference"),
      submit(h.id, "good 2"),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    // The first alone, the batch of three failing whole, then each of the three alone.
    expect(write.mock.calls.map(([batch]) => batch.length)).toEqual([1, 3, 1, 1, 1]);
    const rows = await queryRows<{ beneficiary_id: string; reference: string }>(
      database.db,
      sql`select beneficiary_id, reference from credits where beneficiary_id in (${h.id}::uuid, ${other.id}::uuid) order by reference`,
    );
    expect(rows).toEqual([
      { beneficiary_id: h.id, reference: "first, alone" },
      { beneficiary_id: h.id, reference: "good 1" },
      { beneficiary_id: h.id, reference: "good 2" },
    ]);
    const [ledger] = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from ledger_transactions where beneficiary_id = ${h.id}::uuid`);
    expect(Number(ledger!.n)).toBe(3);
  });
});
