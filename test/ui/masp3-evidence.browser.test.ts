/// <reference lib="dom" />
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkUnpaidRent } from "../../src/services/alerts/check-unpaid-rent";
import { apiCaller, bearer, createTestApp, type Headers, type TestApp } from "../support/app";
import { accessibilityViolations } from "../support/axe";
import { type BrowserFixture, startBrowserFixture } from "../support/browser";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { leaseBody } from "../support/household";
import { staffUser } from "../support/ui";

const TODAY = "2026-03-10";

/**
 * The MASP 3 evidence in a real browser: a caseworker opens it from the alert in her
 * inbox (Alertes), reads the printable French page, and sees on the fiche the credit the
 * CAF paid short of an indu (gross, deduction, net). The API's `?format=html` page is
 * checked too. Every page passes axe-core's WCAG 2.1 AA rules and the CSP.
 */
describe("MASP 3 evidence and deduction credits in Chromium", { timeout: 180_000 }, () => {
  let database: TestDatabase;
  let app: TestApp;
  let ui: BrowserFixture;
  let admin: Headers;
  let beneficiaryId = "";
  let alertId = "";
  const audited: Record<string, string[]> = {};

  beforeAll(async () => {
    database = await createTestDatabase();
    app = createTestApp(database.db, { today: () => TODAY });
    ui = await startBrowserFixture(database.db, app);
    const me = await staffUser(database.db, "ts@asso.example", "caseworker", "Théo Social");
    admin = await bearer(database.db, "admin");
    const call = apiCaller(
      () => app,
      () => admin,
    );
    const b = await call("POST", "/v1/beneficiaries", {
      firstName: "Marie",
      lastName: "Durand",
      birthDate: "1979-04-02",
      caseworkerId: me,
      address: { street: "12 rue de la Paix", postalCode: "53000", town: "Laval", country: "FR" },
    });
    expect(b.status, b.text).toBe(201);
    beneficiaryId = b.body.id;
    const m = await call("POST", `/v1/beneficiaries/${beneficiaryId}/measures`, {
      level: "MASP2",
      startDate: "2026-01-01",
      endDate: "2026-12-31",
      managedPrestations: ["RSA", "ALS"],
    });
    expect(m.status, m.text).toBe(201);
    expect((await call("PUT", `/v1/beneficiaries/${beneficiaryId}/lease`, leaseBody())).status).toBe(200);
    const credit = await call(
      "POST",
      "/v1/credits",
      {
        beneficiaryId,
        payer: "CAF",
        prestation: "RSA",
        amount: 30000,
        valueDate: "2026-01-03",
        reference: "CAF RSA 12/2025",
        deduction: { amount: 2000, prestation: "RSA", reference: "indu 2025-117" },
      },
      { ...(await bearer(database.db, "finance")), "Idempotency-Key": randomUUID() },
    );
    expect(credit.status, credit.text).toBe(201);
    // No rent paid since: January to March unpaid, a MASP 3 trigger.
    await checkUnpaidRent({ db: database.db, asOf: TODAY });
    const alerts = (await call("GET", `/v1/alerts?beneficiaryId=${beneficiaryId}&type=masp3_trigger`)).body.items;
    expect(alerts).toHaveLength(1);
    alertId = alerts[0].id;
  });

  afterAll(async () => {
    await ui?.close();
    await database?.dispose();
  });

  it("a caseworker opens the evidence from the alert, then the fiche shows gross, deduction and net", async () => {
    const page = await ui.openPage();
    await ui.loginAs(page, "ts@asso.example");

    await page.goto(`${ui.base}/alertes`);
    await page.locator(`a[href="/alertes/${alertId}/dossier"]`).first().click();
    await page.waitForURL(`${ui.base}/alertes/${alertId}/dossier`);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Éléments pour une demande de MASP 3");
    const text = (await page.locator("main").textContent()) ?? "";
    for (const part of ["Marie Durand", "12 rue de la Paix", "OPH Laval Habitat", "janvier 2026", "Historique de l'enveloppe loyer"]) {
      expect(text, part).toContain(part);
    }
    expect(text).toMatch(/320,00\s€/);
    audited.evidence = await accessibilityViolations(page);

    await page.goto(`${ui.base}/beneficiaires/${beneficiaryId}`);
    await expect(page.getByRole("table", { name: /grand livre/ }).textContent()).resolves.toMatch(
      /Brut 320,00\s€ − retenue pour indu RSA 20,00\s€ \(réf\. indu 2025-117\) = net reçu 300,00\s€/,
    );
    audited.fiche = await accessibilityViolations(page);
    await page.close();
  });

  it("the API's printable page (?format=html) stands alone, in French", async () => {
    // A tab of its own context (closed with it) sending the admin's bearer token.
    const page = await ui.openPage({ locale: "fr-FR", extraHTTPHeaders: admin });
    const res = await page.goto(`${ui.base}/v1/alerts/${alertId}/evidence?format=html`);
    expect(res?.status()).toBe(200);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Éléments pour une demande de MASP 3");
    await expect(page.locator("nav").count()).resolves.toBe(0);
    audited.api = await accessibilityViolations(page);
    await page.close();
  });

  it("passes axe-core's WCAG 2.1 AA rules and the Content-Security-Policy on every page it showed", () => {
    expect(Object.keys(audited).length).toBe(3);
    expect(Object.entries(audited).filter(([, v]) => v.length > 0)).toEqual([]);
    expect(ui.cspViolations).toEqual([]);
  });
});
