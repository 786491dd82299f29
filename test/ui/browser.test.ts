/// <reference lib="dom" />
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runText } from "../../src/db/sql";
import { deliverOne } from "../../src/services/notifications/deliver";
import { dispatchEvents, dueDeliveries } from "../../src/services/notifications/dispatch";
import { databaseMailer } from "../../src/services/notifications/mailer";
import { queueDashboard } from "../../workers/dashboard";
import type { JobRuntime } from "../../workers/runtime";
import { createTestApp } from "../support/app";
import { accessibilityViolations } from "../support/axe";
import { type BrowserFixture, startBrowserFixture } from "../support/browser";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { deleteQueueKeys, startTestRuntime } from "../support/queues";
import { STAFF_PASSWORD, staffUser } from "../support/ui";

// The README's screenshots are rewritten only on request; otherwise they go to a temporary directory.
const UPDATE_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === "1";
const SCREENSHOTS = UPDATE_SCREENSHOTS ? new URL("../../docs/screenshots/", import.meta.url).pathname : `${mkdtempSync(join(tmpdir(), "masp-screenshots-"))}/`;
const QUEUE_PREFIX = `test-ui-browser-${randomBytes(4).toString("hex")}`;
const TODAY = "2026-03-06";

/**
 * The web UI in a real browser (Debian's Chromium driven by playwright-core): log in,
 * create a beneficiary with a measure, a lease and a charge through the forms, enter a
 * credit and see its allocation, run the rent job and see the month turn paid, and the
 * caseworker's inbox with a MASP 3 trigger for a second beneficiary. Every page is
 * checked against WCAG 2.1 AA with axe-core, and used with the keyboard. A case takes
 * about a minute on a loaded machine, hence its longer time limit.
 */
