/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runText } from "../../src/db/sql";
import { createTestApp } from "../support/app";
import { accessibilityViolations } from "../support/axe";
import { camt053 } from "../support/bank-files";
import { type BrowserFixture, startBrowserFixture } from "../support/browser";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { staffUser } from "../support/ui";

const TODAY = "2026-03-06";
const POOLED_IBAN = "FR7630001007941234567890185";

/**
 * The Banque pages in a real browser: finance staff drop a generated camt.053 (no real
 * data) on the upload's zone, see its lines matched (a CAF credit and its allocation) and
 * one in suspense, split that line between two people (a split that does not add up is
 * refused in French), a manager approves the proposal, and the statement shows the
 * decision. Every page passes axe-core's WCAG 2.1 AA rules and the Content-Security-Policy.
 */
describe("Banque in Chromium: upload, lines, suspense, rules", { timeout: 180_000 }, () => {
  let database: TestDatabase;
  let ui: BrowserFixture;
  let xml = "";
  const people: { id: string; lastName: string }[] = [];
  const audited: Record<string, string[]> = {};

  beforeAll(async () => {
    database = await createTestDatabase();
    ui = await startBrowserFixture(database.db, createTestApp(database.db, { today: () => TODAY }));
    const { api } = ui;
    await runText(database.db, "update bank_accounts set iban = $1, name = 'Compte principal' where is_default", [POOLED_IBAN]);
    await staffUser(database.db, "admin@asso.example", "admin", "Alice Admin");
    await staffUser(database.db, "compta@asso.example", "finance", "Dominique Compta");
    await staffUser(database.db, "cadre@asso.example", "manager", "Claude Cadre");
    for (const [i, [first, last]] of [
      ["Jeanne", "Moreau"],
      ["Paul", "Lefebvre"],
    ].entries()) {
      const b = await api("POST", "/v1/beneficiaries", { firstName: first, lastName: last, birthDate: "1968-05-11", cafNumber: `910000${i}` });
      await api("POST", `/v1/beneficiaries/${b.id}/measures`, {
        level: "MASP2",
        startDate: "2026-01-01",
        endDate: "2026-12-31",
        managedPrestations: ["RSA", "AAH"],
      });
      people.push({ id: b.id, lastName: last! });
    }
    xml = camt053({
      iban: POOLED_IBAN,
      from: "2026-03-05",
      to: "2026-03-05",
      opening: 10000n,
      id: "NAV-0305",
      entries: [
        { amount: 55000n, bookingDate: "2026-03-05", name: "CAF DE LA MAYENNE", remittance: "RSA 02/2026 ALLOCATAIRE 9100000", bankReference: "B1" },
        { amount: 30000n, bookingDate: "2026-03-05", name: "CAF DE LA MAYENNE", remittance: "AAH 02/2026 ALLOCATAIRE 9100001", bankReference: "B2" },
        { amount: 80000n, bookingDate: "2026-03-05", name: "ASSOCIATION DES AMIS", remittance: "DON POUR LA FAMILLE", bankReference: "B3" },
      ],
    });
  });

  afterAll(async () => {
    await ui?.close();
    await database?.dispose();
  });

  it("finance staff drop a statement on the upload zone, see its lines matched and one in suspense, and split that line", async () => {
    const page = await ui.openPage();
    await ui.loginAs(page, "compta@asso.example");
    await page.getByRole("link", { name: "Banque", exact: true }).click();
    await page.waitForURL(`${ui.base}/banque`);
    audited.bank = await accessibilityViolations(page);

    // The drop zone (the page's script): the dropped file lands in the form's file input.
    await page.evaluate((content) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([content], "releve-mars.xml", { type: "application/xml" }));
      const zone = document.querySelector("[data-dropzone]")!;
      zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, xml);
    await expect(page.locator(".dropzone-file").textContent()).resolves.toBe("Fichier choisi : releve-mars.xml");
    await page.getByRole("button", { name: "Importer le relevé" }).click();
    await page.waitForURL(/etat=nouveau/);
    await expect(page.getByRole("status").textContent()).resolves.toContain("3 ligne(s), dont 2 rapprochée(s) et 1 en attente");
    audited.imported = await accessibilityViolations(page);

    // The same file through the plain file input: already imported, nothing new.
    await page.getByLabel("Fichier de relevé").setInputFiles({ name: "releve-mars.xml", mimeType: "application/xml", buffer: Buffer.from(xml) });
    await page.getByRole("button", { name: "Importer le relevé" }).click();
    await page.waitForURL(/etat=deja/);
    await expect(page.getByRole("status").textContent()).resolves.toContain("Ce fichier était déjà importé");

    await page
      .getByRole("link", { name: /Lignes du relevé Compte principal du 05\/03\/2026/ })
      .first()
      .click();
    const lines = page.getByRole("table", { name: "Lignes du relevé et ce que chacune a rapproché" });
    await expect(lines.getByRole("row", { name: /RSA 02\/2026/ }).textContent()).resolves.toMatch(
      /Versement CAF RSA pour Moreau Jeanne.*réparti : Disponible 550,00/,
    );
    await expect(lines.getByRole("row", { name: /DON POUR LA FAMILLE/ }).textContent()).resolves.toContain("Payeur non reconnu");
    audited.statement = await accessibilityViolations(page);

    await page.getByRole("link", { name: "Lignes en attente" }).click();
    audited.suspense = await accessibilityViolations(page);
    await page.getByRole("link", { name: /Décider : ligne du 05\/03\/2026, 800,00/ }).click();
    await expect(page.locator("main").textContent()).resolves.toContain("Double validation (quatre yeux)");
    audited.decision = await accessibilityViolations(page);

    await page.getByLabel("Bénéficiaire de la part 1").selectOption({ label: "Moreau Jeanne — CAF 9100000" });
    await page.getByLabel("Organisme payeur de la part 1").fill("CAF");
    await page.getByLabel("Prestation de la part 1").fill("RSA");
    await page.getByLabel("Montant de la part 1 (€)").fill("500");
    await page.getByLabel("Bénéficiaire de la part 2").selectOption({ label: "Lefebvre Paul — CAF 9100001" });
    await page.getByLabel("Organisme payeur de la part 2").fill("CAF");
    await page.getByLabel("Prestation de la part 2").fill("AAH");
    await page.getByLabel("Montant de la part 2 (€)").fill("200");
    await page.getByRole("button", { name: "Proposer la répartition" }).click();
    await page.waitForSelector("#erreurs");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("erreurs");
    await expect(page.locator("#erreurs").textContent()).resolves.toContain("il manque 100,00\u00a0€");
    audited.refused = await accessibilityViolations(page);

    await page.getByLabel("Montant de la part 2 (€)").fill("300,00");
    await page.getByRole("button", { name: "Proposer la répartition" }).click();
    await page.waitForURL(/fait=proposition/);
    await expect(page.getByRole("status").textContent()).resolves.toContain("Décision proposée");
    await expect(page.locator("main table").textContent()).resolves.toContain("proposition à valider");
    audited.proposed = await accessibilityViolations(page);
    await page.close();
  });

  it("a manager approves the split; the statement then shows the line shared between the two people", async () => {
    const manager = await ui.openPage();
    await ui.loginAs(manager, "cadre@asso.example");
    await manager.goto(`${ui.base}/propositions`);
    const proposal = manager.getByRole("region", { name: "Décision sur une ligne de relevé en attente" });
    await proposal.getByRole("button", { name: "Approuver" }).click();
    await manager.waitForURL(/fait=approuvee/);
    await manager.goto(`${ui.base}/banque`);
    audited.managerBank = await accessibilityViolations(manager);
    await manager.close();

    const page = await ui.openPage();
    await ui.loginAs(page, "compta@asso.example");
    await page.goto(`${ui.base}/banque/attente`);
    await expect(page.locator("main").textContent()).resolves.toContain("Aucune ligne en attente.");
    await page.goto(`${ui.base}/banque`);
    await page
      .getByRole("link", { name: /Lignes du relevé Compte principal du 05\/03\/2026/ })
      .first()
      .click();
    const row = page.getByRole("row", { name: /DON POUR LA FAMILLE/ });
    await expect(row.textContent()).resolves.toMatch(/répartie après validation.*Moreau Jeanne.*500,00.*Lefebvre Paul.*300,00/);
    audited.decided = await accessibilityViolations(page);
    await page.close();
  });

  it("an admin reads and edits the matching rules", async () => {
    const page = await ui.openPage();
    await ui.loginAs(page, "admin@asso.example");
    await page.goto(`${ui.base}/banque/regles`);
    audited.rules = await accessibilityViolations(page);
    await page.getByRole("link", { name: "Modifier la règle MSA" }).click();
    await page.getByLabel("Motif du numéro (un groupe de capture : le numéro)").fill("MATRICULE");
    await page.getByRole("button", { name: "Enregistrer la règle" }).click();
    await page.waitForSelector("#erreurs");
    await expect(page.locator("#erreurs").textContent()).resolves.toContain("groupe de capture");
    audited.ruleRefused = await accessibilityViolations(page);
    await page.getByLabel("Motif du numéro (un groupe de capture : le numéro)").fill("MATRICULE\\s*(\\d{8,13})");
    await page.getByRole("button", { name: "Enregistrer la règle" }).click();
    await page.waitForURL(/\/banque\/regles\?fait=1/);
    await expect(page.getByRole("region", { name: /MSA/ }).textContent()).resolves.toContain("MATRICULE\\s*(\\d{8,13})");
    await page.close();
  });

  it("passes axe-core's WCAG 2.1 AA rules and the Content-Security-Policy on every page it showed", () => {
    expect(Object.keys(audited).length).toBeGreaterThanOrEqual(10);
    expect(Object.entries(audited).filter(([, v]) => v.length > 0)).toEqual([]);
    expect(ui.cspViolations).toEqual([]);
  });
});
