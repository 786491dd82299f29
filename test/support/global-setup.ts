import { randomBytes } from "node:crypto";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { openDatabase } from "../../src/db/client";
import { migrateDatabase } from "../../src/db/migrate";
import { redisReachable } from "../../workers/connection";
import { databaseUrl, TEST_ADMIN_URL, TEST_REDIS_URL } from "./env";

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabase: string;
    runId: string;
  }
}

/**
 * Migrates one template database per run; every test file clones it (CREATE DATABASE
 * ... TEMPLATE), so files are isolated and run in parallel without re-migrating. The
 * owner migrates it and grants the service's role, as at the service's start.
 */
export default async function setup(project: TestProject) {
  await stopUnlessServicesAnswer();
  const runId = randomBytes(4).toString("hex");
  const template = `masp_tpl_${runId}`;
  const admin = postgres(TEST_ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${template}`);
  const url = databaseUrl(template);
  const database = await openDatabase({ url, poolMax: 1 });
  // Migrated by the owner, which grants the service's role; the clones keep the grants.
  await migrateDatabase(database, url, databaseUrl(template, "service"));
  await database.close();
  project.provide("templateDatabase", template);
  project.provide("runId", runId);

  return async () => {
    const leftovers = await admin<{ datname: string }[]>`
      select datname from pg_database where datname like ${`masp_%_${runId}%`}`;
    for (const { datname } of leftovers) {
      await admin.unsafe(`drop database if exists ${datname} with (force)`);
    }
    await admin.end();
  };
}

/** A URL as it may be printed: without its password. */
function shown(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return url;
  }
}

async function postgresAnswers(url: string): Promise<boolean> {
  const probe = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await probe`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await probe.end({ timeout: 1 }).catch(() => {});
  }
}

/**
 * Both services are checked before anything else: one sentence says which does not
 * answer where, and how to start it, instead of an ECONNREFUSED stack per test file.
 */
async function stopUnlessServicesAnswer(): Promise<void> {
  const [pg, redis] = await Promise.all([postgresAnswers(TEST_ADMIN_URL), redisReachable(TEST_REDIS_URL, 3_000)]);
  const silent = [
    ...(pg ? [] : [`PostgreSQL at ${shown(TEST_ADMIN_URL)} (TEST_DATABASE_URL)`]),
    ...(redis ? [] : [`Redis at ${shown(TEST_REDIS_URL)} (TEST_REDIS_URL)`]),
  ];
  if (silent.length === 0) return;
  process.stderr.write(
    `\nThe tests need PostgreSQL and Redis, but ${silent.join(" and ")} did not answer: start them with \`docker compose up -d postgres redis\` ` +
      "(or install the Debian packages postgresql and redis-server), or point TEST_DATABASE_URL and TEST_REDIS_URL at yours.\n\n",
  );
  process.exit(1);
}
