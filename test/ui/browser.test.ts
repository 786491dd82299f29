import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { eq } from "drizzle-orm";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../src/auth/passwords";
import { createToken } from "../../src/auth/tokens";
import { users } from "../../src/db/schema/users";
import { createLogger } from "../../src/logger";
import { systemContext } from "../../src/services/context";
import { createUser } from "../../src/services/users/users";
import { startJobRuntime, type JobRuntime } from "../../workers/runtime";
import { createTestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";

const SCREENSHOTS = new URL("../../docs/screenshots/", import.meta.url).pathname;
const TODAY = "2026-03-06";

/**
 * The web UI in a real browser (Debian's Chromium driven by playwright-core): log in,
 * enter a credit and see its allocation, run the rent job and see the month turn paid,
 * and the caseworker's inbox with a MASP 3 trigger.
 */
describe("web UI in Chromium", () => {
  let database: TestDatabase;
  let runtime: JobRuntime;
  let server: ReturnType<typeof serve>;
  let base = "";
  let browser: Browser;
  let api: (method: string, path: string, body?: unknown, key?: string) => Promise<any>;
  const ids: Record<string, string> = {};

  async function staff(email: string, role: "admin" | "caseworker", name: string) {
    const user = await createUser({ ctx: systemContext(database.db), input: { email, role, displayName: name } });
    await database.db.update(users).set({ passwordHash: await hashPassword("mot-de-passe-1") }).where(eq(users.id, user.id));
    return user.id;
  }

  async function loginAs(page: Page, email: string) {
    await page.goto(`${base}/`);
    await page.getByLabel("Adresse e-mail").fill(email);
    await page.getByLabel("Mot de passe").fill("mot-de-passe-1");
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.waitForURL(`${base}/`);
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    runtime = await startJobRuntime({ db: database.db, logger: createLogger("silent"), redisUrl: "redis://127.0.0.1:1", prefix: "ui", scheduler: false, processJobs: true, allowInProcess: true });
    const app = createTestApp(database.db, { queueState: () => runtime.state(), runJob: (n, p) => runtime.run(n, p), today: () => TODAY });
    server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((r) => server.once("listening", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { token } = await createToken(database.db, { role: "admin", name: "setup" });
    api = async (method, path, body, key) => {
      const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...(key ? { "idempotency-key": key } : {}) }, body: body ? JSON.stringify(body) : undefined });
      const json = await res.json();
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };
    await staff("admin@asso.example", "admin", "Alice Admin");
    ids.caseworker = await staff("cesf@asso.example", "caseworker", "Camille Martin");
    for (const [name, first, last] of [["marie", "Marie", "Durand"], ["paul", "Paul", "Lefèvre"]] as const) {
      const b = await api("POST", "/v1/beneficiaries", { firstName: first, lastName: last, birthDate: "1979-04-02", cafNumber: "1234567", iban: "FR7630006000011234567890189", caseworkerId: ids.caseworker });
      ids[name] = b.id;
      await api("POST", `/v1/beneficiaries/${b.id}/measures`, { level: "MASP2", startDate: "2026-01-01", endDate: "2026-12-31", managedPrestations: ["RSA", "AAH", "ALS"] });
      await api("PUT", `/v1/beneficiaries/${b.id}/lease`, { landlord: { name: "OPH Laval Habitat", iban: "FR1420041010050500013M02606" }, rent: 45000, charges: 5000, dueDay: 5, startDate: "2026-01-01" });
      await api("POST", `/v1/beneficiaries/${b.id}/charges`, { label: "EDF", category: "energy", amount: 6000, dueDay: 15, priority: 1, creditor: { name: "EDF", iban: "FR1420041010050500013M02606" }, startDate: "2026-01-01" });
    }
    // Marie: January and February paid; Paul: nothing since January, so February and March are unpaid.
    for (const [k, date] of [["m1", "2026-01-03"], ["m2", "2026-02-03"]] as const) {
      await api("POST", "/v1/credits", { beneficiaryId: ids.marie, payer: "CAF", prestation: "RSA", amount: 50000, valueDate: date }, k);
      await api("POST", "/v1/jobs/rent-payments/runs", { asOf: date.replace(/03$/, "05") });
    }
    await api("POST", "/v1/credits", { beneficiaryId: ids.paul, payer: "CAF", prestation: "RSA", amount: 50000, valueDate: "2026-01-03" }, "p1");
    await api("POST", "/v1/jobs/rent-payments/runs", { asOf: "2026-01-05" });
    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"] });
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
    await runtime?.close();
    await database?.dispose();
  });

  it("refuses the pages without a session and a wrong password", async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/paiements`);
    expect(page.url()).toBe(`${base}/connexion`);
    await page.getByLabel("Adresse e-mail").fill("admin@asso.example");
    await page.getByLabel("Mot de passe").fill("faux");
    await page.getByRole("button", { name: "Se connecter" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toContain("incorrect");
    await page.screenshot({ path: `${SCREENSHOTS}connexion.png` });
    await page.close();
  });

  it("enters a credit, shows the allocation before confirming, then runs the rent job and the month turns paid", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await loginAs(page, "admin@asso.example");
    await page.screenshot({ path: `${SCREENSHOTS}tableau-de-bord.png`, fullPage: true });

    await page.getByRole("link", { name: "Saisie d'un versement" }).click();
    await page.getByLabel("Bénéficiaire").selectOption(ids.marie!);
    await page.getByLabel("Prestation (code D.271-2)").fill("RSA");
    await page.getByLabel("Montant (€)").fill("607,75");
    await page.getByLabel("Date de valeur").fill("2026-03-03");
    await page.getByRole("button", { name: "Voir la répartition" }).click();
    const preview = page.getByRole("region", { name: "Répartition proposée (loyer d'abord)" });
    await expect(preview.textContent()).resolves.toContain("500,00\u00a0€");
    await page.screenshot({ path: `${SCREENSHOTS}saisie-versement.png`, fullPage: true });
    await page.getByRole("button", { name: "Confirmer le versement" }).click();
    await page.waitForURL(new RegExp(`/beneficiaires/${ids.marie}`));
    expect(await page.locator('[data-period="2026-03"]').getAttribute("data-status")).toBe("unpaid");

    await page.getByRole("link", { name: "Traitements" }).click();
    await page.getByLabel("Traitement", { exact: true }).selectOption("rent-payments");
    await page.getByLabel("Date de traitement").fill("2026-03-05");
    await page.getByRole("button", { name: "Lancer" }).click();
    await page.waitForURL(/fait=1/);
    await page.screenshot({ path: `${SCREENSHOTS}traitements.png`, fullPage: true });

    await page.goto(`${base}/beneficiaires/${ids.marie}`);
    expect(await page.locator('[data-period="2026-03"]').getAttribute("data-status")).toBe("paid");
    await page.screenshot({ path: `${SCREENSHOTS}fiche-beneficiaire.png`, fullPage: true });
    await page.getByRole("link", { name: "Paiements" }).click();
    await expect(page.locator("table").textContent()).resolves.toContain("OPH Laval Habitat");
    await page.screenshot({ path: `${SCREENSHOTS}paiements.png`, fullPage: true });
    await page.close();
  });

  it("shows the MASP 3 trigger in the caseworker's inbox, who closes it with a comment", async () => {
    await api("POST", "/v1/jobs/unpaid-rent-check/runs", { asOf: TODAY });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await loginAs(page, "cesf@asso.example");
    await expect(page.getByRole("link", { name: "Saisie d'un versement" }).count()).resolves.toBe(0);
    await page.getByRole("link", { name: "Alertes" }).click();
    const masp3 = page.getByRole("region", { name: "Déclencheur MASP 3 (L.271-5)" });
    await expect(masp3.count()).resolves.toBe(1);
    await expect(masp3.textContent()).resolves.toContain("février 2026, mars 2026");
    await page.screenshot({ path: `${SCREENSHOTS}alertes.png`, fullPage: true });
    await masp3.getByLabel("Commentaire de clôture").fill("Entretien avec M. Lefèvre, saisine du Département engagée.");
    await masp3.getByRole("button", { name: "Clore l'alerte" }).click();
    await page.waitForURL(/ok=1/);
    await expect(page.getByRole("region", { name: "Déclencheur MASP 3 (L.271-5)" }).count()).resolves.toBe(0);
    await page.close();
  });
});
