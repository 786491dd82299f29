import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

/**
 * Load from a second process written in C (wrk), so that the figures measure the
 * service and not a JavaScript HTTP client sharing its event loop. Installed from
 * Debian's packages when missing (the benchmark machines run as root).
 */
export function ensureWrk(): boolean {
  if (spawnSync("wrk", ["--version"]).error === undefined) return true;
  spawnSync("sh", ["-c", "apt-get install -y -qq wrk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null 2>&1"]);
  return spawnSync("wrk", ["--version"]).error === undefined;
}

export interface WrkResult {
  requests: number;
  non2xx: number;
  seconds: number;
  perSec: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * POSTs credits for `seconds`: each request has its own Idempotency-Key and the next
 * beneficiary of the list.
 */
export async function wrkCredits(options: {
  url: string;
  token: string;
  beneficiaryIds: string[];
  connections: number;
  seconds: number;
  keyPrefix: string;
}): Promise<WrkResult> {
  const dir = mkdtempSync(join(tmpdir(), "wrk-"));
  const script = join(dir, "credits.lua");
  writeFileSync(
    script,
    `local ids = { ${options.beneficiaryIds.map((id) => `"${id}"`).join(",")} }
local prestations = { "RSA", "AAH", "ALS", "RSA", "AAH" }
local n = 0
request = function()
  n = n + 1
  local body = '{"beneficiaryId":"' .. ids[(n % #ids) + 1] .. '","payer":"CAF","prestation":"' .. prestations[(n % 5) + 1] ..
    '","amount":' .. (20000 + n % 50000) .. ',"valueDate":"2026-02-05","reference":"bench ' .. n .. '"}'
  return wrk.format("POST", "/v1/credits", {
    ["Authorization"] = "Bearer ${options.token}",
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = "${options.keyPrefix}-" .. n,
  }, body)
end
done = function(summary, latency, requests)
  io.write(string.format('WRK {"requests":%d,"non2xx":%d,"micros":%d,"p50":%d,"p99":%d}\\n',
    summary.requests, summary.errors.status, summary.duration, latency:percentile(50), latency:percentile(99)))
end
`,
  );
  // Asynchronous: the server under test shares this process's event loop.
  const { stdout: out } = await promisify(execFile)(
    "wrk",
    ["-t", "1", "-c", String(options.connections), "-d", `${options.seconds}s`, "--timeout", "10s", "-s", script, options.url],
    { encoding: "utf8" },
  );
  const line = out.split("\n").find((l) => l.startsWith("WRK "));
  if (!line) throw new Error(`wrk printed no summary:\n${out}`);
  const r = JSON.parse(line.slice(4)) as { requests: number; non2xx: number; micros: number; p50: number; p99: number };
  const seconds = r.micros / 1e6;
  return { requests: r.requests, non2xx: r.non2xx, seconds, perSec: Math.round(r.requests / seconds), p50Ms: r.p50 / 1000, p99Ms: r.p99 / 1000 };
}
