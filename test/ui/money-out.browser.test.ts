/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp } from "../support/app";
import { accessibilityViolations } from "../support/axe";
import { type BrowserFixture, startBrowserFixture } from "../support/browser";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { staffUser } from "../support/ui";

const TODAY = "2026-03-06";

/**
 * Money out in a real browser: finance staff pay a one-off invoice from the fiche (the
 * envelopes' balances shown, a refusal over the envelope explained in French, a new
 * IBAN sent for approval), an admin completes a payer's record with its address. Every
 * page passes axe-core's WCAG 2.1 AA rules and the Content-Security-Policy.
 */
describe("money out in Chromium: Paiement ponctuel, Payeurs", { timeout: 180_000 }, () => {
  let database: TestDatabase;
  let ui: BrowserFixture;
  let beneficiaryId = "";
  const audited: Record<string, string[]> = {};

  beforeAll(async () => {
    database = await createTestDatabase();
    ui = await startBrowserFixture(database.db, createTestApp(database.db, { today: () => TODAY }));
    const api = ui.api;
    await staffUser(database.db, "admin@asso.example", "admin", "Alice Admin");
    await staffUser(database.db, "compta@asso.example", "finance", "Dominique Compta");
    const b = await api("POST", "/v1/beneficiaries", {
      firstName: "Jeanne",
      lastName: "Moreau",
      birthDate: "1968-05-11",
      iban: "FR7630006000011234567890189",
      address: { street: "12 rue des Lices", postalCode: "53000", town: "Laval", country: "FR" },
    });
    beneficiaryId = b.id;
    await api("POST", `/v1/beneficiaries/${b.id}/measures`, { level: "MASP2", startDate: "2026-01-01", endDate: "2026-12-31", managedPrestations: ["RSA"] });
    await api("POST", "/v1/credits", { beneficiaryId: b.id, payer: "CAF", prestation: "RSA", amount: 30000, valueDate: "2026-03-03" }, "c1");
  });

  afterAll(async () => {
    await ui?.close();
    await database?.dispose();
  });

  it("finance staff pay an invoice from the fiche: refused over the envelope, recorded within it, sent for approval to a new IBAN", async () => {
    const page = await ui.openPage();
    await ui.loginAs(page, "compta@asso.example");
    await page.goto(`${ui.base}/beneficiaires/${beneficiaryId}`);
    await page.getByRole("link", { name: "Paiement ponctuel" }).click();
    const envelope = page.getByLabel("Enveloppe qui paie");
    await expect(envelope.locator("option").allTextContents()).resolves.toContain("Disponible — 300,00\u00a0€");
    audited.form = await accessibilityViolations(page);

    await page.getByLabel("Montant (€)").fill("400");
    await page.getByLabel("Motif (lu par le créancier)").fill("Facture lunettes 2026-118");
    await page.getByRole("button", { name: "Enregistrer le paiement" }).click();
    await page.waitForSelector("#erreurs");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("erreurs");
    await expect(page.locator("#erreurs").textContent()).resolves.toContain("L'enveloppe Disponible ne contient que 300,00\u00a0€");
    audited.refused = await accessibilityViolations(page);

    await page.getByLabel("Montant (€)").fill("120,00");
    await page.getByRole("button", { name: "Enregistrer le paiement" }).click();
    await page.waitForURL(/fait=paiement/);
    await expect(page.getByRole("status").textContent()).resolves.toContain("Paiement ponctuel enregistré");
    const balances = page.getByRole("table", { name: "Soldes des enveloppes" });
    await expect(balances.textContent()).resolves.toContain("180,00\u00a0€");
    audited.fiche = await accessibilityViolations(page);

    await page.getByRole("link", { name: "Paiement ponctuel" }).click();
    await page.getByLabel("Montant (€)").fill("50");
    await page.getByLabel("Motif (lu par le créancier)").fill("Facture 77");
    await page.getByLabel("Créancier (facultatif)", { exact: true }).fill("Optique Martin");
    await page.getByLabel("IBAN du créancier").fill("DE89 3704 0044 0532 0130 00");
    await page.getByLabel("Ville (créancier)").fill("Laval");
    await page.getByRole("button", { name: "Enregistrer le paiement" }).click();
    await page.waitForURL(/fait=proposition/);
    await expect(page.getByRole("status").textContent()).resolves.toContain("Proposition envoyée pour validation");
    await page.goto(`${ui.base}/propositions`);
    const proposal = page.getByRole("region", { name: "Paiement ponctuel" });
    await expect(proposal.textContent()).resolves.toContain("50,00\u00a0€ à Optique Martin (virement");
    await expect(proposal.textContent()).resolves.not.toContain("DE89 3704");
    audited.proposals = await accessibilityViolations(page);
    await page.close();
  });

  it("an admin completes a payer's record with its address on the Payeurs page", async () => {
    const page = await ui.openPage();
    await ui.loginAs(page, "admin@asso.example");
    await page.getByRole("link", { name: "Payeurs" }).click();
    audited.payers = await accessibilityViolations(page);
    await page.getByRole("link", { name: "Modifier MSA", exact: true }).click();
    await page.getByLabel("Nom de l'organisme").fill("MSA Mayenne-Orne-Sarthe");
    await page.getByLabel("Pays (organisme)").fill("");
    await page.getByLabel("Ville (organisme)").fill("Laval");
    await page.getByRole("button", { name: "Enregistrer l'organisme" }).click();
    await page.waitForSelector("#erreurs");
    await expect(page.locator("#erreurs").textContent()).resolves.toContain("Pays (organisme)");
    audited.payerRefused = await accessibilityViolations(page);
    await page.getByLabel("Pays (organisme)").fill("FR");
    await page.getByLabel("Rue (organisme)").fill("76 boulevard Lucien Daniel");
    await page.getByRole("button", { name: "Enregistrer l'organisme" }).click();
    await page.waitForURL(/\/payeurs\?fait=1/);
    const row = page.getByRole("row", { name: /MSA Mayenne-Orne-Sarthe/ });
    await expect(row.textContent()).resolves.toContain("76 boulevard Lucien Daniel, Laval, FR");
    await page.close();
  });

  it("passes axe-core's WCAG 2.1 AA rules and the Content-Security-Policy on every page it showed", () => {
    expect(Object.keys(audited).length).toBeGreaterThanOrEqual(5);
    expect(Object.entries(audited).filter(([, v]) => v.length > 0)).toEqual([]);
    expect(ui.cspViolations).toEqual([]);
  });
});
