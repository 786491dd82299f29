import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS_FOLDER } from "../../src/db/migrate";
import { queryRows } from "../../src/db/sql";
import { createTestDatabase, type TestDatabase } from "../support/db";

/**
 * Each function of schema public has one canonical source, drizzle/functions/<name>.sql,
 * written as pg_get_functiondef prints it; the migration that changes a function copies
 * that text. Checked against a database migrated on the PostgreSQL server.
 */
const FUNCTIONS_FOLDER = join(MIGRATIONS_FOLDER, "functions");
const trimEnds = (text: string) =>
  text
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n")
    .trimEnd();
const sources = new Map(
  readdirSync(FUNCTIONS_FOLDER)
    .filter((f) => f.endsWith(".sql"))
    .map((f) => [f.slice(0, -4), readFileSync(join(FUNCTIONS_FOLDER, f), "utf8")]),
);

describe("PL/pgSQL and SQL functions against drizzle/functions/", () => {
  let database: TestDatabase;
  let functions: { name: string; language: string; definition: string }[];
  beforeAll(async () => {
    database = await createTestDatabase({ poolMax: 1 });
    functions = await queryRows(
      database.db,
      sql`select p.proname as name, l.lanname as language, pg_get_functiondef(p.oid) as definition
            from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_language l on l.oid = p.prolang
           where n.nspname = 'public' and l.lanname in ('plpgsql', 'sql')
             and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')
           order by 1`,
    );
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("has one function per name: a replaced signature was dropped, not left beside", () => {
    const names = functions.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).not.toContain("ledger_post");
  });

  it("has a canonical file for every function, and a function for every file", () => {
    expect(functions.filter((f) => f.language === "plpgsql").length).toBeGreaterThanOrEqual(9);
    expect([...sources.keys()].sort()).toEqual(functions.map((f) => f.name).sort());
  });

  it("defines each function exactly as its file says", () => {
    for (const f of functions) {
      expect(trimEnds(f.definition), `drizzle/functions/${f.name}.sql`).toBe(trimEnds(sources.get(f.name) ?? ""));
    }
  });

  it("copies the file's text into the latest migration that (re)creates the function in that form", () => {
    const migrations = readdirSync(MIGRATIONS_FOLDER)
      .filter((f) => /^\d{4}_.*\.sql$/.test(f))
      .sort();
    for (const [name, text] of sources) {
      const creating = migrations.filter((m) => readFileSync(join(MIGRATIONS_FOLDER, m), "utf8").includes(`FUNCTION public.${name}(`));
      if (creating.length === 0) continue; // created before the canonical files, never changed since
      const latest = readFileSync(join(MIGRATIONS_FOLDER, creating.at(-1)!), "utf8");
      expect(trimEnds(latest).includes(trimEnds(text)), `${creating.at(-1)} copies drizzle/functions/${name}.sql`).toBe(true);
    }
  });
});
