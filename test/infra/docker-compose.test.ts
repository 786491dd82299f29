import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const composeFile = "docker-compose.yml";

/**
 * Runs docker-compose (the Python 1.29 tool from Debian bookworm; `config` needs no
 * Docker engine). A missing binary is a failure, not a skip: CI installs it.
 */
function compose(...args: string[]): string {
  try {
    return execFileSync("docker-compose", ["-f", composeFile, ...args], {
      cwd: repoRoot,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { status?: number | null; stderr?: string };
    if (e.code === "ENOENT") {
      throw new Error(
        "docker-compose is not installed: run `apt-get install -y docker-compose` " +
          "(Debian bookworm package, 1.29; CI installs it). This test validates docker-compose.yml with it.",
      );
    }
    throw new Error(`docker-compose ${args.join(" ")} exited with ${e.status}:\n${e.stderr ?? e.message}`);
  }
}

/**
 * The lines of one top-level service in a compose file (services indented by two
 * spaces), comment lines dropped so a comment cannot satisfy an assertion.
 */
function serviceBlock(text: string, name: string): string {
  const lines = text.split("\n").filter((line) => !/^\s*#/.test(line));
  const start = lines.indexOf(`  ${name}:`);
  if (start === -1) throw new Error(`service ${name} not found in ${composeFile}`);
  const end = lines.findIndex((line, i) => i > start && /^ {0,2}\S/.test(line));
  return lines.slice(start, end === -1 ? undefined : end).join("\n");
}

describe("docker-compose.yml", () => {
  const raw = readFileSync(new URL(`../../${composeFile}`, import.meta.url), "utf8");

  it("is accepted by `docker-compose config` and keeps the health-conditioned depends_on", () => {
    const resolved = compose("config"); // throws (test fails) on a non-zero exit
    expect(resolved).toMatch(/^services:/m);
    for (const service of ["api", "worker"]) {
      const block = serviceBlock(resolved, service);
      expect(block).toMatch(/postgres:\n\s+condition: service_healthy/);
      expect(block).toMatch(/redis:\n\s+condition: service_healthy/);
    }
  });

  it("defines exactly the api, mailpit, postgres, redis and worker services", () => {
    const services = compose("config", "--services")
      .split("\n")
      .map((s) => s.trim())
      .filter(Boolean);
    expect(services.sort()).toEqual(["api", "mailpit", "postgres", "redis", "worker"]);
  });

  it("runs Redis with AOF persistence and the noeviction policy BullMQ requires", () => {
    const redis = serviceBlock(raw, "redis");
    expect(redis).toMatch(/image:\s*["']?redis:7["']?\s*$/m);
    const command = redis.match(/^\s+command:(.*)$/m)?.[1] ?? "";
    expect(command).toContain("redis-server");
    expect(command).toContain("--appendonly yes");
    expect(command).toContain("--maxmemory-policy noeviction");
  });

  it("runs PostgreSQL 16", () => {
    expect(serviceBlock(raw, "postgres")).toMatch(/image:\s*["']?postgres:16["']?\s*$/m);
  });

  it("exposes the API on 3000 and no port for the worker", () => {
    expect(serviceBlock(raw, "api")).toMatch(/["']?3000:3000["']?/);
    expect(serviceBlock(raw, "worker")).not.toMatch(/^\s+ports:/m);
  });

  it("sends the worker's alert mails to Mailpit, whose web UI is on 8025", () => {
    expect(serviceBlock(raw, "mailpit")).toMatch(/image:\s*["']?axllent\/mailpit:/m);
    expect(serviceBlock(raw, "mailpit")).toMatch(/["']?8025:8025["']?/);
    const worker = serviceBlock(raw, "worker");
    expect(worker).toMatch(/SMTP_URL:\s*smtp:\/\/mailpit:1025/);
    expect(worker).toMatch(/PUBLIC_URL:/);
  });
});
