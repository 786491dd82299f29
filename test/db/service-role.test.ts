import { randomBytes, randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgError } from "../../src/db/errors";
import { migrateDatabase } from "../../src/db/migrate";
import { leastPrivilegeProblems } from "../../src/db/service-role";
import { queryRows } from "../../src/db/sql";
import { accountBalance, ensureAccounts, envelopeAccount, payerAccount, post } from "../../src/ledger";
import { createTestDatabase, type TestDatabase } from "../support/db";

/**
 * The README's promise that the database refuses forbidden writes "whatever psql session
 * writes", kept for the session that matters most: the service's own role (the one
 * `createTestDatabase` opens, as the service connects in production). It owns nothing,
 * so the guards it cannot switch off stay on; what its privileges do not allow is refused
 * with 42501 before any trigger runs.
 */
describe("the service's database role", () => {
  let database: TestDatabase;
  let owner: postgres.Sql;
  let serviceRole: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    owner = postgres(database.ownerUrl!, { max: 1, onnotice: () => {} });
    serviceRole = decodeURIComponent(new URL(database.url!).username);
    // Something to delete, truncate or rewrite: a credit, its postings and an audit row.
    const id = randomUUID();
    await ensureAccounts(database.db, [envelopeAccount(id, "available"), payerAccount("CAF")]);
    await post(database.db, {
      kind: "credit",
      valueDate: "2026-01-05",
      description: "setup",
      idempotencyKey: randomUUID(),
      actor: "test",
      beneficiaryId: id,
      postings: [
        { account: "bank:main", direction: "debit", amount: 1500n },
        { account: envelopeAccount(id, "available").address, direction: "credit", amount: 1500n },
      ],
    });
    await database.db.execute(sql`
      insert into audit_log (actor, role, action, entity_type, entity_id, beneficiary_id) values ('test', 'admin', 'setup', 'beneficiary', ${id}::uuid, ${id}::uuid)`);
  });
  afterAll(async () => {
    await owner?.end();
    await database?.dispose();
  });

  /** Everything the ledger and the audit hold, as text: a refusal must leave it identical. */
  async function snapshot() {
    const [row] = await queryRows<Record<string, string>>(
      database.db,
      sql`select (select md5(coalesce(string_agg(t::text, '|' order by t.id), '')) from ledger_transactions t) as transactions,
                 (select md5(coalesce(string_agg(p::text, '|' order by p.id), '')) from ledger_postings p) as postings,
                 (select md5(coalesce(string_agg(a::text, '|' order by a.id), '')) from ledger_accounts a) as accounts,
                 (select md5(coalesce(string_agg(l::text, '|' order by l.id), '')) from audit_log l) as audit,
                 (select count(*) from ledger_postings)::text as posting_count`,
    );
    return row!;
  }

  /** The SQLSTATE PostgreSQL answers `statement` with, run as the service's role ("accepted" if it ran). */
  async function asService(statement: string): Promise<string | undefined> {
    try {
      await database.db.execute(sql.raw(statement));
      return "accepted";
    } catch (error) {
      return pgError(error)?.code ?? String(error);
    }
  }

  it("is no superuser, has neither BYPASSRLS nor CREATEROLE, owns nothing and may create nothing", async () => {
    const [role] = await owner<{ rolsuper: boolean; rolbypassrls: boolean; rolcreaterole: boolean }[]>`
      select rolsuper, rolbypassrls, rolcreaterole from pg_roles where rolname = ${serviceRole}`;
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false, rolcreaterole: false });
    expect(await leastPrivilegeProblems(owner, serviceRole)).toEqual([]);
    const [me] = await queryRows<{ user: string }>(database.db, sql`select current_user as "user"`);
    expect(me?.user).toBe(serviceRole);
  });

  it.each([
    // The guards themselves: only an owner may disable a trigger, only a superuser may skip them all.
    "alter table ledger_postings disable trigger all",
    "alter table ledger_transactions disable trigger user",
    "alter table ledger_accounts disable trigger all",
    "alter table audit_log disable trigger all",
    "set session_replication_role = replica",
    "alter function ledger_account_guard() security definer",
    "create or replace function ledger_refuse_change() returns trigger language plpgsql as $$ begin return new; end $$",
    "create trigger sneak before insert on ledger_postings for each row execute function ledger_account_guard()",
    "set role postgres",
    // Drop, truncate.
    "drop table ledger_postings",
    "drop function ledger_post_many(jsonb)",
    "truncate ledger_postings",
    "truncate ledger_transactions cascade",
    "truncate ledger_accounts cascade",
    "truncate audit_log",
    // Append-only: postings, transactions, the business audit.
    "update ledger_postings set amount = amount + 1",
    "delete from ledger_postings",
    "update ledger_transactions set description = 'rewritten'",
    "delete from ledger_transactions",
    "update audit_log set actor = 'someone else'",
    "delete from audit_log",
    // Accounts: only their cached balance may move (by the posting trigger), none is deleted.
    "update ledger_accounts set allow_negative = true",
    "delete from ledger_accounts",
    // Nothing of its own in the schema, nothing of the migrator's.
    "create table shadow_ledger (id int)",
    "create view shadow_view as select 1 as one",
    "select count(*) from drizzle.__drizzle_migrations",
    "insert into prestation_catalogue_versions (version) values ('forged')",
  ])("refuses, as the service's role: %s (42501, nothing changed)", async (statement) => {
    const before = await snapshot();
    expect(await asService(statement)).toBe("42501");
    expect(await snapshot()).toEqual(before);
    expect(Number(before.posting_count)).toBeGreaterThan(0);
  });

  it("refuses a direct UPDATE of a cached balance by trigger (MLBAL): the column the posting trigger moves", async () => {
    const before = await snapshot();
    expect(await asService("update ledger_accounts set balance = balance + 100 where balance_cached")).toBe("MLBAL");
    expect(await snapshot()).toEqual(before);
  });

  it("still posts: the posting trigger moves the cached balance as the service's role", async () => {
    const id = randomUUID();
    const available = envelopeAccount(id, "available");
    await ensureAccounts(database.db, [available]);
    await post(database.db, {
      kind: "credit",
      valueDate: "2026-02-05",
      description: "as the service",
      idempotencyKey: randomUUID(),
      actor: "test",
      beneficiaryId: id,
      postings: [
        { account: "bank:main", direction: "debit", amount: 700n },
        { account: available.address, direction: "credit", amount: 700n },
      ],
    });
    const [cached] = await queryRows<{ balance: string }>(
      database.db,
      sql`select balance::text as balance from ledger_accounts where address = ${available.address}`,
    );
    expect(cached?.balance).toBe("700");
    expect((await accountBalance(database.db, available.address)).balance).toBe(700n);
  });

  describe("grants, applied by the owner after each migration", () => {
    const acl = async () =>
      owner<{ name: string; acl: string | null }[]>`
        select relname as name, relacl::text as acl from pg_class
         where relnamespace = 'public'::regnamespace and relkind in ('r', 'p', 'v', 'm', 'S') order by relname`;

    it("are the same after a second start, and reach a table a later migration adds", async () => {
      const before = await acl();
      await migrateDatabase(database, database.ownerUrl, database.url);
      expect(await acl()).toEqual(before);

      await owner`create table later_feature (id int primary key)`;
      expect(await asService("select count(*) from later_feature")).toBe("42501");
      await migrateDatabase(database, database.ownerUrl, database.url);
      expect(await asService("insert into later_feature values (1)")).toBe("accepted");
      expect(await asService("truncate later_feature")).toBe("42501");
      expect(await asService("alter table later_feature disable trigger all")).toBe("42501");
    });

    it("create the service's role when it is missing, with the password its URL carries", async () => {
      const name = `masp_svc_${randomBytes(4).toString("hex")}`;
      const url = new URL(database.url!);
      url.username = name;
      url.password = "s3cret";
      try {
        await migrateDatabase(database, database.ownerUrl, url.toString());
        const [role] = await owner<{ login: boolean; password: boolean }[]>`
          select rolcanlogin as login, rolpassword is not null as password from pg_authid where rolname = ${name}`;
        expect(role).toEqual({ login: true, password: true });
        expect(await leastPrivilegeProblems(owner, name)).toEqual([]);
      } finally {
        await owner.unsafe(`drop owned by ${name}`).catch(() => undefined);
        await owner.unsafe(`drop role if exists ${name}`);
      }
    });

    it("are not the service's to apply: migrating with its URL alone asks for DATABASE_OWNER_URL", async () => {
      await expect(migrateDatabase(database, database.url)).rejects.toThrow(/DATABASE_OWNER_URL/);
    });

    it("refuse a service role that is the owner, before revoking anything", async () => {
      const before = await acl();
      await expect(migrateDatabase(database, database.ownerUrl, database.ownerUrl)).rejects.toThrow(/must name different roles/);
      expect(await acl()).toEqual(before);
    });
  });
});
