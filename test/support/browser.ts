import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { type Browser, chromium, type Page } from "playwright-core";
import { createToken } from "../../src/auth/tokens";
import type { Db } from "../../src/db/client";
import type { TestApp } from "./app";
import { STAFF_PASSWORD } from "./ui";

/** Debian's Chromium, in French, without the background traffic a browser makes on its own. */
const CHROMIUM_ARGS = [
  "--lang=fr-FR",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

type PageOptions = Parameters<Browser["newPage"]>[0];
/** A call to the API with a bearer token (the fixture's admin token unless another is given); a status ≥ 300 throws. */
type Api = (method: string, path: string, body?: unknown, key?: string, token?: string) => Promise<any>;

export interface BrowserFixture {
  /** `http://127.0.0.1:<port>` of the app served for this suite. */
  base: string;
  browser: Browser;
  /** An admin API token, created for the set-up. */
  adminToken: string;
  api: Api;
  /** What Chromium refused under the pages' Content-Security-Policy, on any page opened by `openPage`. */
  cspViolations: string[];
  /** A new tab (1280×900, French unless told otherwise) whose console is watched for policy violations. */
  openPage(options?: PageOptions): Promise<Page>;
  /** Signs in through the form with `STAFF_PASSWORD` and waits for the dashboard. */
  loginAs(page: Page, email: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * What every Chromium suite sets up the same way: the app served on a free port, an
 * admin token and an API caller for the data, Chromium launched, tabs watched for CSP
 * violations, sign-in through the form. Each suite keeps its own database and app.
 */
export async function startBrowserFixture(db: Db, app: TestApp): Promise<BrowserFixture> {
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise((r) => server.once("listening", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { token: adminToken } = await createToken(db, { role: "admin", name: "browser-setup" });
  const api: Api = async (method, path, body, key, token = adminToken) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...(key ? { "idempotency-key": key } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  const cspViolations: string[] = [];
  return {
    base,
    browser,
    adminToken,
    api,
    cspViolations,
    async openPage(options = { viewport: { width: 1280, height: 900 }, locale: "fr-FR" }) {
      const page = await browser.newPage(options);
      page.on("console", (message) => {
        if (/Content Security Policy|Refused to/i.test(message.text())) cspViolations.push(`${page.url()}: ${message.text()}`);
      });
      return page;
    },
    async loginAs(page, email) {
      await page.goto(`${base}/`);
      await page.getByLabel("Adresse e-mail").fill(email);
      await page.getByLabel("Mot de passe").fill(STAFF_PASSWORD);
      await page.getByRole("button", { name: "Se connecter" }).click();
      await page.waitForURL(`${base}/`);
    },
    async close() {
      await browser.close();
      server.close();
    },
  };
}
