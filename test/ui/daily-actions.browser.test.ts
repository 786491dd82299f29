/// <reference lib="dom" />
import { randomUUID } from "node:crypto";
import { v7 as uuidv7 } from "uuid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alerts } from "../../src/db/schema/jobs";
import { runPayments } from "../../src/services/payments/run-payments";
import { createTestApp } from "../support/app";
import { accessibilityViolations } from "../support/axe";
import { type BrowserFixture, startBrowserFixture } from "../support/browser";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { staffUser } from "../support/ui";

const TODAY = "2026-03-06";
const NEW_IBAN = "FR1420041010050500013M02606";

/**
 * The daily actions of issue 16 in Chromium: the search "zoe" finds Zoé, the fiche
 * edited (a new IBAN said to be a proposal), a credit reversed from its ledger entry
 * and an indu recorded (both proposals), the ledger paged beyond its last 20 entries
 * with periods in French and references, a closed alert's comment; axe on every new
 * page, and no Content Security Policy violation.
 */
describe("daily actions in Chromium", { timeout: 240_000 }, () => {
  let database: TestDatabase;
  let ui: BrowserFixture;
  let beneficiaryId = "";
  let chargeId = "";
  const violations: Record<string, string[]> = {};

  beforeAll(async () => {
    database = await createTestDatabase();
    ui = await startBrowserFixture(database.db, createTestApp(database.db, { today: () => TODAY }));
    const { api } = ui;
    await staffUser(database.db, "compta@asso.example", "finance", "Dominique Compta");
    const zoe = await api("POST", "/v1/beneficiaries", { firstName: "Zoé", lastName: "Moreau", birthDate: "1984-02-11", iban: "FR7630006000011234567890189" });
    beneficiaryId = zoe.id;
    await api("POST", "/v1/beneficiaries", { firstName: "Hélène", lastName: "Lefèvre", birthDate: "1970-07-07" });
    await api("POST", `/v1/beneficiaries/${zoe.id}/measures`, { level: "MASP2", startDate: "2026-01-01", endDate: "2026-12-31", managedPrestations: ["RSA"] });
    // An indu is paid back to the payer by transfer: the payer needs an IBAN.
    await api("PUT", `/v1/payers/${encodeURIComponent("CAF/MSA")}`, { name: "CAF de la Mayenne", iban: "FR7610011000201234567890188" });
    await api("PUT", `/v1/beneficiaries/${zoe.id}/lease`, {
      landlord: { name: "OPH Laval", iban: NEW_IBAN },
      rent: 40000,
      charges: 0,
      housingBenefitToLandlord: 0,
      dueDay: 5,
      startDate: "2026-01-01",
    });
    chargeId = (
      await api("POST", `/v1/beneficiaries/${zoe.id}/charges`, {
        label: "EDF",
        category: "energy",
        amount: 6000,
        dueDay: 15,
        priority: 1,
        creditor: { name: "EDF", iban: "FR7610107001011234567890129" },
        startDate: "2026-01-01",
      })
    ).id;
    const credit = (amount: number, valueDate: string, reference: string) =>
      api("POST", "/v1/credits", { beneficiaryId: zoe.id, payer: "CAF", prestation: "RSA", amount, valueDate, reference }, randomUUID());
    await credit(61234, "2026-01-03", "CAF RSA 12/2025 1234567");
    await runPayments({ db: database.db, kind: "rent", asOf: "2026-01-05", actor: "test" });
    for (let i = 1; i <= 21; i++) await credit(100 * i, "2026-02-02", `CAF-${i}`);
    const alertId = uuidv7();
    await database.db
      .insert(alerts)
      .values({ id: alertId, beneficiaryId, type: "unpaid_rent", audience: "caseworker", episode: "2026-02", periods: ["2026-02"] });
    await api("POST", `/v1/alerts/${alertId}/close`, { comment: "Le bailleur a reçu le virement le 3 mars." });
  });

  afterAll(async () => {
    await ui?.close();
    await database?.dispose();
  });

  it("search, edit the fiche, reverse a credit, record an indu, page the ledger, read a closed alert", async () => {
    const page = await ui.openPage();
    const audit = async (name: string) => {
      violations[name] = await accessibilityViolations(page);
    };
    const main = async () => (await page.locator("main").textContent()) ?? "";
    await ui.loginAs(page, "compta@asso.example");

    // 6. The search ignores accents.
    await page.goto(`${ui.base}/beneficiaires`);
    await page.getByLabel("Rechercher (nom ou numéro CAF/MSA)").fill("zoe");
    await page.getByRole("button", { name: "Rechercher" }).click();
    await page.waitForURL(/q=zoe/);
    expect(await main()).toContain("Moreau");
    expect(await main()).not.toContain("Lefèvre");
    await audit("recherche");
    await page.getByLabel("Rechercher (nom ou numéro CAF/MSA)").fill("lefevre");
    await page.getByRole("button", { name: "Rechercher" }).click();
    await page.waitForURL(/q=lefevre/);
    expect(await main()).toContain("Lefèvre");

    // 1. Edit the fiche: the identity at once, a new IBAN as a proposal (said on screen).
    const fiche = `${ui.base}/beneficiaires/${beneficiaryId}`;
    await page.goto(fiche);
    await page.getByRole("link", { name: "Modifier la fiche" }).click();
    expect(await main()).toContain("Un changement d'IBAN est une proposition");
    await audit("modifier-fiche");
    await page.getByLabel("Rue (bénéficiaire)").fill("3 rue des Lilas");
    await page.getByLabel("Code postal (bénéficiaire)").fill("53000");
    await page.getByLabel("Ville (bénéficiaire)").fill("Laval");
    await page.getByRole("button", { name: "Enregistrer les modifications" }).click();
    await page.waitForURL(/fait=modification/);
    expect(await main()).toContain("3 rue des Lilas, 53000 Laval, FR");
    await page.getByRole("link", { name: "Modifier la fiche" }).click();
    await page.getByLabel("IBAN du bénéficiaire (pour les reversements)").fill(NEW_IBAN);
    await page.getByRole("button", { name: "Enregistrer les modifications" }).click();
    await page.waitForURL(/fait=proposition/);
    expect(await main()).toContain("Proposition envoyée pour validation");
    // The charge and the reversement plan pages.
    await page.goto(`${fiche}/charges/${chargeId}/modifier`);
    await audit("modifier-charge");
    await page.getByLabel("Montant (€)").fill("65,50");
    await page.getByRole("button", { name: "Enregistrer la charge" }).click();
    await page.waitForURL(/fait=charge-modifiee/);
    expect(await main()).toContain("65,50\u00a0€");
    await page.getByRole("link", { name: "Modifier le plan de reversement" }).click();
    await audit("plan-de-reversement");
    await page.getByLabel("Rythme").selectOption("weekly");
    await page.getByLabel("Jour de la semaine (hebdomadaire)").selectOption("5");
    await page.getByRole("button", { name: "Enregistrer le plan" }).click();
    await page.waitForURL(/fait=reversements/);
    expect(await main()).toContain("chaque vendredi : tout le disponible, virement");

    // 5. The ledger beyond the last 20 entries, periods in French, each credit's reference.
    expect(await main()).toContain("CAF-21");
    await page.getByRole("link", { name: "Entrées plus anciennes" }).click();
    await page.waitForURL(/grand-livre\?apres=/);
    const older = await main();
    expect(older).toContain("Loyer janvier 2026");
    expect(older).toContain("CAF RSA 12/2025 1234567");
    expect(older).not.toContain("2026-01");
    await audit("grand-livre");

    // 3. Reverse a credit from its entry (a proposal), then record an indu (a proposal).
    await page.goto(fiche);
    await page.getByRole("link", { name: "Annuler l'opération du 02/02/2026" }).first().click();
    expect(await main()).toContain("C'est une proposition");
    await audit("annulation");
    await page.getByLabel("Motif de l'annulation").fill("saisi deux fois");
    await page.getByRole("button", { name: "Proposer l'annulation" }).click();
    await page.waitForURL(/fait=proposition/);
    await page.getByRole("link", { name: "Enregistrer un indu" }).click();
    await audit("indu");
    await page.getByLabel("Montant de l'indu (€)").fill("12,34");
    await page.getByLabel("Prestation").fill("RSA");
    await page.getByRole("button", { name: "Proposer la retenue" }).click();
    await page.waitForURL(/fait=proposition/);
    const proposals = await ui.api("GET", `/v1/proposals?status=pending&beneficiaryId=${beneficiaryId}`);
    expect(proposals.items.map((p: { kind: string }) => p.kind).sort()).toEqual(["beneficiary.update", "overpayment.recover", "transaction.reverse"]);
    for (const p of proposals.items) await ui.api("POST", `/v1/proposals/${p.id}/approval`, { comment: "vu" });
    await page.goto(fiche);
    const after = await main();
    expect(after).toContain("(annulé)");
    expect(after).toContain("Indu CAF RSA");
    expect(after).toContain("FR14 2004 1010 0505 0001 3M02 606");

    // 4. A closed alert: its comment, author and date.
    expect(after).toContain("Le bailleur a reçu le virement le 3 mars.");
    await page.goto(`${ui.base}/alertes`);
    await page.getByRole("link", { name: "Alertes closes (commentaire, auteur et date)" }).click();
    expect(await main()).toContain("Le bailleur a reçu le virement le 3 mars.");
    expect(await main()).toMatch(/Close le \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2} par browser-setup/);
    await audit("alertes-closes");
    await page.goto(fiche);
    await audit("fiche");
    await page.close();

    expect(violations).toEqual(Object.fromEntries(Object.keys(violations).map((k) => [k, []])));
    expect(ui.cspViolations).toEqual([]);
  });
});
