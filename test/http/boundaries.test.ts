import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name))
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

/** Every module a file imports, resolved against the repository root. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  return [...text.matchAll(/from\s+"(\.[^"]+)"/g)].map((m) => relative(root, resolve(root, file, "..", m[1]!)));
}

describe("layer boundaries", () => {
  it("src/http and workers/ share the jobs catalogue and never import each other", () => {
    const httpToWorkers = sources("src/http").flatMap((f) =>
      importsOf(f)
        .filter((i) => i.startsWith("workers/"))
        .map((i) => `${f} -> ${i}`),
    );
    const workersToHttp = sources("workers").flatMap((f) =>
      importsOf(f)
        .filter((i) => i.startsWith("src/http/"))
        .map((i) => `${f} -> ${i}`),
    );
    expect(httpToWorkers).toEqual([]);
    expect(workersToHttp).toEqual([]);
  });

  /** Imports of `dir`'s files that fall outside the folders it may depend on. */
  const outside = (dir: string, allowed: readonly string[]) =>
    sources(dir).flatMap((f) =>
      importsOf(f)
        .filter((i) => !allowed.some((a) => i.startsWith(a)))
        .map((i) => `${f} -> ${i}`),
    );

  it("the domain is pure: it imports only itself (no database, ledger, service or HTTP)", () => {
    expect(outside("src/domain", ["src/domain/"])).toEqual([]);
    // Nor a driver or the ORM: the law runs without I/O.
    const packages = sources("src/domain").filter((f) =>
      /from\s+"(postgres|drizzle-orm|@electric-sql|bullmq|ioredis|hono)/.test(readFileSync(join(root, f), "utf8")),
    );
    expect(packages).toEqual([]);
  });

  it("the ledger depends on the domain and the database only; services never import the HTTP layer or the workers", () => {
    expect(outside("src/ledger", ["src/ledger/", "src/domain/", "src/db/"])).toEqual([]);
    expect(outside("src/services", ["src/services/", "src/domain/", "src/banking/", "src/ledger/", "src/db/", "src/auth/"])).toEqual([]);
    // The bank file formats are pure too: data in, text out.
    expect(outside("src/banking", ["src/banking/", "src/domain/"])).toEqual([]);
  });
});
