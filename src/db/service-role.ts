import type postgres from "postgres";

/**
 * Least privilege (README, _Database roles_): the service connects as a role that owns
 * nothing, so it can neither disable the ledger's triggers (owners only), nor set
 * `session_replication_role` (superusers only), nor drop, alter or truncate a table.
 * The owner grants it what the code needs after every migration, under the migration
 * lock; revoking first makes the grants the same at each start, whatever came before.
 */

/** What the service may do on a table of the schema that is not listed below. */
const DEFAULT_TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE";

/**
 * Tables on which the service may do less than the default. The ledger's triggers
 * refuse these writes to everyone, owner included; the missing privilege refuses them
 * to the service before any trigger runs.
 */
const RESTRICTED_TABLES: Readonly<Record<string, string>> = {
  ledger_transactions: "SELECT, INSERT",
  ledger_postings: "SELECT, INSERT",
  // The posting trigger runs as the service and moves the cached balance (it also
  // backs `FOR NO KEY UPDATE` in ledger_post_many); ledger_account_guard refuses a
  // balance change made anywhere but inside that trigger.
  ledger_accounts: "SELECT, INSERT, UPDATE (balance)",
  // The business audit stays with the accounts: never changed or purged by the application.
  audit_log: "SELECT, INSERT",
  // What a batch's file says, frozen when it was prepared: the same bytes on every download.
  payment_batch_orders: "SELECT, INSERT",
  // A batch's file as first generated: the same bytes on every download, whatever the writer becomes.
  payment_batch_files: "SELECT, INSERT",
  payment_batch_file_parts: "SELECT, INSERT",
  // Seeded by migrations.
  prestation_catalogue: "SELECT",
  prestation_catalogue_versions: "SELECT",
};

export interface ServiceRole {
  readonly name: string;
  /** Used only when the role is created here; an existing role keeps its password. */
  readonly password?: string;
}

/** The service's role as its connection URL names it. */
export function serviceRoleOf(url: string): ServiceRole {
  const u = new URL(url);
  const name = decodeURIComponent(u.username);
  if (!name) throw new Error("the service's database URL must name its role (postgres://role:password@host/db)");
  return { name, password: u.password ? decodeURIComponent(u.password) : undefined };
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Creates the service's role when it is missing and the owner may create roles, checks
 * that it holds no power over the ledger's guards (throws naming what is wrong, never a
 * secret), then grants it exactly what RESTRICTED_TABLES and the default say.
 */
export async function grantServiceRole(owner: postgres.Sql, role: ServiceRole): Promise<void> {
  await ensureRole(owner, role);
  // Checked before granting: revoking "from the service" must never strip the owner itself.
  const problems = await leastPrivilegeProblems(owner, role.name);
  if (problems.length) {
    throw new Error(`the service's role ${role.name} has more power than it may: ${problems.join("; ")} (README, Database roles)`);
  }
  const grantee = ident(role.name);
  await owner.begin(async (tx) => {
    const tables = await tx<{ name: string; matview: boolean }[]>`
      select c.relname as name, c.relkind = 'm' as matview from pg_class c
       where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p', 'v', 'm')
       order by c.relname`;
    await tx.unsafe(`revoke all on all tables in schema public from ${grantee}`);
    await tx.unsafe(`revoke all on all sequences in schema public from ${grantee}`);
    await tx.unsafe(`grant usage on schema public to ${grantee}`);
    for (const { name, matview } of tables) {
      // A materialized view is only read (refreshing one takes its owner).
      const privileges = matview ? "SELECT" : (RESTRICTED_TABLES[name] ?? DEFAULT_TABLE_PRIVILEGES);
      await tx.unsafe(`grant ${privileges} on table public.${ident(name)} to ${grantee}`);
    }
    await tx.unsafe(`grant usage, select on all sequences in schema public to ${grantee}`);
    await tx.unsafe(`grant execute on all functions in schema public to ${grantee}`);
  });
}

async function ensureRole(owner: postgres.Sql, role: ServiceRole): Promise<void> {
  const [found] = await owner<{ found: boolean }[]>`select exists (select 1 from pg_roles where rolname = ${role.name}) as found`;
  if (found?.found) return;
  const [me] = await owner<{ may: boolean }[]>`select rolsuper or rolcreaterole as may from pg_roles where rolname = current_user`;
  if (!me?.may) {
    throw new Error(`the service's role ${role.name} does not exist and the owner may not create it: CREATE ROLE ${ident(role.name)} LOGIN PASSWORD '…' first`);
  }
  // format() quotes the name and the password on the server side.
  const [statement] = await owner<{ text: string }[]>`
    select format(case when ${role.password ?? null}::text is null then 'create role %I login' else 'create role %I login password %L' end,
                  ${role.name}::text, ${role.password ?? null}::text) as text`;
  try {
    await owner.unsafe(statement!.text);
  } catch (error) {
    // Another process (or test run) created it between our check and our CREATE.
    const { code, message } = error as { code?: string; message?: string };
    if (code === "42710" || code === "23505") return;
    // A new error without the statement, which carries the password.
    throw new Error(`could not create the service's role ${role.name}: ${message} [${code}]`);
  }
}

/** What would let the role get round the ledger's triggers, in words; empty when nothing. */
export async function leastPrivilegeProblems(db: postgres.Sql, roleName: string): Promise<string[]> {
  const [row] = await db<{ superuser: boolean; bypassrls: boolean; createrole: boolean; ownerMember: boolean; owns: number; createInSchema: boolean }[]>`
    select r.rolsuper as superuser, r.rolbypassrls as bypassrls, r.rolcreaterole as createrole,
           coalesce(pg_has_role(r.oid, (select relowner from pg_class where oid = 'public.ledger_postings'::regclass), 'USAGE'), false) as "ownerMember",
           ((select count(*) from pg_class where relowner = r.oid)
             + (select count(*) from pg_proc where proowner = r.oid)
             + (select count(*) from pg_namespace where nspowner = r.oid))::int as owns,
           has_schema_privilege(r.oid, 'public', 'CREATE') as "createInSchema"
      from pg_roles r where r.rolname = ${roleName}`;
  if (!row) return ["the role does not exist"];
  return [
    ...(row.superuser ? ["it is a superuser"] : []),
    ...(row.bypassrls ? ["it has BYPASSRLS"] : []),
    ...(row.createrole ? ["it has CREATEROLE"] : []),
    ...(row.ownerMember ? ["it is (or acts as) the owner of the ledger's tables: DATABASE_URL and DATABASE_OWNER_URL must name different roles"] : []),
    ...(row.owns > 0 ? [`it owns ${row.owns} object(s) of this database`] : []),
    ...(row.createInSchema ? ["it may create objects in schema public (REVOKE CREATE ON SCHEMA public FROM PUBLIC)"] : []),
  ];
}
