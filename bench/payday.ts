import { createWriteStream } from "node:fs";
import { mkdtemp, open, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { runText } from "../src/db/sql";
import { markBatchSent } from "../src/services/batches/batch-transitions";
import { prepareBatches } from "../src/services/batches/prepare-batches";
import { downloadBatchFile } from "../src/services/batches/stored-file";
import { systemContext } from "../src/services/context";
import { runPayments } from "../src/services/payments/run-payments";
import { cpuMeter } from "./support/cpu";
import { withScratchDatabase } from "./support/scratch";
import { seedBeneficiaries, seedCredits } from "./support/seed";
import { settleSentOrders } from "./support/settle";
import { trackPeakRss } from "./support/stats";

/**
 * `npm run bench:payday`: BENCH_N (default 100 000) MASP2 measures with their month's
 * credit → the rent job → one batch of every rent order → its pain.001 file written to
 * disk (streamed) and its totals checked → the batch sent → every order settled. Last
 * line JSON `{ orders, batchSeconds, fileSeconds, fileMb, settleSeconds, peakRssMb }`.
 * Target: batch + file ≤ 15 s, peak RSS ≤ 400 MB, settlements at least as fast per
 * order as the rent job. DATABASE_URL is an admin connection (scratch database).
 */
const N = Number(process.env.BENCH_N ?? 100_000);
const ASOF = "2026-01-05";

const seconds = (since: number) => Math.round((performance.now() - since) / 100) / 10;

/** `NbOfTxs` and `CtrlSum` of the group header, read back from the head of the file. */
async function headerTotals(path: string): Promise<{ count: number; sum: string }> {
  const file = await open(path);
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(4096), 0, 4096, 0);
    const head = buffer.subarray(0, bytesRead).toString("utf8");
    return { count: Number(/<NbOfTxs>(\d+)<\/NbOfTxs>/.exec(head)?.[1]), sum: /<CtrlSum>([\d.]+)<\/CtrlSum>/.exec(head)?.[1] ?? "" };
  } finally {
    await file.close();
  }
}

async function main() {
  const rss = trackPeakRss();
  const dir = await mkdtemp(join(tmpdir(), "masp-payday-"));
  try {
    await withScratchDatabase("payday", 10, async ({ url, database }) => {
      let t = performance.now();
      await seedBeneficiaries(url, N, "2026-01-01");
      await seedCredits(url);
      // The default pooled account (the migration made it from `bank:main`) gets its IBAN.
      await runText(database.db, "update bank_accounts set iban = 'FR7630001007941234567890185' where is_default");
      console.log(JSON.stringify({ seeded: N, seedSeconds: seconds(t) }));

      const cpu = cpuMeter(url);
      await runText(database.db, "analyze");
      let phase = await cpu.start();
      t = performance.now();
      const rent = await runPayments({ db: database.db, kind: "rent", asOf: ASOF, actor: "bench" });
      const rentSeconds = seconds(t);
      const rentCpu = await phase();
      // The peak so far after each phase: which phase sets the whole run's peak RSS.
      const peakRssAfter: Record<string, number> = { rent: rss.peakMb() };
      console.log(JSON.stringify({ job: "rent-payments", seconds: rentSeconds, summary: { ...rent, amount: rent.amount.toString() } }));

      const ctx = { ...systemContext(database.db, "bench"), today: () => ASOF };
      phase = await cpu.start();
      t = performance.now();
      const [batch, ...others] = await prepareBatches({ ctx, data: { executionDate: ASOF } });
      const batchSeconds = seconds(t);
      const batchCpu = await phase();
      peakRssAfter.batch = rss.peakMb();
      if (!batch || others.length) throw new Error("one batch expected (one pooled account)");

      phase = await cpu.start();
      t = performance.now();
      const path = join(dir, "remise.xml");
      // The first download generates the file and stores it (gzip parts), then streams the stored copy.
      const file = await downloadBatchFile({ ctx, id: batch.id });
      await pipeline(Readable.from(file.content), createWriteStream(path));
      const fileSeconds = seconds(t);
      const fileCpu = await phase();
      peakRssAfter.file = rss.peakMb();
      // A later download: the stored copy only.
      t = performance.now();
      const again = await downloadBatchFile({ ctx, id: batch.id });
      await pipeline(Readable.from(again.content), createWriteStream(`${path}.again`));
      const downloadSeconds = seconds(t);
      if (again.sha256 !== file.sha256 || (await stat(`${path}.again`)).size !== (await stat(path)).size) throw new Error("the second download differs");
      const fileMb = Math.round(((await stat(path)).size / 1024 / 1024) * 10) / 10;
      const totals = await headerTotals(path);
      const expected = `${batch.total / 100n}.${String(batch.total % 100n).padStart(2, "0")}`;
      if (totals.count !== batch.orders || totals.sum !== expected) {
        throw new Error(`file totals ${JSON.stringify(totals)} differ from the batch's ${batch.orders} / ${expected}`);
      }
      console.log(JSON.stringify({ batch: batch.id, orders: batch.orders, batchSeconds, batchCpu, fileSeconds, fileCpu, downloadSeconds, fileMb }));

      await markBatchSent({ ctx, id: batch.id });
      phase = await cpu.start();
      t = performance.now();
      const settled = await settleSentOrders(database.db, batch.id, ASOF);
      const settleSeconds = seconds(t);
      const settleCpu = await phase();
      peakRssAfter.settle = rss.peakMb();
      await cpu.end();
      const msPerOrder = (s: number) => Math.round((s * 1000 * 1000) / batch.orders) / 1000;
      console.log(
        JSON.stringify({
          rentCpu,
          batchCpu,
          fileCpu,
          settleCpu,
          rentMsPerOrder: msPerOrder(rentSeconds),
          settleMsPerOrder: msPerOrder(settleSeconds),
          peakRssAfter,
        }),
      );
      console.log(
        JSON.stringify({
          orders: batch.orders,
          batchSeconds,
          fileSeconds,
          fileMb,
          settleSeconds,
          settled,
          rentSeconds,
          peakRssMb: rss.peakMb(),
        }),
      );
    });
  } finally {
    rss.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
