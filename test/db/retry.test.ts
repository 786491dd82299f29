import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgError } from "../../src/db/errors";
import { queryRows, rawTransaction, runText } from "../../src/db/sql";
import { withTransaction } from "../../src/db/transaction";
import { createTestDatabase, type TestDatabase } from "../support/db";

/**
 * The one retry loop (sql.ts, retryTransaction) behind withTransaction and
 * rawTransaction: a serialization failure (40001) or a deadlock (40P01) on a first
 * attempt is retried, and the work is done once.
 */
type Run = (text: string) => Promise<unknown>;
/** Both kinds of transaction, reduced to "run this SQL text inside". */
const KINDS: { name: string; run: (database: TestDatabase, work: (q: Run) => Promise<void>) => Promise<void> }[] = [
  { name: "withTransaction", run: (database, work) => withTransaction(database.db, (tx) => work((text) => runText(tx, text))) },
  { name: "rawTransaction", run: (database, work) => rawTransaction(database.db.$raw, (q) => work((text) => q(text))) },
];

describe.each(KINDS)("retry of $name", ({ run }) => {
  let database: TestDatabase;
  beforeAll(async () => {
    // As the owner: the test makes a table of its own, which the service's role may not.
    database = await createTestDatabase({ poolMax: 4, as: "owner" });
    await database.db.execute(sql`create table retry_counter (id int primary key, n int not null)`);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  const counters = async () =>
    (await queryRows<{ id: number; n: number }>(database.db, sql`select id, n from retry_counter order by id`)).map((r) => [r.id, r.n]);

  it("retries a transaction that met a serialization failure (40001), its work done once", async () => {
    await database.db.execute(sql`truncate retry_counter`);
    await database.db.execute(sql`insert into retry_counter values (1, 0)`);
    const codes: string[] = [];
    let attempts = 0;
    await run(database, async (q) => {
      attempts++;
      await q("update retry_counter set n = n + 1 where id = 1");
      if (attempts === 1) {
        try {
          await q("do $$ begin raise exception 'could not serialize access' using errcode = '40001'; end $$");
        } catch (error) {
          codes.push(pgError(error)?.code ?? "?");
          throw error;
        }
      }
    });
    expect(codes).toEqual(["40001"]);
    expect(attempts).toBe(2);
    expect(await counters()).toEqual([[1, 1]]);
  });

  it("retries the victim of a real deadlock between two connections (40P01), each work done once", async () => {
    await database.db.execute(sql`truncate retry_counter`);
    await database.db.execute(sql`insert into retry_counter values (1, 0), (2, 0)`);
    const codes: string[] = [];
    let attempts = 0;
    // Both first attempts hold their first row before either asks for the other's.
    let arrived = 0;
    let release!: () => void;
    const bothHold = new Promise<void>((resolve) => (release = resolve));
    const crossing = (first: number, second: number) =>
      run(database, async (q) => {
        attempts++;
        await q(`update retry_counter set n = n + 1 where id = ${first}`);
        if (++arrived === 2) release();
        await bothHold;
        try {
          await q(`update retry_counter set n = n + 1 where id = ${second}`);
        } catch (error) {
          codes.push(pgError(error)?.code ?? "?");
          throw error;
        }
      });
    await Promise.all([crossing(1, 2), crossing(2, 1)]);
    expect(codes).toEqual(["40P01"]);
    expect(attempts).toBe(3);
    expect(await counters()).toEqual([
      [1, 2],
      [2, 2],
    ]);
  });
});
