import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countedBody, DEFAULT_LIMITS, limitsFor } from "../../src/http/limits";
import { bearer, createTestApp, type Headers, type TestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { staffUser, uiSession } from "../support/ui";

/**
 * Security headers on every answer, a Content-Security-Policy that the pages keep (no
 * inline script or style), `no-store` wherever personal data may be, and the body
 * size and time limits answered in the contract's error shape.
 */
describe("headers and limits", () => {
  let db: TestDatabase;
  let app: TestApp;
  let admin: Headers;
  let session: Awaited<ReturnType<typeof uiSession>>;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = createTestApp(db.db);
    admin = await bearer(db.db, "admin");
    await staffUser(db.db, "headers.admin@asso.example", "admin", "Alex Admin");
    session = await uiSession(app, "headers.admin@asso.example");
  });

  afterAll(async () => {
    await db?.dispose();
  });

  const page = (path: string) => app.request(path, { headers: { cookie: session.cookie } });

  describe("Content-Security-Policy", () => {
    it("allows no inline script or style, no framing, no form posted elsewhere", async () => {
      const res = await page("/");
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("form-action 'self'");
      expect(csp).not.toContain("unsafe-inline");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    });

    it.each(["/", "/beneficiaires", "/versements/nouveau", "/virements", "/alertes", "/traitements", "/beneficiaires/nouveau", "/connexion", "/docs"])(
      "%s has no inline script, style or event handler, and links its stylesheet from /static",
      async (path) => {
        const res = path === "/connexion" || path === "/docs" ? await app.request(path) : await page(path);
        expect(res.status).toBe(200);
        const html = await res.text();
        // The only script is a static file of /static (the credit form's combobox): never inline.
        expect(html).not.toMatch(/<script(?! src="\/static\/[a-z-]+\.js\?v=[0-9a-f]{12}" defer="">)|<style|\sstyle=|\son[a-z]+=|javascript:/i);
        const href = /<link rel="stylesheet" href="([^"]+)"/.exec(html)?.[1] ?? "";
        expect(href).toMatch(/^\/static\/[a-z-]+\.css\?v=[0-9a-f]{12}$/);
        const css = await app.request(href);
        expect(css.status).toBe(200);
        expect(css.headers.get("content-type")).toContain("text/css");
        expect(css.headers.get("cache-control")).toContain("immutable");
      },
    );
  });

  describe("Cache-Control", () => {
    it("is no-store on API answers, errors included, and on pages", async () => {
      for (const res of [
        await app.request("/v1/users", { headers: admin }),
        await app.request("/v1/beneficiaries/00000000-0000-4000-8000-000000000000", { headers: admin }),
        await app.request("/v1/users"),
        await page("/beneficiaires"),
        await app.request("/connexion"),
        await app.request("/openapi.json"),
      ]) {
        expect(res.headers.get("cache-control"), res.url).toBe("no-store");
      }
    });
  });

  describe("body size", () => {
    it("answers 413 in the contract's shape beyond 1 MB, on the API and on the UI", async () => {
      const big = JSON.stringify({ firstName: "x".repeat(DEFAULT_LIMITS.bodyBytes), lastName: "Durand", birthDate: "1979-04-02" });
      const api = await app.request("/v1/beneficiaries", { method: "POST", headers: { ...admin, "Content-Type": "application/json" }, body: big });
      expect(api.status).toBe(413);
      expect(((await api.json()) as any).error.code).toBe("payload_too_large");
      const ui = await app.request("/beneficiaires/nouveau", {
        method: "POST",
        headers: { cookie: session.cookie, "Content-Type": "application/x-www-form-urlencoded" },
        body: `_csrf=${session.csrf}&firstName=${"x".repeat(DEFAULT_LIMITS.bodyBytes)}`,
      });
      expect(ui.status).toBe(413);
    });

    it("counts what is sent, whatever Content-Length claims", async () => {
      const chunks = new ReadableStream({
        start(controller) {
          for (let i = 0; i < 3; i++) controller.enqueue(new TextEncoder().encode("x".repeat(DEFAULT_LIMITS.bodyBytes / 2)));
          controller.close();
        },
      });
      const res = await app.request("/v1/beneficiaries", {
        method: "POST",
        headers: { ...admin, "Content-Type": "application/json" },
        body: chunks,
        // @ts-expect-error: Node's fetch needs it for a stream body
        duplex: "half",
      });
      expect(res.status).toBe(413);
    });

    it("is configurable, and larger only for bank statement imports", () => {
      expect(DEFAULT_LIMITS.bodyBytes).toBe(1024 * 1024);
      expect(limitsFor("POST", "/v1/bank-statements", DEFAULT_LIMITS).bodyBytes).toBe(200 * 1024 * 1024);
      expect(limitsFor("GET", "/v1/bank-statements", DEFAULT_LIMITS).bodyBytes).toBe(DEFAULT_LIMITS.bodyBytes);
      expect(limitsFor("POST", "/v1/beneficiaries", { bodyBytes: 10, timeoutMs: 5 })).toEqual({ bodyBytes: 10, timeoutMs: 5 });
    });

    it("applies the configured limit", async () => {
      const small = createTestApp(db.db, { limits: { bodyBytes: 100, timeoutMs: 30_000 } });
      const body = JSON.stringify({ firstName: "x".repeat(200), lastName: "Durand", birthDate: "1979-04-02" });
      const res = await small.request("/v1/beneficiaries", { method: "POST", headers: { ...admin, "Content-Type": "application/json" }, body });
      expect(res.status).toBe(413);
    });
  });

  describe("time", () => {
    it("answers 503 in the contract's shape when a request takes longer than the limit", async () => {
      const hasty = createTestApp(db.db, { limits: { bodyBytes: 1024, timeoutMs: 1 } });
      // A real query on the real database: it takes more than a millisecond, whatever the machine.
      const res = await hasty.request("/v1/ledger/verify", { headers: admin });
      expect(res.status).toBe(503);
      const body = (await res.json()) as any;
      expect(body.error.code).toBe("timeout");
      expect(res.headers.get("cache-control")).toBe("no-store");
    });

    it("gives a job run, which answers once the job finished, minutes rather than the default", () => {
      expect(limitsFor("POST", "/v1/jobs/rent-payments/runs", DEFAULT_LIMITS).timeoutMs).toBeGreaterThanOrEqual(5 * 60_000);
      expect(limitsFor("GET", "/v1/ledger/verify", DEFAULT_LIMITS).timeoutMs).toBe(DEFAULT_LIMITS.timeoutMs);
    });
  });
});

describe("a large body sent without Content-Length (bank statements)", () => {
  it("streams through, counted, and fails with 413 past the limit instead of being buffered whole", async () => {
    const stream = (sizes: number[]) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (const n of sizes) controller.enqueue(new Uint8Array(n));
          controller.close();
        },
      });
    let read = 0;
    for await (const chunk of countedBody(stream([40, 60]), 100) as unknown as AsyncIterable<Uint8Array>) read += chunk.byteLength;
    expect(read).toBe(100);
    const over = (async () => {
      for await (const _ of countedBody(stream([60, 60]), 100) as unknown as AsyncIterable<Uint8Array>);
    })();
    await expect(over).rejects.toMatchObject({ status: 413 });
  });
});
