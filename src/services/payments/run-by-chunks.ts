import type { Db } from "../../db/client";
import { type RawQuery, rawTransaction, uuidArray } from "../../db/sql";
import { CREDIT_STATE_SQL, JOB_READS, type JobState, type StateRead } from "../credits/credit-state";
import { masp2InForceSql } from "../measures/in-force-sql";

/** MASP2 measures in force on a date: the beneficiaries every daily job walks through. */
const CANDIDATES_SQL = `select distinct m.beneficiary_id::text as id from measures m
  where ${masp2InForceSql("m", "$1::date")}
  order by 1`;

export interface ChunkOptions {
  db: Db;
  asOf: string;
  chunkSize?: number;
  /** Chunks written at once: disjoint sets of beneficiaries, so they never wait on each other. */
  parallel?: number;
  onProgress?: (done: number, total: number) => Promise<void> | void;
}

/** The state a job reads of each beneficiary: by default all of it (`JobState`). */
type ChunkWork<S> = (q: RawQuery, states: S[]) => Promise<void>;

/**
 * Walks the beneficiaries with a MASP2 measure in force on `asOf` in chunks, each in
 * its own database transaction with the chunk's rows locked in id order (credits and
 * a second worker wait, never deadlock) and their state read after the lock. A worker
 * killed mid-run leaves only whole chunks behind; the next run finds their work done.
 */
export async function runByChunks<S = JobState>(options: ChunkOptions & { read?: StateRead<S> }, work: ChunkWork<S>): Promise<{ beneficiaries: number }> {
  // Without a read of its own, a job reads everything: S is then JobState.
  const read = options.read ?? (JOB_READS.job as unknown as StateRead<S>);
  const size = options.chunkSize ?? 500;
  const ids = (await options.db.$raw.query<{ id: string }>(CANDIDATES_SQL, [options.asOf])).map((r) => r.id);
  let next = 0;
  let done = 0;
  const lane = async () => {
    for (let i = next; i < ids.length; i = next) {
      next += size;
      const chunk = uuidArray(ids.slice(i, i + size));
      await rawTransaction(options.db.$raw, async (q) => {
        await q(CREDIT_STATE_SQL.lock, [chunk]);
        await work(q, read.parse(await q<Record<string, unknown>>(read.sql, [chunk])));
      });
      done += Math.min(size, ids.length - i);
      await options.onProgress?.(done, ids.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.parallel ?? 2) }, lane));
  return { beneficiaries: ids.length };
}
