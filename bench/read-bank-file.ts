/**
 * The bank-file parser alone: a camt.053 of BENCH_LINES (default 100 000) CAF credits,
 * generated as a stream (never a whole string), read by readBankFile(). Prints the bytes,
 * the time, the lines per second and the peak RSS; the last line is JSON. The import
 * benchmark (matching, posting) builds on this file generator.
 */
import { readBankFile } from "../src/banking/statements/read-bank-file";
import { camt053Chunks, type GeneratedEntry } from "../test/support/bank-files";
import { trackPeakRss } from "./support/stats";

const lines = Number(process.env.BENCH_LINES ?? 100_000);

function* credits(): Generator<GeneratedEntry> {
  for (let i = 0; i < lines; i++) {
    const allocataire = String(1_000_000 + i);
    yield {
      amount: 400_00n + BigInt(i % 50_000),
      bookingDate: "2026-02-05",
      name: "CAISSE D'ALLOCATIONS FAMILIALES DE L'ESSONNE",
      iban: "FR1420041010050500013M02606",
      remittance: `RSA 012026 ALLOCATAIRE ${allocataire} BENEFICIAIRE ${i} PRESTATION RSA SOCLE MOIS DE JANVIER 2026`,
      endToEndId: `CAF91-2026-02-${allocataire}`,
      bankReference: `2026020500${String(i).padStart(8, "0")}`,
      label: `VIR SEPA CAF DE L'ESSONNE ${allocataire}`,
    };
  }
}

const total = [...Array(lines).keys()].reduce((sum, i) => sum + 400_00n + BigInt(i % 50_000), 0n);
const statement = { iban: "FR7630006000011234567890189", from: "2026-02-04", to: "2026-02-05", opening: 0n, closing: total, entries: credits() };

let bytes = 0;
async function* counted() {
  for await (const chunk of camt053Chunks(statement)) {
    bytes += chunk.length;
    yield chunk;
  }
}

const rss = trackPeakRss();
const started = performance.now();
const file = await readBankFile(counted());
const seconds = (performance.now() - started) / 1000;
rss.stop();
if (file.kind !== "statements") throw new Error("not read as a statement");
const read = file.statements[0]!.entries.length;
console.log(`${read} lines, ${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s`);
console.log(JSON.stringify({ lines: read, megabytes: Math.round(bytes / 1e5) / 10, seconds: Math.round(seconds * 10) / 10, linesPerSec: Math.round(read / seconds), peakRssMb: rss.peakMb() }));
