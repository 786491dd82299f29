import { loadavg } from "node:os";
import { runText } from "../src/db/sql";
import { systemContext } from "../src/services/context";
import { importBankFile } from "../src/services/statements/import-statements";
import { camt053Chunks, type GeneratedEntry } from "../test/support/bank-files";
import { cpuMeter } from "./support/cpu";
import { withScratchDatabase } from "./support/scratch";
import { seedBeneficiaries } from "./support/seed";
import { trackPeakRss } from "./support/stats";

/**
 * `npm run bench:statement`: BENCH_N (default 100 000) beneficiaries with a CAF number and a
 * MASP 2, then one camt.053 of BENCH_N CAF credit lines (one each, streamed from the
 * generator, never a whole string) imported as it streams (`importBankFile`: read and stored
 * a bounded number of entries at a time), then matched, allocated and posted. Last line
 * JSON `{ lines, seconds, linesPerSec, peakRssMb }`, the line before it the CPU seconds of this
 * process and of the database's backends (the wall clock on a shared machine says more
 * about the neighbours). Target ≤ 60 s and ≤ 400 MB.
 */
const N = Number(process.env.BENCH_N ?? 100_000);
const DAY = "2026-01-05";
const AMOUNT = 60_775n;
const IBAN = "FR7630001007941234567890185";

function* entries(): Generator<GeneratedEntry> {
  for (let g = 1; g <= N; g++) {
    const caf = String(g).padStart(7, "0");
    yield { amount: AMOUNT, bookingDate: DAY, name: "CAF DE LA MAYENNE", remittance: `RSA 12/2025 ALLOCATAIRE ${caf}`, bankReference: `CAF${g}` };
  }
}

async function main() {
  const rss = trackPeakRss();
  try {
    await withScratchDatabase("statement", 10, async ({ url, database }) => {
      let t = performance.now();
      await seedBeneficiaries(url, N, "2026-01-01");
      await runText(database.db, "update bank_accounts set iban = $1 where is_default", [IBAN]);
      console.log(JSON.stringify({ seeded: N, seedSeconds: Math.round(performance.now() - t) / 1000 }));
      const ctx = { ...systemContext(database.db, "bench"), role: "finance" as const, today: () => "2026-01-20" };
      const cpu = cpuMeter(url);
      const phase = await cpu.start();
      t = performance.now();
      const outcome = await importBankFile(
        ctx,
        camt053Chunks({ iban: IBAN, from: DAY, to: DAY, opening: 0n, closing: AMOUNT * BigInt(N), id: "BENCH", entries: entries() }),
      );
      const seconds = (performance.now() - t) / 1000;
      const used = await phase();
      await cpu.end();
      const s = outcome.statements[0]!;
      const [credits] = await runText<{ n: number }>(database.db, "select count(*)::int as n from credits");
      console.log(
        JSON.stringify({
          matched: s.matched,
          suspense: s.suspense,
          credits: credits!.n,
          ...used,
          loadAverage: loadavg()[0],
        }),
      );
      if (s.matched !== N) throw new Error(`${N - s.matched} lines not matched`);
      console.log(JSON.stringify({ lines: N, seconds: Math.round(seconds * 10) / 10, linesPerSec: Math.round(N / seconds), peakRssMb: rss.peakMb() }));
    });
  } finally {
    rss.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
