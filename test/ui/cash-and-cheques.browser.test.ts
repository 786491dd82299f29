/// <reference lib="dom" />
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../src/auth/tokens";
import { createTestApp } from "../support/app";
import { accessibilityViolations } from "../support/axe";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { STAFF_PASSWORD, staffUser } from "../support/ui";

const TODAY = "2026-03-06";

/**
 * Cash and cheques in a real browser, on the Virements pages: finance staff try to hand
 * over cash the cash box does not hold (refused in French), withdraw cash into the box
 * (its balance shown), hand the cash over against a receipt, hand a cheque over, and are
 * refused a cheque number already used. Every page passes axe-core's WCAG 2.1 AA rules.
 */
describe("cash and cheques in Chromium: Virements", { timeout: 180_000 }, () => {
  let database: TestDatabase;
  let server: ReturnType<typeof serve>;
  let base = "";
  let browser: Browser;
  const orders: Record<string, string> = {};
  const audited: Record<string, string[]> = {};
  const cspViolations: string[] = [];

  async function openPage(): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: "fr-FR" });
    page.on("console", (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) cspViolations.push(`${page.url()}: ${message.text()}`);
    });
    return page;
  }

  async function loginAs(page: Page, email: string) {
    await page.goto(`${base}/`);
    await page.getByLabel("Adresse e-mail").fill(email);
    await page.getByLabel("Mot de passe").fill(STAFF_PASSWORD);
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.waitForURL(`${base}/`);
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    const app = createTestApp(database.db, { today: () => TODAY });
    server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((r) => server.once("listening", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { token } = await createToken(database.db, { role: "admin", name: "setup" });
    const { token: financeToken } = await createToken(database.db, { role: "finance", name: "setup-finance" });
    const api = async (method: string, path: string, body: unknown, key?: string, bearer = token) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json", ...(key ? { "idempotency-key": key } : {}) },
        body: JSON.stringify(body),
      });
      const json = await res.json();
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };
    await staffUser(database.db, "compta@asso.example", "finance", "Dominique Compta");
    const b = await api("POST", "/v1/beneficiaries", {
      firstName: "Jeanne",
      lastName: "Moreau",
      birthDate: "1968-05-11",
      iban: "FR7630006000011234567890189",
      address: { street: "12 rue des Lices", postalCode: "53000", town: "Laval", country: "FR" },
    });
    await api("POST", `/v1/beneficiaries/${b.id}/measures`, { level: "MASP2", startDate: "2026-01-01", endDate: "2026-12-31", managedPrestations: ["RSA"] });
    await api("POST", "/v1/credits", { beneficiaryId: b.id, payer: "CAF", prestation: "RSA", amount: 30000, valueDate: "2026-03-03" }, "c1");
    const pay = async (name: string, method: string, amount: number) => {
      const body = { envelope: "available", amount, method, reason: `Paiement ${name}`, executionDate: TODAY };
      orders[name] = (await api("POST", `/v1/beneficiaries/${b.id}/payments`, body, `pay-${name}`, financeToken)).id;
    };
    await pay("cash", "cash", 8000);
    await pay("cheque", "cheque", 4500);
    await pay("cheque2", "cheque", 2000);
    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: [
        "--lang=fr-FR",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
    await database?.dispose();
  });

  it("cash: refused while the box is empty, withdrawn into the box, then handed over against a receipt", async () => {
    const page = await openPage();
    await loginAs(page, "compta@asso.example");
    await page.goto(`${base}/virements/ordres/${orders.cash}`);
    audited.cashOrder = await accessibilityViolations(page);
    await page.getByLabel("Numéro de reçu").fill("R-2026-014");
    await page.getByRole("button", { name: "Remettre les espèces" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toContain("La caisse ne contient que 0,00\u00a0€, moins que les 80,00\u00a0€ à remettre");
    audited.cashRefused = await accessibilityViolations(page);

    await page.goto(`${base}/virements`);
    const box = page.getByRole("region", { name: "Caisse" });
    await expect(box.textContent()).resolves.toContain("0,00\u00a0€");
    audited.transfers = await accessibilityViolations(page);
    await page.getByLabel("Montant (€)").fill("100,00");
    await page.getByRole("button", { name: "Retrait d'espèces" }).click();
    await page.waitForURL(/fait=retrait/);
    await expect(page.getByRole("status").textContent()).resolves.toContain("Retrait d'espèces enregistré");
    await expect(page.getByRole("region", { name: "Caisse" }).textContent()).resolves.toContain("100,00\u00a0€");
    audited.withdrawn = await accessibilityViolations(page);

    await page.getByLabel("Montant (€)").fill("12,345");
    await page.getByRole("button", { name: "Retrait d'espèces" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toContain("Montant : montant en euros, deux décimales au plus");

    await page.goto(`${base}/virements/ordres/${orders.cash}`);
    await page.getByLabel("Numéro de reçu").fill("R-2026-014");
    await page.getByRole("button", { name: "Remettre les espèces" }).click();
    await page.waitForURL(/fait=especes/);
    await expect(page.getByRole("status").textContent()).resolves.toContain("Espèces remises");
    await expect(page.locator("main").textContent()).resolves.toContain("reçu n° R-2026-014");
    await expect(page.getByRole("button", { name: "Remettre les espèces" }).count()).resolves.toBe(0);
    audited.handedOver = await accessibilityViolations(page);

    await page.goto(`${base}/virements`);
    await expect(page.getByRole("region", { name: "Caisse" }).textContent()).resolves.toContain("20,00\u00a0€");
    await page.close();
  });

  it("cheques: one handed over with its number, the same number refused for another", async () => {
    const page = await openPage();
    await loginAs(page, "compta@asso.example");
    await page.goto(`${base}/virements/ordres/${orders.cheque}`);
    await page.getByLabel("Numéro du chèque").fill("8812345");
    await page.getByRole("button", { name: "Remettre le chèque" }).click();
    await page.waitForURL(/fait=cheque/);
    await expect(page.getByRole("status").textContent()).resolves.toContain("Chèque remis");
    await expect(page.locator("main").textContent()).resolves.toContain("chèque n° 8812345");
    audited.chequeSent = await accessibilityViolations(page);

    await page.goto(`${base}/virements/ordres/${orders.cheque2}`);
    await page.getByLabel("Numéro du chèque").fill("8812345");
    await page.getByRole("button", { name: "Remettre le chèque" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toContain("Le chèque n° 8812345 est déjà utilisé sur ce compte");
    audited.chequeRefused = await accessibilityViolations(page);
    await page.close();
  });

  it("passes axe-core's WCAG 2.1 AA rules and the Content-Security-Policy on every page it showed", () => {
    expect(Object.keys(audited).length).toBeGreaterThanOrEqual(7);
    expect(Object.entries(audited).filter(([, v]) => v.length > 0)).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
