import fc from "fast-check";
import { v7 as uuidv7 } from "uuid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays } from "../../src/domain/calendar";
import { isMasp2InForce } from "../../src/domain/in-force";
import { masp2InForceSql } from "../../src/services/measures/in-force-sql";
import { createTestDatabase, type TestDatabase } from "../support/db";

/** A measure as stored, with its dates around a probe date so that every boundary gets hit. */
const measure = fc
  .record({
    level: fc.constantFrom("MASP1" as const, "MASP2" as const),
    start: fc.integer({ min: -40, max: 40 }),
    length: fc.integer({ min: 0, max: 60 }),
    ended: fc.option(fc.integer({ min: -5, max: 65 }), { nil: null }),
  })
  .map(({ level, start, length, ended }) => {
    const startDate = addDays("2026-03-01", start);
    return { level, startDate, endDate: addDays(startDate, length), endedOn: ended === null ? null : addDays(startDate, ended) };
  });

const probe = fc.record({
  pick: fc.nat(),
  at: fc.constantFrom("startDate", "endDate", "endedOn", "random"),
  shift: fc.integer({ min: -1, max: 1 }),
  random: fc.integer({ min: -45, max: 110 }),
});

describe("a MASP 2 in force on a date: the TypeScript predicate and the SQL fragment agree (PostgreSQL)", () => {
  let database: TestDatabase;
  let beneficiaryId: string;
  beforeAll(async () => {
    database = await createTestDatabase({ poolMax: 2 });
    beneficiaryId = uuidv7();
    await database.db.$raw.query(`insert into beneficiaries (id, first_name, last_name, birth_date) values ($1, 'Test', 'InForce', '1980-01-01')`, [
      beneficiaryId,
    ]);
  });
  afterAll(async () => database?.dispose());

  it("property: on random measures and dates, both say the same of each measure", async () => {
    const select = `select m.id::text as id, (${masp2InForceSql("m", "$2::date")}) as in_force from measures m where m.beneficiary_id = $1`;
    await fc.assert(
      fc.asyncProperty(fc.array(measure, { minLength: 1, maxLength: 8 }), probe, async (measures, p) => {
        // Mostly a boundary of one of the measures, or the day before or after it.
        const target = measures[p.pick % measures.length]!;
        const boundary = p.at === "startDate" ? target.startDate : p.at === "endDate" ? target.endDate : p.at === "endedOn" ? target.endedOn : null;
        const date = boundary ? addDays(boundary, p.shift) : addDays("2026-03-01", p.random);
        const rows = measures.map((m) => ({ id: uuidv7(), ...m }));
        await database.db.$raw.query(`delete from measures where beneficiary_id = $1`, [beneficiaryId]);
        for (const m of rows) {
          const ended = m.endedOn !== null;
          await database.db.$raw.query(
            `insert into measures (id, beneficiary_id, level, start_date, end_date, status, managed_prestations, catalogue_version, ended_on, end_reason)
             values ($1, $2, $3, $4, $5, $6, $7::text[], 'test', $8, $9)`,
            [
              m.id,
              beneficiaryId,
              m.level,
              m.startDate,
              m.endDate,
              ended ? "ended" : "active",
              m.level === "MASP2" ? "{RSA}" : "{}",
              m.endedOn,
              ended ? "transfer" : null,
            ],
          );
        }
        const inSql = new Map((await database.db.$raw.query<{ id: string; in_force: boolean }>(select, [beneficiaryId, date])).map((r) => [r.id, r.in_force]));
        for (const m of rows) expect([m, date, inSql.get(m.id)]).toEqual([m, date, isMasp2InForce(m, date)]);
      }),
      { numRuns: 100 },
    );
  });

  it("refuses an alias that is not one", () => {
    expect(() => masp2InForceSql("m; drop table measures", "$1")).toThrow(TypeError);
  });
});
