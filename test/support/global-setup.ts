import { randomBytes } from "node:crypto";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { openDatabase } from "../../src/db/client";
import { migrateDatabase } from "../../src/db/migrate";
import { databaseUrl, TEST_ADMIN_URL } from "./env";

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabase: string;
    runId: string;
  }
}

/**
 * Migrates one template database per run; every test file clones it (CREATE DATABASE
 * ... TEMPLATE), so files are isolated and run in parallel without re-migrating.
 */
export default async function setup(project: TestProject) {
  const runId = randomBytes(4).toString("hex");
  const template = `masp_tpl_${runId}`;
  const admin = postgres(TEST_ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${template}`);
  const url = databaseUrl(template);
  const database = await openDatabase({ url, poolMax: 1 });
  await migrateDatabase(database, url);
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
