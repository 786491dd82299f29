import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgError } from "../../src/db/errors";
import { queryRows } from "../../src/db/sql";
import { createTestDatabase, type TestDatabase } from "../support/db";

/**
 * The raw transaction of the PostgreSQL driver (client.ts, `pipelinedTransaction`): its
 * BEGIN travels with the first statements and its COMMIT with the last (`finish`). On a
 * pool of ONE connection, so that a connection not given back, or given back inside a
 * transaction, shows at the next query.
 */
describe("pipelined raw transaction", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ poolMax: 1, as: "owner" });
    await database.db.execute(sql`create table pipelined (id int primary key, n int not null)`);
    // A deferred check: it fails at COMMIT, as the ledger's balance check does.
    await database.db.execute(sql`create table pipelined_deferred (id int primary key,
      parent int references pipelined (id) deferrable initially deferred)`);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  const rows = async () => (await queryRows<{ id: number; n: number }>(database.db, sql`select id, n from pipelined order by id`)).map((r) => [r.id, r.n]);
  const inTransaction = async () => (await database.db.$raw.query<{ t: string }>("select now()::text as t, clock_timestamp()::text as c")).length === 1;

  it("runs the work in one transaction: every statement sees the same transaction", async () => {
    const ids = await database.db.$raw.begin(async (q, finish) => {
      const [a, b] = await Promise.all([
        q<{ x: string }>("select pg_current_xact_id()::text as x"),
        q<{ x: string }>("select pg_current_xact_id()::text as x"),
      ]);
      const [c] = await finish<{ x: string }>("select pg_current_xact_id()::text as x");
      return [a[0]!.x, b[0]!.x, c!.x];
    });
    expect(new Set(ids).size).toBe(1);
  });

  it("commits with the last statement (finish), whose rows it returns; nothing may run after it", async () => {
    await database.db.execute(sql`truncate pipelined cascade`);
    let late: unknown;
    const returned = await database.db.$raw.begin(async (q, finish) => {
      await q("insert into pipelined values (1, 1)");
      const out = await finish<{ id: number }>("insert into pipelined values (2, 2) returning id");
      late = await q("select 1").catch((e: unknown) => e);
      return out.map((r) => r.id);
    });
    expect(returned).toEqual([2]);
    expect(late).toBeInstanceOf(Error);
    expect(await rows()).toEqual([
      [1, 1],
      [2, 2],
    ]);
  });

  it("commits when the work returns without finish", async () => {
    await database.db.execute(sql`truncate pipelined cascade`);
    await database.db.$raw.begin(async (q) => {
      await q("insert into pipelined values (3, 3)");
    });
    expect(await rows()).toEqual([[3, 3]]);
  });

  it("a last statement that fails reports its own error, writes nothing, and gives the connection back", async () => {
    await database.db.execute(sql`truncate pipelined cascade`);
    const error = await database.db.$raw
      .begin(async (q, finish) => {
        await q("insert into pipelined values (4, 4)");
        await finish("insert into pipelined values (4, 5)");
      })
      .catch((e: unknown) => e);
    expect(pgError(error)?.code).toBe("23505");
    expect(await rows()).toEqual([]);
    expect(await inTransaction()).toBe(true);
  });

  it("a COMMIT refused by a deferred check reports that check, writes nothing, and gives the connection back", async () => {
    await database.db.execute(sql`truncate pipelined cascade`);
    for (const viaFinish of [true, false]) {
      const error = await database.db.$raw
        .begin(async (q, finish) => {
          await q("insert into pipelined values (5, 5)");
          const orphan = "insert into pipelined_deferred values (1, 999)";
          await (viaFinish ? finish(orphan) : q(orphan));
        })
        .catch((e: unknown) => e);
      expect(pgError(error)?.code).toBe("23503");
      expect(await rows()).toEqual([]);
    }
    // Not left inside a transaction: this write is committed on its own.
    await database.db.$raw.query("insert into pipelined values (6, 6)");
    expect(await rows()).toEqual([[6, 6]]);
  });

  it("an error thrown by the work rolls back what it wrote", async () => {
    await database.db.execute(sql`truncate pipelined cascade`);
    const error = await database.db.$raw
      .begin(async (q) => {
        await q("insert into pipelined values (7, 7)");
        throw new Error("the work changed its mind");
      })
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe("the work changed its mind");
    expect(await rows()).toEqual([]);
  });

  it("a connection that dies inside the transaction fails the work, and the pool opens another", async () => {
    const error = await database.db.$raw
      .begin(async (q) => {
        await q("insert into pipelined values (8, 8)");
        await q("select pg_terminate_backend(pg_backend_pid())");
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    // postgres.js (3.4) keeps the ended session's FATAL error and reports it once more, on the
    // first query of the reopened connection. postgres.js's own `begin` crashed the process here
    // (a write to the closed socket), which this transaction never attempts.
    await database.db.$raw.query("select 1").catch(() => {});
    expect(await rows()).toEqual([]);
    await database.db.$raw.begin(async (q, finish) => {
      await q("insert into pipelined values (9, 9)");
      await finish("insert into pipelined values (10, 10)");
    });
    expect(await rows()).toEqual([
      [9, 9],
      [10, 10],
    ]);
  });
});
