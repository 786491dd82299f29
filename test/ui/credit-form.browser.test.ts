/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp } from "../support/app";
import { accessibilityViolations } from "../support/axe";
import { type BrowserFixture, startBrowserFixture } from "../support/browser";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { staffUser } from "../support/ui";

const TODAY = "2026-03-06";

/**
 * The credit form in a real browser: the beneficiary is picked with the keyboard in a
 * WAI-ARIA combobox ("zoe" finds "Zoé"), the preview locks the fields (what is confirmed
 * is what is shown), "Modifier la saisie" unlocks them; without its script the same form
 * works as a search. Every state passes axe-core's WCAG 2.1 AA rules and the CSP.
 */
describe("the credit form in Chromium: type-ahead picker and locked preview", { timeout: 180_000 }, () => {
  let database: TestDatabase;
  let ui: BrowserFixture;
  let zoe = "";
  const audited: Record<string, string[]> = {};

  beforeAll(async () => {
    database = await createTestDatabase();
    ui = await startBrowserFixture(database.db, createTestApp(database.db, { today: () => TODAY }));
    await staffUser(database.db, "compta@asso.example", "finance", "Dominique Compta");
    for (const [firstName, lastName] of [
      ["Zoé", "Lefèvre"],
      ["Marie", "Durand"],
      ["Zoran", "Petit"],
    ]) {
      const b = await ui.api("POST", "/v1/beneficiaries", { firstName, lastName, birthDate: "1980-01-01", cafNumber: "1234567" });
      await ui.api("POST", `/v1/beneficiaries/${b.id}/measures`, {
        level: "MASP2",
        startDate: "2026-01-01",
        endDate: "2026-12-31",
        managedPrestations: ["RSA"],
      });
      if (firstName === "Zoé") zoe = b.id;
    }
  });
  afterAll(async () => {
    await ui?.close();
    await database?.dispose();
  });

  it("picks the person with the keyboard, previews with the fields locked, then unlocks and confirms what is shown", async () => {
    const page = await ui.openPage();
    await ui.loginAs(page, "compta@asso.example");
    await page.getByRole("link", { name: "Saisie d'un versement" }).click();
    const combobox = page.getByRole("combobox", { name: /Trouver le bénéficiaire/ });
    await expect(combobox.getAttribute("aria-expanded")).resolves.toBe("false");
    audited.empty = await accessibilityViolations(page);

    await combobox.pressSequentially("zo");
    const options = page.getByRole("listbox", { name: "Bénéficiaires trouvés" }).getByRole("option");
    await options.nth(1).waitFor();
    await expect(options.allTextContents()).resolves.toEqual(["Lefèvre Zoé — CAF 1234567", "Petit Zoran — CAF 1234567"]);
    await combobox.pressSequentially("e");
    await expect(combobox.getAttribute("aria-expanded")).resolves.toBe("true");
    await page.waitForFunction(() => document.querySelectorAll('[role="option"]').length === 1);
    await combobox.press("ArrowDown");
    await expect(options.first().getAttribute("aria-selected")).resolves.toBe("true");
    await expect(combobox.getAttribute("aria-activedescendant")).resolves.toBe(await options.first().getAttribute("id"));
    audited.suggestions = await accessibilityViolations(page);
    await combobox.press("Enter");
    await expect(combobox.getAttribute("aria-expanded")).resolves.toBe("false");
    const chosen = page.getByRole("group", { name: "Bénéficiaire" }).getByRole("radio", { checked: true });
    await expect(chosen.inputValue()).resolves.toBe(zoe);
    await expect(page.getByRole("status").textContent()).resolves.toContain("Lefèvre Zoé — CAF 1234567 : choisi.");

    await page.getByLabel("Prestation (code D.271-2)").fill("RSA");
    await page.getByLabel("Montant (€)").fill("607,75");
    await page.getByLabel("Date de valeur").fill("2026-03-03");
    await page.getByRole("button", { name: "Voir la répartition" }).click();
    await page.getByRole("region", { name: "Répartition proposée (loyer d'abord)" }).waitFor();
    const amount = page.getByLabel("Montant (€)");
    await expect(amount.getAttribute("readonly")).resolves.toBe("");
    await amount.fill("600,00").catch(() => undefined);
    await expect(amount.inputValue()).resolves.toBe("607,75");
    await expect(page.getByRole("combobox").count()).resolves.toBe(0);
    audited.preview = await accessibilityViolations(page);

    await page.getByRole("button", { name: "Modifier la saisie" }).click();
    await page.getByLabel("Montant (€)").fill("600,00");
    await page.getByRole("button", { name: "Voir la répartition" }).click();
    await page.getByRole("button", { name: "Confirmer le versement de 600,00\u00a0€" }).click();
    await page.waitForURL(new RegExp(`/beneficiaires/${zoe}\\?fait=versement`));
    const recorded = await ui.api("GET", `/v1/beneficiaries/${zoe}/balances`);
    expect(recorded.total).toBe(60000);
    audited.fiche = await accessibilityViolations(page);
    await page.close();
  });

  it("without its script, the same field is a search whose results are radio buttons", async () => {
    const context = await ui.browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 }, locale: "fr-FR" });
    const page = await context.newPage();
    await ui.loginAs(page, "compta@asso.example");
    await page.goto(`${ui.base}/versements/nouveau`);
    await page.getByRole("searchbox", { name: /Trouver le bénéficiaire/ }).fill("lefevre");
    await page.getByRole("button", { name: "Rechercher" }).click();
    const radios = page.getByRole("group", { name: "Bénéficiaire" }).getByRole("radio");
    await expect(radios.count()).resolves.toBe(1);
    await page.getByLabel("Lefèvre Zoé — CAF 1234567").check();
    await page.getByLabel("Prestation (code D.271-2)").fill("RSA");
    await page.getByLabel("Montant (€)").fill("10");
    await page.getByRole("button", { name: "Voir la répartition" }).click();
    await expect(page.getByRole("region", { name: "Répartition proposée (loyer d'abord)" }).textContent()).resolves.toContain("10,00\u00a0€");
    // (axe-core runs in the page: not without JavaScript. The markup is the one audited above.)
    await context.close();
  });

  it("passes axe-core on every state, with no CSP violation", () => {
    expect(Object.keys(audited).length).toBeGreaterThanOrEqual(4);
    expect(Object.entries(audited).filter(([, v]) => v.length > 0)).toEqual([]);
    expect(ui.cspViolations).toEqual([]);
  });
});
