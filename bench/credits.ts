import { randomUUID } from "node:crypto";
import { verifyLedger } from "../src/ledger";
import { measureCeiling } from "./support/ceiling";
import { BENCH_ADMIN_URL, withScratchDatabase } from "./support/scratch";
import { seedBeneficiaries } from "./support/seed";
import { type CreditServer, startCreditServer } from "./support/server";
import { percentile, runConcurrent, trackPeakRss } from "./support/stats";
import { ensureWrk, wrkCredits } from "./support/wrk";

/**
 * `npm run bench:credits`: POST /v1/credits over HTTP at concurrency 1, 8 and 32,
 * spread over many beneficiaries, every credit touching the same bank account; beside
 * it, pgbench's double-entry ceiling measured in the same run. DATABASE_URL is used as
 * an admin connection: the benchmark works in a scratch database it creates and drops.
 */
const N = Number(process.env.BENCH_N ?? 10_000);
const BENEFICIARIES = Number(process.env.BENCH_BENEFICIARIES ?? 5_000);
const HISTORY = Number(process.env.BENCH_HISTORY ?? 20_000);
/** With wrk, each concurrency level runs for a time window rather than N requests. */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);

async function main() {
  const rss = trackPeakRss();
  try {
    await withScratchDatabase("credits", Number(process.env.DB_POOL_MAX ?? 20), async ({ url, database }) => {
      let server: CreditServer | undefined;
      try {
        const ids = await seedBeneficiaries(url, BENEFICIARIES);
        server = await startCreditServer(database);
        const { base, token } = server;
        const prestations = ["RSA", "AAH", "ALS", "RSA", "AAH"];
        const credit = async (i: number) => {
          const res = await fetch(`${base}/v1/credits`, {
            method: "POST",
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "idempotency-key": randomUUID() },
            body: JSON.stringify({
              beneficiaryId: ids[i % ids.length],
              payer: "CAF",
              prestation: prestations[i % prestations.length],
              amount: 20_000 + (i % 50_000),
              valueDate: "2026-02-05",
              reference: `bench ${i}`,
            }),
          });
          if (res.status !== 201) throw new Error(`credit ${i}: ${res.status} ${await res.text()}`);
          await res.arrayBuffer();
        };
        // History first, then statistics: plans made on empty tables lie (trap 1).
        await runConcurrent(HISTORY, 16, credit);
        await database.db.execute("analyze" as never);
        const results: { concurrency: number; creditsPerSec: number; p50Ms: number; p99Ms: number; client: string }[] = [];
        const useWrk = process.env.BENCH_CLIENT !== "node" && ensureWrk();
        if (!useWrk) console.error("wrk is not available: the load comes from this process (fetch), which understates the service");
        for (const concurrency of [1, 8, 32]) {
          const total = concurrency === 1 ? Math.min(N, 1_000) : N;
          let line: (typeof results)[number];
          if (useWrk) {
            // wrk runs in another process: wait for it without blocking this event loop.
            const r = await wrkCredits({
              url: base,
              token,
              beneficiaryIds: ids,
              connections: concurrency,
              seconds: SECONDS,
              keyPrefix: `bench-${concurrency}-${process.pid}`,
            });
            if (r.non2xx > 0) throw new Error(`${r.non2xx} credits were not accepted`);
            line = { concurrency, creditsPerSec: r.perSec, p50Ms: r.p50Ms, p99Ms: r.p99Ms, client: "wrk" };
          } else {
            const r = await runConcurrent(total, concurrency, (i) => credit(i + HISTORY + concurrency * 1_000_000));
            line = { concurrency, creditsPerSec: r.perSec, p50Ms: percentile(r.latencies, 50), p99Ms: percentile(r.latencies, 99), client: "fetch" };
          }
          results.push(line);
          console.log(JSON.stringify(line));
        }
        const report = await verifyLedger(database.db);
        if (!report.ok) throw new Error("ledger verification failed after the benchmark");
        await server.close();
        server = undefined;
        const ceilingPerSec = await measureCeiling(BENCH_ADMIN_URL);
        const c32 = results.find((r) => r.concurrency === 32)!;
        console.log(
          JSON.stringify({
            concurrency: 32,
            creditsPerSec: c32.creditsPerSec,
            ceilingPerSec,
            ratio: Math.round((c32.creditsPerSec / ceilingPerSec) * 100) / 100,
            p50Ms: c32.p50Ms,
            p99Ms: c32.p99Ms,
            peakRssMb: rss.peakMb(),
          }),
        );
      } finally {
        await server?.close();
      }
    });
  } finally {
    rss.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