describe("web UI in Chromium", { timeout: 180_000 }, () => {
  let database: TestDatabase;
  let runtime: JobRuntime;
  let ui: BrowserFixture;
  const ids: Record<string, string> = {};
  const audited: Record<string, string[]> = {};

  /** A screenshot for the README, and the page's accessibility audit for the last test. */
  async function capture(page: Page, name: string) {
    await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
    audited[name] = await accessibilityViolations(page);
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    // Jobs go through BullMQ on the real Redis (a prefix of this run's own), as in production.
    runtime = await startTestRuntime(database.db, QUEUE_PREFIX);
    const app = createTestApp(database.db, {
      queueState: () => runtime.state(),
      runJob: (n, p) => runtime.run(n, p),
      today: () => TODAY,
      queueDashboard: queueDashboard(runtime.queues()) as never,
    });
    ui = await startBrowserFixture(database.db, app);
    const api = ui.api;
    await staffUser(database.db, "admin@asso.example", "admin", "Alice Admin");
    ids.caseworker = await staffUser(database.db, "cesf@asso.example", "caseworker", "Camille Martin");
    await staffUser(database.db, "cadre@asso.example", "manager", "Claude Bernard");
    // The second beneficiary, set up through the API: paid in January, nothing since, so February and March are unpaid.
    const paul = await api("POST", "/v1/beneficiaries", {
      firstName: "Paul",
      lastName: "Lefèvre",
      birthDate: "1971-09-14",
      cafNumber: "7654321",
      caseworkerId: ids.caseworker,
    });
    ids.paul = paul.id;
    await api("POST", `/v1/beneficiaries/${paul.id}/measures`, {
      level: "MASP2",
      startDate: "2026-01-01",
      endDate: "2026-12-31",
      managedPrestations: ["RSA", "ALS"],
    });
    await api("PUT", `/v1/beneficiaries/${paul.id}/lease`, {
      landlord: { name: "Mayenne Habitat", iban: "FR1420041010050500013M02606" },
      rent: 41000,
      charges: 4000,
      dueDay: 5,
      startDate: "2026-01-01",
    });
    await api("POST", "/v1/credits", { beneficiaryId: paul.id, payer: "CAF", prestation: "RSA", amount: 50000, valueDate: "2026-01-03" }, "p1");
    await api("POST", "/v1/jobs/rent-payments/runs", { asOf: "2026-01-05" });
  });

  afterAll(async () => {
    await ui?.close();
    await runtime?.close();
    await deleteQueueKeys(QUEUE_PREFIX);
    await database?.dispose();
    if (!UPDATE_SCREENSHOTS) rmSync(SCREENSHOTS, { recursive: true, force: true });
  });

  it("refuses the pages without a session and a wrong password", async () => {
    const page = await ui.openPage({ locale: "fr-FR" });
    await page.goto(`${ui.base}/paiements`);
    expect(page.url()).toBe(`${ui.base}/connexion`);
    await page.getByLabel("Adresse e-mail").fill("admin@asso.example");
    await page.getByLabel("Mot de passe").fill("faux");
    await page.getByRole("button", { name: "Se connecter" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toContain("incorrect");
    await capture(page, "connexion");
    await page.close();
  });

  it("creates a beneficiary with a measure, a lease and a charge, enters a credit with its preview, runs the rent job and the month turns paid", async () => {
    const page = await ui.openPage({ viewport: { width: 1280, height: 900 }, locale: "fr-FR" });
    await ui.loginAs(page, "admin@asso.example");

    // A refused form first: the error summary takes the focus and links to the field.
    await page.getByRole("link", { name: "Bénéficiaires" }).click();
    await page.getByRole("link", { name: "Nouveau bénéficiaire" }).click();
    await page.getByLabel("Nom", { exact: true }).fill("Durand");
    await page.getByLabel("Prénom").fill("Marie");
    await page.getByLabel("Date de naissance").fill("2012-04-02");
    await page.getByLabel("IBAN du bénéficiaire").fill("FR76 3000 6000 0112 3456 7890 188");
    await page.getByRole("button", { name: "Enregistrer le bénéficiaire" }).click();
    await page.waitForSelector("#erreurs");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("erreurs");
    await expect(page.locator("#erreurs").textContent()).resolves.toContain("IBAN invalide");
    expect(await page.getByLabel("IBAN du bénéficiaire").getAttribute("aria-invalid")).toBe("true");
    await capture(page, "nouveau-beneficiaire-erreurs");

    await page.getByLabel("Date de naissance").fill("1979-04-02");
    await page.getByLabel("N° allocataire CAF").fill("1234567");
    await page.getByLabel("IBAN du bénéficiaire").fill("FR76 3000 6000 0112 3456 7890 189");
    await page.getByLabel("Travailleur social référent").selectOption({ label: "Camille Martin" });
    await page.getByRole("button", { name: "Enregistrer le bénéficiaire" }).click();
    await page.waitForURL(/fait=beneficiaire/);
    ids.marie = /beneficiaires\/([0-9a-f-]{36})/.exec(page.url())![1]!;

    await page.getByRole("link", { name: "Ouvrir une mesure" }).click();
    await page.getByLabel("Début du contrat").fill("2026-03-01");
    await page.getByLabel("Fin du contrat").fill("2027-02-28");
    await page.getByRole("checkbox", { name: /^RSA — / }).check();
    await page.getByRole("checkbox", { name: /^ALS — / }).check();
    await capture(page, "nouvelle-mesure");
    await page.getByRole("button", { name: "Ouvrir la mesure" }).click();
    await page.waitForURL(/fait=mesure/);

    await page.getByRole("link", { name: "Enregistrer le bail" }).click();
    await page.getByLabel("Bailleur", { exact: true }).fill("OPH Laval Habitat");
    await page.getByLabel("IBAN du bailleur").fill("FR14 2004 1010 0505 0001 3M02 606");
    await page.getByLabel("Loyer (€)").fill("450");
    await page.getByLabel("Charges locatives (€)").fill("50,00");
    await page.getByLabel("Jour d'échéance").fill("5");
    await page.getByLabel("Date d'entrée dans le logement").fill("2026-03-01");
    await capture(page, "bail");
    await page.getByRole("button", { name: "Enregistrer le bail" }).click();
    await page.waitForURL(/fait=bail/);

    await page.getByRole("link", { name: "Ajouter une charge" }).click();
    await page.getByLabel("Libellé").fill("Électricité");
    await page.getByLabel("Montant (€)").fill("60");
    await page.getByLabel("Créancier", { exact: true }).fill("EDF");
    await page.getByLabel("IBAN du créancier").fill("FR1420041010050500013M02606");
    await page.getByLabel("À partir du").fill("2026-03-01");
    await page.getByRole("button", { name: "Ajouter la charge" }).click();
    await page.waitForURL(/fait=charge/);
    await expect(page.getByRole("table", { name: "Budget : charges prioritaires" }).textContent()).resolves.toContain("60,00\u00a0€");

    await page.getByRole("link", { name: "Saisir un versement" }).click();
    expect(await page.getByRole("group", { name: "Bénéficiaire" }).getByRole("radio", { checked: true }).inputValue()).toBe(ids.marie);
    await page.getByLabel("Prestation (code D.271-2)").fill("RSA");
    await page.getByLabel("Montant (€)").fill("607,75");
    await page.getByLabel("Date de valeur").fill("2026-03-03");
    await page.getByRole("button", { name: "Voir la répartition" }).click();
    const preview = page.getByRole("region", { name: "Répartition proposée (loyer d'abord)" });
    const rows = await preview.locator("tbody tr").allTextContents();
    expect(rows).toEqual(["Loyer500,00\u00a0€", "Charge60,00\u00a0€", "Disponible47,75\u00a0€"]);
    await capture(page, "saisie-versement");
    await page.getByRole("button", { name: "Confirmer le versement" }).click();
    await page.waitForURL(new RegExp(`/beneficiaires/${ids.marie}`));
    expect(await page.locator('[data-period="2026-03"]').getAttribute("data-status")).toBe("unpaid");

    await page.getByRole("link", { name: "Traitements", exact: true }).click();
    await page.getByLabel("Traitement", { exact: true }).selectOption("rent-payments");
    await page.getByLabel("Date de traitement").fill("2026-03-05");
    await page.getByRole("button", { name: "Lancer" }).click();
    await page.waitForURL(/fait=rent-payments/);
    await page.getByLabel("Traitement", { exact: true }).selectOption("charge-payments");
    await page.getByLabel("Date de traitement").fill("2026-03-15");
    await page.getByRole("button", { name: "Lancer" }).click();
    await page.waitForURL(/fait=charge-payments/);
    await capture(page, "traitements");

    await page.goto(`${ui.base}/beneficiaires/${ids.marie}`);
    expect(await page.locator('[data-period="2026-03"]').getAttribute("data-status")).toBe("paid");
    await expect(page.locator('[data-period="2026-03"]').textContent()).resolves.toContain("payé — 500,00\u00a0€ / 500,00\u00a0€");
    await capture(page, "fiche-beneficiaire");
    // Paiements is folded into Virements: one place for money out, each order with its beneficiary, kind and method.
    await page.getByRole("link", { name: "Virements", exact: true }).click();
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Virements");
    const waiting = (await page.locator("main").textContent()) ?? "";
    for (const text of ["OPH Laval Habitat", "EDF", "Loyer", "Charge", "Virement"]) expect(waiting).toContain(text);
    await page.goto(`${ui.base}/virements`);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Virements");
    await capture(page, "virements");
    await page.getByRole("link", { name: "Tableau de bord" }).click();
    await capture(page, "tableau-de-bord");

    // The queue dashboard opens from Traitements with the same session (bull-board's own page: not audited).
    await page.getByRole("link", { name: "Traitements", exact: true }).click();
    await page.getByRole("link", { name: /Files d'attente/ }).click();
    await page.getByRole("link", { name: "rent-payments" }).first().click();
    await page.getByText("Chargement...").waitFor({ state: "detached" });
    await page.screenshot({ path: `${SCREENSHOTS}files-d-attente.png` });
    await page.close();
  });

  it("shows the MASP 3 trigger of the second beneficiary in the caseworker's inbox, who closes it with a comment", async () => {
    await ui.api("POST", "/v1/jobs/unpaid-rent-check/runs", { asOf: TODAY });
    const page = await ui.openPage({ viewport: { width: 1280, height: 900 }, locale: "fr-FR" });
    await ui.loginAs(page, "cesf@asso.example");
    await expect(page.getByRole("link", { name: "Saisie d'un versement" }).count()).resolves.toBe(0);
    await page.getByRole("link", { name: "Alertes", exact: true }).click();
    const masp3 = page.getByRole("region", { name: "Déclencheur MASP 3 (L.271-5)" });
    await expect(masp3.count()).resolves.toBe(1);
    await expect(masp3.textContent()).resolves.toContain("février 2026, mars 2026");
    await expect(masp3.getByRole("link", { name: "voir la fiche du bénéficiaire" }).getAttribute("href")).resolves.toBe(`/beneficiaires/${ids.paul}`);
    await capture(page, "alertes");
    await masp3.getByLabel("Commentaire de clôture").fill("Entretien avec M. Lefèvre, saisine du Département engagée.");
    await masp3.getByRole("button", { name: "Clore l'alerte" }).click();
    await page.waitForURL(/fait=1/);
    await expect(page.getByRole("region", { name: "Déclencheur MASP 3 (L.271-5)" }).count()).resolves.toBe(0);
    await page.close();
  });

  it("four eyes: the caseworker proposes a new IBAN, cannot approve it, a manager approves it and the fiche shows it", async () => {
    const page = await ui.browser.newPage({ viewport: { width: 1280, height: 900 }, locale: "fr-FR" });
    await ui.loginAs(page, "cesf@asso.example");
    await page.goto(`${ui.base}/beneficiaires/${ids.paul}`);
    await page.getByRole("link", { name: "Changer l'IBAN" }).click();
    await page.getByLabel("Nouvel IBAN").fill("FR76 3000 6000 0112 3456 7890 189");
    await capture(page, "changer-iban");
    await page.getByRole("button", { name: "Proposer le changement" }).click();
    await page.waitForURL(/fait=proposition/);
    await expect(page.getByRole("status").textContent()).resolves.toContain("Proposition envoyée pour validation");
    await expect(page.locator("dd.iban").first().textContent()).resolves.not.toContain("FR76");
    await page.getByRole("link", { name: "Propositions" }).click();
    const mine = page.getByRole("region", { name: "Changement d'IBAN du bénéficiaire" });
    await expect(mine.textContent()).resolves.toContain("Vous avez fait cette proposition");
    await expect(mine.getByRole("button", { name: "Approuver" }).count()).resolves.toBe(0);
    await page.close();

    const cadre = await ui.browser.newPage({ viewport: { width: 1280, height: 900 }, locale: "fr-FR" });
    await ui.loginAs(cadre, "cadre@asso.example");
    await expect(cadre.getByRole("link", { name: "Saisie d'un versement" }).count()).resolves.toBe(0);
    await cadre.getByRole("link", { name: "Propositions" }).click();
    const proposal = cadre.getByRole("region", { name: "Changement d'IBAN du bénéficiaire" });
    // Masked in the list: the country, the check digits and the last four characters.
    await expect(proposal.textContent()).resolves.toContain("FR76 **** **** **** **** ***0 189");
    await capture(cadre, "propositions");
    await proposal.getByLabel("Commentaire").fill("RIB vérifié avec M. Lefèvre");
    await proposal.getByRole("button", { name: "Approuver" }).click();
    await cadre.waitForURL(/fait=approuvee/);
    await expect(cadre.getByRole("region", { name: "Changement d'IBAN du bénéficiaire" }).count()).resolves.toBe(0);
    await cadre.goto(`${ui.base}/beneficiaires/${ids.paul}`);
    await expect(cadre.locator("dd.iban").first().textContent()).resolves.toContain("FR76 3000 6000 0112 3456 7890 189");
    await cadre.close();
  });

  it("Virements: the pending orders by account with their beneficiary, a remise prepared, dissolved, prepared again, its file downloaded, marked sent", async () => {
    // The default pooled account the migration made from `bank:main` gets its IBAN.
    await runText(database.db, "update bank_accounts set iban = 'FR7630001007941234567890185', name = 'Compte principal' where is_default");
    const page = await ui.browser.newPage({ viewport: { width: 1280, height: 900 }, locale: "fr-FR", acceptDownloads: true });
    await ui.loginAs(page, "admin@asso.example");
    await page.getByRole("link", { name: "Virements", exact: true }).click();
    const orders = page.getByRole("region", { name: /^Compte principal — échéance du 05\/01\/2026/ });
    await expect(orders.textContent()).resolves.toContain("Lefèvre Paul");
    await expect(orders.textContent()).resolves.toContain("Mayenne Habitat");
    await capture(page, "virements");

    await page.getByLabel("Date d'exécution").fill("2026-03-16");
    await page.getByRole("button", { name: "Préparer la remise" }).click();
    await page.waitForURL(/fait=preparee/);
    await page.getByRole("button", { name: "Dissoudre" }).click();
    await page.waitForURL(/fait=dissoute/);
    await expect(page.getByRole("table", { name: "Remises récentes" }).textContent()).resolves.toContain("dissoute");

    await page.getByLabel("Date d'exécution").fill("2026-03-16");
    await page.getByRole("button", { name: "Préparer la remise" }).click();
    await page.waitForURL(/fait=preparee/);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Télécharger le fichier" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^remise-2026-03-16-[0-9a-f]{32}\.xml$/);
    const xml = await (await download.createReadStream()).toArray();
    expect(Buffer.concat(xml).toString("utf8")).toContain("<PmtMtd>TRF</PmtMtd>");
    await page.getByRole("button", { name: "Marquer comme envoyée" }).click();
    await page.waitForURL(/fait=envoyee/);
    await expect(page.getByRole("table", { name: "Remises récentes" }).textContent()).resolves.toContain("envoyée");
    await capture(page, "virements-remise");

    // The filters: the orders now sent, by transfer, for one beneficiary.
    await page.getByLabel("Statut").selectOption("sent");
    await page.getByLabel("Moyen").selectOption("transfer");
    await page.getByLabel("Bénéficiaire").fill("Lefèvre");
    await page.getByRole("button", { name: "Filtrer" }).click();
    await expect(page.locator("main").textContent()).resolves.toContain("Lefèvre Paul");
    await expect(page.locator("main").textContent()).resolves.not.toContain("Durand Marie");

    // The bank refuses Paul's transfer: its history, a rejection with a reason from the list.
    await page.getByRole("link", { name: /historique de l'ordre de Lefèvre Paul/ }).click();
    await page.getByLabel("Motif (code ISO)").selectOption("AC04");
    await page.getByRole("button", { name: "Rejet" }).click();
    await page.waitForURL(/fait=rejet/);
    await expect(page.locator("main").textContent()).resolves.toContain("AC04 Compte clôturé");
    await expect(page.getByRole("table", { name: "Historique de l'ordre" }).textContent()).resolves.toContain("Rejeté par la banque");
    await capture(page, "virements-ordre");
    await page.close();
  });

  it("Courriels and Webhooks: admins see the alert mails kept without SMTP and each subscription's delivery log", async () => {
    await ui.api("POST", "/v1/webhooks", { url: "http://127.0.0.1:9/masp", events: ["alert.raised", "masp3.triggered"] });
    // What the notifications queue does, in line: the alerts of the cases above become mails and webhook calls.
    await dispatchEvents(database.db, TODAY);
    const deps = { db: database.db, mailer: databaseMailer(), publicUrl: ui.base, retryBaseMs: 60_000, giveUpAfterMs: 86_400_000, webhookTimeoutMs: 2_000 };
    for (const d of await dueDeliveries(database.db)) await deliverOne(deps, d.id);
    const page = await ui.openPage({ viewport: { width: 1280, height: 900 }, locale: "fr-FR" });
    await ui.loginAs(page, "admin@asso.example");
    await page.getByRole("link", { name: "Courriels" }).click();
    await page.waitForURL(`${ui.base}/courriels`);
    await expect(page.locator("main").textContent()).resolves.toContain("[MASP] Déclencheur MASP 3 (L.271-5) – Paul L.");
    await capture(page, "courriels");
    await page.getByRole("link", { name: "Webhooks" }).click();
    await page.waitForURL(`${ui.base}/webhooks`);
    await expect(page.locator("main").textContent()).resolves.toContain("masp3.triggered");
    await capture(page, "webhooks");
    await page.close();
  });

  it("can be used with the keyboard alone: a skip link first, then the form, sent with Enter", async () => {
    const page = await ui.openPage({ viewport: { width: 1280, height: 900 }, locale: "fr-FR" });
    await page.goto(`${ui.base}/connexion`);
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Aller au contenu");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("email");
    await page.keyboard.type("admin@asso.example");
    await page.keyboard.press("Tab");
    await page.keyboard.type(STAFF_PASSWORD);
    await page.keyboard.press("Enter");
    await page.waitForURL(`${ui.base}/`);
    const outline = await page.evaluate(() => {
      const link = document.querySelector<HTMLAnchorElement>('nav a[href="/beneficiaires"]')!;
      link.focus();
      return getComputedStyle(link).outlineStyle;
    });
    expect(outline).toBe("solid");
    // The auditor itself is awake: an input without a label is caught.
    await page.evaluate(() => document.querySelector("main")!.insertAdjacentHTML("beforeend", '<input id="sans-etiquette">'));
    expect((await accessibilityViolations(page)).join()).toContain("#sans-etiquette");
    await page.close();
  });

  it("passes the WCAG 2.1 AA rules of axe-core on every page it showed", () => {
    expect(Object.keys(audited).length).toBeGreaterThanOrEqual(15);
    expect(Object.entries(audited).filter(([, v]) => v.length > 0)).toEqual([]);
  });

  it("breaks no rule of the Content-Security-Policy on any page it opened", async () => {
    const page = await ui.openPage({ locale: "fr-FR" });
    const res = await page.goto(`${ui.base}/connexion`);
    expect(res?.headers()["content-security-policy"]).toContain("script-src 'self'");
    await page.close();
    expect(ui.cspViolations).toEqual([]);
  });
});
