/// <reference lib="dom" />
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../../src/db/schema/audit";
import { notificationPreferences, userAbsences } from "../../src/db/schema/notifications";
import { createTestApp } from "../support/app";
import { accessibilityViolations } from "../support/axe";
import { type BrowserFixture, startBrowserFixture } from "../support/browser";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { staffUser } from "../support/ui";

const TODAY = "2026-03-06";

/**
 * "Mes alertes par courriel" in a real browser: a caseworker opens the page from the
 * user menu, asks for the 08:30 digest for unpaid rent (MASP 3 shown, fixed to
 * immediate), then declares an absence: refused in French when it ends before it
 * starts, recorded with a colleague as substitute. Each change goes through the same
 * service as the API, so it is audited. Every page passes axe-core's WCAG 2.1 AA rules.
 */
describe("Mes alertes par courriel in Chromium", { timeout: 180_000 }, () => {
  let database: TestDatabase;
  let ui: BrowserFixture;
  let me = "";
  let colleague = "";
  const audited: Record<string, string[]> = {};

  beforeAll(async () => {
    database = await createTestDatabase();
    ui = await startBrowserFixture(database.db, createTestApp(database.db, { today: () => TODAY }));
    me = await staffUser(database.db, "ts@asso.example", "caseworker", "Théo Social");
    colleague = await staffUser(database.db, "ts2@asso.example", "caseworker", "Sarah Relais");
  });

  afterAll(async () => {
    await ui?.close();
    await database?.dispose();
  });

  it("a caseworker chooses the daily digest for unpaid rent and declares an absence with a colleague as substitute", async () => {
    const page = await ui.openPage();
    await ui.loginAs(page, "ts@asso.example");

    await page.getByRole("link", { name: "Mes alertes par courriel" }).click();
    await page.waitForURL(`${ui.base}/mes-alertes`);
    const masp3 = page.getByRole("group", { name: "Déclencheur MASP 3 (L.271-5)" }).getByLabel("immédiat");
    await expect(masp3.isChecked()).resolves.toBe(true);
    await expect(masp3.isDisabled()).resolves.toBe(true);
    audited.page = await accessibilityViolations(page);

    await page.getByRole("group", { name: "Impayé de loyer" }).getByLabel("récapitulatif quotidien (8 h 30)").check();
    await page.getByRole("button", { name: "Enregistrer mes préférences" }).click();
    await page.waitForURL(/fait=preferences/);
    await expect(page.getByRole("status").textContent()).resolves.toContain("Préférences enregistrées");
    await expect(page.getByRole("group", { name: "Impayé de loyer" }).getByLabel("récapitulatif quotidien (8 h 30)").isChecked()).resolves.toBe(true);
    const rows = await database.db.select().from(notificationPreferences).where(eq(notificationPreferences.userId, me));
    expect(Object.fromEntries(rows.map((r) => [r.alertType, r.mode]))).toMatchObject({ unpaid_rent: "digest", charge_arrears: "immediate" });
    audited.saved = await accessibilityViolations(page);

    await expect(page.getByLabel("Remplaçant").locator("option").allTextContents()).resolves.toEqual(["— choisir —", "Sarah Relais"]);
    await page.getByLabel("Du").fill("2026-08-21");
    await page.getByLabel("Au (inclus)").fill("2026-08-01");
    await page.getByLabel("Remplaçant").selectOption({ label: "Sarah Relais" });
    await page.getByRole("button", { name: "Déclarer l'absence" }).click();
    await page.waitForSelector("#erreurs");
    await expect(page.locator("#erreurs").textContent()).resolves.toContain("la date de fin précède la date de début");
    audited.refused = await accessibilityViolations(page);

    await page.getByLabel("Du").fill("2026-08-01");
    await page.getByLabel("Au (inclus)").fill("2026-08-21");
    await page.getByRole("button", { name: "Déclarer l'absence" }).click();
    await page.waitForURL(/fait=absence/);
    await expect(page.getByRole("status").textContent()).resolves.toContain("Absence enregistrée");
    await expect(page.locator("main").textContent()).resolves.toContain("Absence déclarée du 01/08/2026 au 21/08/2026 : vos alertes vont à Sarah Relais");
    const [absence] = await database.db.select().from(userAbsences).where(eq(userAbsences.userId, me));
    expect(absence).toMatchObject({ from: "2026-08-01", to: "2026-08-21", substituteId: colleague });
    const actions = (await database.db.select().from(auditLog).where(eq(auditLog.entityId, me))).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(["user.notifications", "user.absence"]));
    audited.absence = await accessibilityViolations(page);
    await page.close();
  });

  it("passes axe-core's WCAG 2.1 AA rules and the Content-Security-Policy on every page it showed", () => {
    expect(Object.keys(audited).length).toBe(4);
    expect(Object.entries(audited).filter(([, v]) => v.length > 0)).toEqual([]);
    expect(ui.cspViolations).toEqual([]);
  });
});
