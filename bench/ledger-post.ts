import { randomUUID } from "node:crypto";
import { withTransaction } from "../src/db/transaction";
import { ensureAccounts, envelopeAccount, payerAccount, post, postMany, verifyLedger } from "../src/ledger";
import { measureCeiling } from "./support/ceiling";
import { BENCH_ADMIN_URL, withScratchDatabase } from "./support/scratch";
import { percentile, runConcurrent, trackPeakRss } from "./support/stats";

/**
 * The ledger core alone: `post()` of a credit (bank + payer clearing + two envelopes)
 * at concurrency 1, 8 and 32, every credit touching the same system accounts, beside
 * the pgbench ceiling measured in the same run; then sets of 32 posted by one
 * `postMany()` (one ledger_post_many call, as the credit batcher does). Reads DATABASE_URL (an admin URL: a
 * scratch database is created), BENCH_N and BENCH_HISTORY.
 */
const N = Number(process.env.BENCH_N ?? 5000);
const BENEFICIARIES = 5000;
const HISTORY = Number(process.env.BENCH_HISTORY ?? 20_000);

async function main() {
  const rss = trackPeakRss();
  try {
    await withScratchDatabase("ledger", 32, async ({ database }) => {
      const ids = Array.from({ length: BENEFICIARIES }, () => randomUUID());
      await ensureAccounts(database.db, [payerAccount("CAF")]);
      for (let i = 0; i < ids.length; i += 500) {
        await ensureAccounts(
          database.db,
          ids.slice(i, i + 500).flatMap((id) => [envelopeAccount(id, "rent"), envelopeAccount(id, "available")]),
        );
      }
      const credit = (i: number) => {
        const id = ids[i % ids.length]!;
        return {
          kind: "credit",
          valueDate: "2026-01-05",
          description: "bench",
          idempotencyKey: randomUUID(),
          actor: "bench",
          beneficiaryId: id,
          postings: [
            { account: "bank:main", direction: "debit" as const, amount: 60_775n },
            { account: "payer:CAF", direction: "credit" as const, amount: 60_775n },
            { account: "payer:CAF", direction: "debit" as const, amount: 60_775n },
            { account: `beneficiary:${id}:rent`, direction: "credit" as const, amount: 50_000n },
            { account: `beneficiary:${id}:available`, direction: "credit" as const, amount: 10_775n },
          ],
        };
      };
      // History first, then statistics: plans made on empty tables lie (trap 1).
      await runConcurrent(HISTORY, 16, (i) => post(database.db, credit(i)));
      await database.db.execute("analyze" as never);
      const results: Record<string, unknown>[] = [];
      for (const concurrency of [1, 8, 32]) {
        for (const mode of ["autocommit", "transaction"] as const) {
          const r = await runConcurrent(concurrency === 1 ? Math.min(N, 1500) : N, concurrency, (i) =>
            mode === "autocommit" ? post(database.db, credit(i)) : withTransaction(database.db, (tx) => post(tx, credit(i))),
          );
          const line = { concurrency, mode, postsPerSec: r.perSec, p50Ms: percentile(r.latencies, 50), p99Ms: percentile(r.latencies, 99) };
          console.log(JSON.stringify(line));
          results.push(line);
        }
      }
      for (const concurrency of [1, 4]) {
        const size = 32;
        const r = await runConcurrent(Math.ceil(N / size), concurrency, (i) =>
          postMany(
            database.db,
            Array.from({ length: size }, (_, j) => credit(i * size + j)),
          ),
        );
        const line = {
          concurrency,
          mode: `sets of ${size}`,
          postsPerSec: r.perSec * size,
          p50Ms: percentile(r.latencies, 50),
          p99Ms: percentile(r.latencies, 99),
        };
        console.log(JSON.stringify(line));
      }
      const report = await verifyLedger(database.db);
      if (!report.ok) throw new Error("ledger verification failed after the benchmark");
      const ceilingPerSec = await measureCeiling(BENCH_ADMIN_URL);
      const best32 = Math.max(...results.filter((r) => r.concurrency === 32).map((r) => r.postsPerSec as number));
      console.log(JSON.stringify({ postsPerSec32: best32, ceilingPerSec, ratio: Math.round((best32 / ceilingPerSec) * 100) / 100, peakRssMb: rss.peakMb() }));
    });
  } finally {
    rss.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
