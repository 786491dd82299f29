/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp } from "../support/app";
import { accessibilityViolations } from "../support/axe";
import { type BrowserFixture, startBrowserFixture } from "../support/browser";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { staffUser } from "../support/ui";

const TODAY = "2026-03-06";

/**
 * A measure from opening to closing through the French UI (issue 16): bilan, avenant,
 * the renewal form, the end, the closing of the accounts, then the final statement and
 * the payer's notice; every new page checked with axe and without a CSP violation.
 */
describe("measure life in Chromium", { timeout: 180_000 }, () => {
  let database: TestDatabase;
  let ui: BrowserFixture;
  let beneficiaryId = "";
  const violations: Record<string, string[]> = {};

  beforeAll(async () => {
    database = await createTestDatabase();
    ui = await startBrowserFixture(database.db, createTestApp(database.db, { today: () => TODAY }));
    const api = ui.api;
    await staffUser(database.db, "admin@asso.example", "admin", "Alice Admin");
    const zoe = await api("POST", "/v1/beneficiaries", {
      firstName: "Zoé",
      lastName: "Moreau",
      birthDate: "1984-02-11",
      cafNumber: "1112223",
      iban: "FR7630006000011234567890189",
    });
    beneficiaryId = zoe.id;
    await api("POST", `/v1/beneficiaries/${zoe.id}/measures`, { level: "MASP2", startDate: "2026-01-01", endDate: "2026-12-31", managedPrestations: ["RSA"] });
    await api(
      "POST",
      "/v1/credits",
      { beneficiaryId: zoe.id, payer: "CAF", prestation: "RSA", amount: 61234, valueDate: "2026-03-02", reference: "CAF-0302" },
      "z1",
    );
  });

  afterAll(async () => {
    await ui?.close();
    await database?.dispose();
  });

  it("bilan, avenant, renewal form, end and closing; then the final statement and the payer's notice", async () => {
    const page = await ui.openPage();
    const audit = async (name: string) => {
      violations[name] = await accessibilityViolations(page);
    };
    await ui.loginAs(page, "admin@asso.example");
    const fiche = `${ui.base}/beneficiaires/${beneficiaryId}`;

    await page.goto(fiche);
    await page.getByRole("link", { name: "Bilan", exact: true }).click();
    await audit("bilan");
    await page.getByLabel("Auteur").fill("CESF Laval");
    await page.getByLabel("Commentaire").fill("point d'étape");
    await page.getByRole("button", { name: "Enregistrer le bilan" }).click();
    await page.waitForURL(/fait=bilan/);

    await page.getByRole("link", { name: "Avenant", exact: true }).click();
    await audit("avenant");
    await page.getByLabel("Motif").fill("prolongation");
    await page.getByLabel("Nouvelle date de fin").fill("2028-03-31");
    await page.getByRole("button", { name: "Enregistrer l'avenant" }).click();
    await page.waitForSelector("#erreurs");
    await expect(page.locator("main").textContent()).resolves.toContain("au plus 24 mois");
    await audit("avenant-erreurs");
    await page.getByLabel("Nouvelle date de fin").fill("2027-03-31");
    await page.getByRole("button", { name: "Enregistrer l'avenant" }).click();
    await page.waitForURL(/fait=avenant/);
    await expect(page.locator("main").textContent()).resolves.toContain("31/03/2027");

    // Rules 6 and 7 of the rent rules on a running measure: a reste à vivre, and the opt-out.
    await page.getByRole("link", { name: "Reste à vivre", exact: true }).click();
    await audit("reste-a-vivre");
    await page.getByLabel("Reste à vivre par mois (€)").fill("-5");
    await page.getByRole("button", { name: "Enregistrer" }).click();
    await page.waitForSelector("#erreurs");
    await page.getByLabel("Reste à vivre par mois (€)").fill("150,00");
    await page.getByLabel("Reverser le disponible même quand le loyer du mois n'est pas couvert").check();
    await page.getByRole("button", { name: "Enregistrer" }).click();
    await page.waitForURL(/fait=regles-budgetaires/);
    const measure = (await ui.api("GET", `/v1/beneficiaries/${beneficiaryId}/measures`)).items[0];
    expect(measure).toMatchObject({ livingMonthly: 15000, reversementWhileRentShort: true });

    await page.getByRole("link", { name: "Renouveler", exact: true }).click();
    await audit("renouvellement");
    await page.goto(fiche);

    await page.getByRole("link", { name: "Mettre fin", exact: true }).click();
    await audit("fin");
    await page.getByLabel("Date de fin").fill(TODAY);
    await page.getByLabel("Motif").selectOption("objectives_reached");
    await page.getByRole("button", { name: "Mettre fin" }).click();
    await page.waitForURL(/fait=fin/);

    await page.getByRole("link", { name: "Clôturer les comptes" }).click();
    await audit("cloture");
    await page.getByLabel("Ordres non encore émis").selectOption("cancel");
    await page.getByLabel("Versement final à la personne").selectOption("transfer");
    await page.getByRole("button", { name: "Clôturer" }).click();
    await page.waitForURL(/fait=cloture/);

    await page.getByRole("link", { name: "Relevé de compte final" }).click();
    const statement = (await page.locator("main").textContent()) ?? "";
    expect(statement).toContain("Zoé Moreau");
    expect(statement).toContain("CAF-0302");
    expect(statement).toContain("612,34\u00a0€");
    expect(statement).toContain("Versement final");
    await audit("releve-final");

    await page.goto(fiche);
    await page.getByRole("link", { name: "Avis de fin de mesure — CAF", exact: true }).click();
    const notice = (await page.locator("main").textContent()) ?? "";
    expect(notice).toContain("a pris fin le 06/03/2026");
    expect(notice).toContain("Le 06/03/2026");
    expect(notice).toContain("directement à la personne");
    await audit("avis-organisme");
    await page.close();

    expect(violations).toEqual(Object.fromEntries(Object.keys(violations).map((k) => [k, []])));
    expect(ui.cspViolations).toEqual([]);
  });
});
