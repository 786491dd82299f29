import { createWriteStream } from "node:fs";
import { mkdtemp, open, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { writePain001 } from "../src/banking/pain001/write-pain001";
import { runText } from "../src/db/sql";
import { batchFile } from "../src/services/batches/batch-file";
import { markBatchSent } from "../src/services/batches/batch-transitions";
import { prepareBatches } from "../src/services/batches/prepare-batches";
import { systemContext } from "../src/services/context";
import { runPayments } from "../src/services/payments/run-payments";
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

      t = performance.now();
      const rent = await runPayments({ db: database.db, kind: "rent", asOf: ASOF, actor: "bench" });
      const rentSeconds = seconds(t);
      console.log(JSON.stringify({ job: "rent-payments", seconds: rentSeconds, summary: { ...rent, amount: rent.amount.toString() } }));

      const ctx = { ...systemContext(database.db, "bench"), today: () => ASOF };
      t = performance.now();
      const [batch, ...others] = await prepareBatches({ ctx, data: { executionDate: ASOF } });
      const batchSeconds = seconds(t);
      if (!batch || others.length) throw new Error("one batch expected (one pooled account)");

      t = performance.now();
      const path = join(dir, "remise.xml");
      const file = await batchFile({ ctx, id: batch.id });
      await pipeline(writePain001(file.input), createWriteStream(path));
      const fileSeconds = seconds(t);
      const fileMb = Math.round(((await stat(path)).size / 1024 / 1024) * 10) / 10;
      const totals = await headerTotals(path);
      const expected = `${batch.total / 100n}.${String(batch.total % 100n).padStart(2, "0")}`;
      if (totals.count !== batch.orders || totals.sum !== expected) {
        throw new Error(`file totals ${JSON.stringify(totals)} differ from the batch's ${batch.orders} / ${expected}`);
      }
      console.log(JSON.stringify({ batch: batch.id, orders: batch.orders, batchSeconds, fileSeconds, fileMb }));

      await markBatchSent({ ctx, id: batch.id });
      t = performance.now();
      const settled = await settleSentOrders(database.db, batch.id, ASOF);
      const settleSeconds = seconds(t);
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
