import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";

/**
 * This machine's raw-SQL ceiling, measured in the same run as the service (absolute
 * figures move ±25 % between runs): pgbench running the minimal double-entry transfer
 * of docs/performance.md on its own scratch database, seeded with history and analysed.
 */
export async function measureCeiling(adminUrl: string, clients = 32, seconds = 20): Promise<number> {
  const name = `masp_bench_ceiling_${process.pid}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name}`);
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = postgres(url.toString(), { max: 1, onnotice: () => {} });
  try {
    await db.unsafe(`
      create table accounts (id bigint primary key, balance bigint not null check (balance >= 0));
      create table transactions (id bigserial primary key, kind text not null, amount bigint not null check (amount > 0), created_at timestamptz not null default now());
      create table postings (id bigserial primary key, transaction_id bigint not null references transactions, account_id bigint not null references accounts, amount bigint not null);
      create index on postings (transaction_id);
      create index on postings (account_id);
      insert into accounts select g, 1000000000 from generate_series(1, 10000) g;
      with t as (insert into transactions (kind, amount) select 'seed', 100 from generate_series(1, 100000) returning id)
      insert into postings (transaction_id, account_id, amount)
        select id, 1 + (id % 10000), s from t, (values (-100), (100)) v(s);
      analyze;`);
    const dir = mkdtempSync(join(tmpdir(), "pgbench-"));
    const script = join(dir, "transfer.sql");
    writeFileSync(
      script,
      `\\set a random(1, 10000)
\\set b random(1, 10000)
\\set amt random(1, 1000)
\\set lo least(:a, :b)
\\set hi greatest(:a, :b)
BEGIN;
INSERT INTO transactions(kind, amount) VALUES ('transfer', :amt) RETURNING id \\gset
INSERT INTO postings(transaction_id, account_id, amount) VALUES (:id, :a, -:amt), (:id, :b, :amt);
UPDATE accounts SET balance = balance + (CASE WHEN :lo = :a THEN -:amt ELSE :amt END) WHERE id = :lo;
UPDATE accounts SET balance = balance + (CASE WHEN :hi = :a THEN -:amt ELSE :amt END) WHERE id = :hi;
COMMIT;
`,
    );
    const out = execFileSync(
      "pgbench",
      [
        "-n",
        "-c",
        String(clients),
        "-j",
        "2",
        "-T",
        String(seconds),
        "-f",
        script,
        "-h",
        url.hostname,
        "-p",
        url.port || "5432",
        "-U",
        decodeURIComponent(url.username || "postgres"),
        name,
      ],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
    const tps = /tps = ([\d.]+)/.exec(out)?.[1];
    if (!tps) throw new Error(`pgbench printed no tps:\n${out}`);
    return Math.round(Number(tps));
  } finally {
    await db.end();
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}
