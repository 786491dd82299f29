import { readFileSync } from "node:fs";
import postgres from "postgres";

const TICKS_PER_MS = 100 / 1000; // USER_HZ

/** CPU milliseconds (user + system) the given processes have used so far; an ended one counts nowhere. */
function processesCpuMs(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
    } catch {
      // a backend that ended: its time is lost
    }
  }
  return ticks / TICKS_PER_MS;
}

/**
 * The CPU a phase of a benchmark costs, in this process and in the PostgreSQL backends
 * of its scratch database: on a shared machine, wall-clock seconds move with the
 * neighbours' load, CPU time much less. The database server must run on this machine.
 */
export function cpuMeter(url: string) {
  const monitor = postgres(url, { max: 1, onnotice: () => {} });
  const backends = async () =>
    (await monitor<{ pid: number }[]>`select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`).map((r) => r.pid);
  return {
    /** Starts a phase; the returned function ends it with `{ nodeCpuS, pgCpuS }`. */
    async start() {
      const pgBefore = processesCpuMs(await backends());
      const nodeBefore = process.cpuUsage();
      return async () => {
        const node = process.cpuUsage(nodeBefore);
        // A backend opened during the phase counts whole (its time before was zero).
        const pg = processesCpuMs(await backends()) - pgBefore;
        const s = (ms: number) => Math.round(ms / 100) / 10;
        return { nodeCpuS: s((node.user + node.system) / 1000), pgCpuS: s(pg) };
      };
    },
    end: () => monitor.end(),
  };
}
