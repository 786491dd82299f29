// The registry this project installs from serves only some of msgpackr-extract's
// platform packages (bullmq → msgpackr → msgpackr-extract, all optional), so
// `npm install` writes a lock file without the others, and `npm ci` then refuses it.
// This adds lock entries for the missing platform packages: `npm ci` skips them on a
// platform they do not match, so nothing is downloaded. Run after `npm install`.
import { readFileSync, writeFileSync } from "node:fs";

const path = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(path, "utf8"));
const platforms = {
  "darwin-arm64": ["darwin", "arm64"],
  "darwin-x64": ["darwin", "x64"],
  "linux-arm": ["linux", "arm"],
  "linux-arm64": ["linux", "arm64"],
  "linux-x64": ["linux", "x64"],
  "win32-x64": ["win32", "x64"],
};
let added = 0;
for (const [name, entry] of Object.entries(lock.packages)) {
  for (const dep of Object.keys(entry.optionalDependencies ?? {})) {
    const match = /^@msgpackr-extract\/msgpackr-extract-(.+)$/.exec(dep);
    const key = `node_modules/${dep}`;
    if (!match || lock.packages[key] || !platforms[match[1]]) continue;
    const [os, cpu] = platforms[match[1]];
    lock.packages[key] = { version: entry.optionalDependencies[dep], cpu: [cpu], os: [os], optional: true, license: "MIT" };
    added++;
  }
  void name;
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))));
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: ${added} platform entries added`);
