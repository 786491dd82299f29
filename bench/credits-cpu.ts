import { readFileSync } from "node:fs";
import postgres from "postgres";
import { withScratchDatabase } from "./support/scratch";
import { seedBeneficiaries } from "./support/seed";
import { startCreditServer } from "./support/server";
import { ensureWrk, wrkCredits } from "./support/wrk";

/**
 * `npm run bench:credits-cpu`: the CPU time one credit costs, in the service process
 * and in its PostgreSQL backends, under wrk at 32 connections. Unlike a throughput, a
 * CPU time per credit hardly moves when other work shares the machine, so two
 * versions can be compared on a busy one. Needs wrk and a local PostgreSQL (it reads
 * the backends' times in /proc).
 */
const BENEFICIARIES = Number(process.env.BENCH_BENEFICIARIES ?? 2_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const TICKS_PER_MS = 100 / 1000; // USER_HZ

function backendCpuMs(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
    } catch {
      // a backend that ended: its time is lost, and counted nowhere
    }
  }
  return ticks / TICKS_PER_MS;
}

async function main() {
  if (!ensureWrk()) throw new Error("wrk is needed: apt-get install wrk");
  await withScratchDatabase("cpu", 20, async ({ url, database }) => {
    const ids = await seedBeneficiaries(url, BENEFICIARIES);
    const server = await startCreditServer(database);
    const { base, token } = server;
    const monitor = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const load = (seconds: number, keyPrefix: string) => wrkCredits({ url: base, token, beneficiaryIds: ids, connections: 32, seconds, keyPrefix });
      await load(Math.max(3, SECONDS / 2), `warm-${process.pid}`);
      await database.db.execute("analyze" as never);
      const pids = async () =>
        (await monitor<{ pid: number }[]>`select pid from pg_stat_activity where datname = current_database() and application_name = 'masp-ledger'`).map(
          (r) => r.pid,
        );
      const before = await pids();
      const pgBefore = backendCpuMs(before);
      const nodeBefore = process.cpuUsage();
      const r = await load(SECONDS, `cpu-${process.pid}`);
      const node = process.cpuUsage(nodeBefore);
      const after = await pids();
      // A backend opened during the run counts whole (its time before was zero).
      const pg = backendCpuMs(after) - pgBefore;
      if (r.non2xx > 0) throw new Error(`${r.non2xx} credits were not accepted`);
      const perCredit = (ms: number) => Math.round((ms / r.requests) * 1000) / 1000;
      const nodeMs = (node.user + node.system) / 1000;
      console.log(
        JSON.stringify({
          credits: r.requests,
          creditsPerSec: r.perSec,
          p99Ms: r.p99Ms,
          serviceCpuMsPerCredit: perCredit(nodeMs),
          postgresCpuMsPerCredit: perCredit(pg),
          cpuMsPerCredit: perCredit(nodeMs + pg),
        }),
      );
    } finally {
      await monitor.end();
      await server.close();
    }
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
