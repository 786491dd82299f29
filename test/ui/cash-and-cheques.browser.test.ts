/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../src/auth/tokens";
import { createTestApp } from "../support/app";
import { accessibilityViolations } from "../support/axe";
import { type BrowserFixture, startBrowserFixture } from "../support/browser";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { staffUser } from "../support/ui";

const TODAY = "2026-03-06";

/**
 * Cash and cheques in a real browser, on the Virements pages: finance staff try to hand
 * over cash the cash box does not hold (refused in French), withdraw cash into the box
 * (its balance shown), hand the cash over against a receipt, hand a cheque over, and are
 * refused a cheque number already used. Every page passes axe-core's WCAG 2.1 AA rules.
 */
describe("cash and cheques in Chromium: Virements", { timeout: 180_000 }, () => {
  let database: TestDatabase;
  let ui: BrowserFixture;
  const orders: Record<string, string> = {};
  const audited: Record<string, string[]> = {};

  beforeAll(async () => {
    database = await createTestDatabase();
    ui = await startBrowserFixture(database.db, createTestApp(database.db, { today: () => TODAY }));
    const { token: financeToken } = await createToken(database.db, { role: "finance", name: "setup-finance" });
    const api = ui.api;
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
  });

  afterAll(async () => {
    await ui?.close();
    await database?.dispose();
  });

  it("cash: refused while the box is empty, withdrawn into the box, then handed over against a receipt", async () => {
    const page = await ui.openPage();
    await ui.loginAs(page, "compta@asso.example");
    await page.goto(`${ui.base}/virements/ordres/${orders.cash}`);
    audited.cashOrder = await accessibilityViolations(page);
    await page.getByLabel("Numéro de reçu").fill("R-2026-014");
    await page.getByRole("button", { name: "Remettre les espèces" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toContain("La caisse ne contient que 0,00\u00a0€, moins que les 80,00\u00a0€ à remettre");
    audited.cashRefused = await accessibilityViolations(page);

    await page.goto(`${ui.base}/virements`);
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

    await page.goto(`${ui.base}/virements/ordres/${orders.cash}`);
    await page.getByLabel("Numéro de reçu").fill("R-2026-014");
    await page.getByRole("button", { name: "Remettre les espèces" }).click();
    await page.waitForURL(/fait=especes/);
    await expect(page.getByRole("status").textContent()).resolves.toContain("Espèces remises");
    await expect(page.locator("main").textContent()).resolves.toContain("reçu n° R-2026-014");
    await expect(page.getByRole("button", { name: "Remettre les espèces" }).count()).resolves.toBe(0);
    audited.handedOver = await accessibilityViolations(page);

    await page.goto(`${ui.base}/virements`);
    await expect(page.getByRole("region", { name: "Caisse" }).textContent()).resolves.toContain("20,00\u00a0€");
    await page.close();
  });

  it("cheques: one handed over with its number, the same number refused for another", async () => {
    const page = await ui.openPage();
    await ui.loginAs(page, "compta@asso.example");
    await page.goto(`${ui.base}/virements/ordres/${orders.cheque}`);
    await page.getByLabel("Numéro du chèque").fill("8812345");
    await page.getByRole("button", { name: "Remettre le chèque" }).click();
    await page.waitForURL(/fait=cheque/);
    await expect(page.getByRole("status").textContent()).resolves.toContain("Chèque remis");
    await expect(page.locator("main").textContent()).resolves.toContain("chèque n° 8812345");
    audited.chequeSent = await accessibilityViolations(page);

    await page.goto(`${ui.base}/virements/ordres/${orders.cheque2}`);
    await page.getByLabel("Numéro du chèque").fill("8812345");
    await page.getByRole("button", { name: "Remettre le chèque" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toContain("Le chèque n° 8812345 est déjà utilisé sur ce compte");
    audited.chequeRefused = await accessibilityViolations(page);
    await page.close();
  });

  it("passes axe-core's WCAG 2.1 AA rules and the Content-Security-Policy on every page it showed", () => {
    expect(Object.keys(audited).length).toBeGreaterThanOrEqual(7);
    expect(Object.entries(audited).filter(([, v]) => v.length > 0)).toEqual([]);
    expect(ui.cspViolations).toEqual([]);
  });
});
