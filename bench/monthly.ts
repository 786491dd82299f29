import { Redis } from "ioredis";
import { verifyLedger } from "../src/ledger";
import { createLogger } from "../src/logger";
import { startJobRuntime } from "../workers/runtime";
import { cpuMeter } from "./support/cpu";
import { withScratchDatabase } from "./support/scratch";
import { seedBeneficiaries, seedCredits } from "./support/seed";
import { trackPeakRss } from "./support/stats";

/**
 * `npm run bench:monthly`: BENCH_N (default 100 000) active MASP2 measures, each with a
 * lease, a charge and a credit of the month, then `rent-payments` and `reversements`
 * for one date, through the real BullMQ queue. Target: both jobs in ≤ 45 s (issue 11).
 * Each job also reports the CPU seconds it cost in this process and in the scratch
 * database's backends: on a shared machine the wall clock mostly measures the neighbours.
 * DATABASE_URL is an admin connection (a scratch database is created and dropped).
 */
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const N = Number(process.env.BENCH_N ?? 100_000);

async function main() {
  const rss = trackPeakRss();
  const prefix = `bench-monthly-${process.pid}`;
  try {
    await withScratchDatabase("monthly", 10, async ({ url, database }) => {
      let runtime: Awaited<ReturnType<typeof startJobRuntime>> | undefined;
      const cpu = cpuMeter(url);
      try {
        let t = performance.now();
        await seedBeneficiaries(url, N, "2026-01-01");
        await seedCredits(url);
        console.log(JSON.stringify({ seeded: N, seedSeconds: Math.round((performance.now() - t) / 100) / 10 }));
        runtime = await startJobRuntime({
          db: database.db,
          logger: createLogger("warn"),
          redisUrl: REDIS_URL,
          prefix,
          scheduler: false,
          processJobs: true,
          allowInProcess: false,
        });

        t = performance.now();
        let stop = await cpu.start();
        const rent = await runtime.run("rent-payments", { asOf: "2026-01-05" }, 30 * 60_000);
        const rentSeconds = (performance.now() - t) / 1000;
        const rentCpu = await stop();
        console.log(
          JSON.stringify({
            job: "rent-payments",
            seconds: Math.round(rentSeconds * 10) / 10,
            measuresPerSec: Math.round(N / rentSeconds),
            cpu: rentCpu,
            summary: rent,
          }),
        );

        t = performance.now();
        stop = await cpu.start();
        const rev = await runtime.run("reversements", { asOf: "2026-01-10" }, 30 * 60_000);
        const reversementSeconds = (performance.now() - t) / 1000;
        const reversementCpu = await stop();
        console.log(
          JSON.stringify({
            job: "reversements",
            seconds: Math.round(reversementSeconds * 10) / 10,
            measuresPerSec: Math.round(N / reversementSeconds),
            cpu: reversementCpu,
            summary: rev,
          }),
        );

        const report = await verifyLedger(database.db);
        if (!report.ok) throw new Error("ledger verification failed after the benchmark");
        console.log(
          JSON.stringify({
            measures: N,
            rentSeconds: Math.round(rentSeconds * 10) / 10,
            reversementSeconds: Math.round(reversementSeconds * 10) / 10,
            totalSeconds: Math.round((rentSeconds + reversementSeconds) * 10) / 10,
            measuresPerSec: Math.round((2 * N) / (rentSeconds + reversementSeconds)),
            cpuSeconds: {
              node: Math.round((rentCpu.nodeCpuS + reversementCpu.nodeCpuS) * 10) / 10,
              pg: Math.round((rentCpu.pgCpuS + reversementCpu.pgCpuS) * 10) / 10,
            },
            peakRssMb: rss.peakMb(),
          }),
        );
      } finally {
        await runtime?.close();
        await cpu.end();
      }
    });
  } finally {
    rss.stop();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
