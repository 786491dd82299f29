import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notificationPreferences, userAbsences } from "../../src/db/schema/notifications";
import { createTestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { staffUser, uiSession } from "../support/ui";

/** The page's rules without a browser: a finance member's "none", a forged form refused in French, CSRF. */
describe("Mes alertes par courriel (/mes-alertes)", () => {
  let database: TestDatabase;
  let app: ReturnType<typeof createTestApp>;
  let finance = "";

  beforeAll(async () => {
    database = await createTestDatabase();
    app = createTestApp(database.db, { today: () => "2026-03-06" });
    finance = await staffUser(database.db, "compta@asso.example", "finance", "Dominique Compta");
    await staffUser(database.db, "compta2@asso.example", "finance", "Camille Trésor");
    await staffUser(database.db, "ts@asso.example", "caseworker", "Théo Social");
  });
  afterAll(() => database?.dispose());

  it("a finance member starts with no mail and asks only for the types they choose", async () => {
    const session = await uiSession(app, "compta@asso.example");
    const page = await session.get("/mes-alertes");
    expect(page.status).toBe(200);
    expect(page.html).toMatch(/id="f-bank-difference-aucun"[^>]*checked/);
    // The substitutes are the active staff of one's own role, never oneself.
    expect(page.html).toContain("Camille Trésor");
    expect(page.html).not.toContain("Théo Social");
    const saved = await session.post("/mes-alertes", { bank_difference: "digest", statement_inconsistent: "immediate", unpaid_rent: "aucun" });
    expect(saved.location).toBe("/mes-alertes?fait=preferences");
    const rows = await database.db.select().from(notificationPreferences).where(eq(notificationPreferences.userId, finance));
    expect(Object.fromEntries(rows.map((r) => [r.alertType, r.mode]))).toEqual({ bank_difference: "digest", statement_inconsistent: "immediate" });
  });

  it("refuses a forged form in French and writes nothing", async () => {
    const session = await uiSession(app, "compta@asso.example");
    const badMode = await session.post("/mes-alertes", { bank_difference: "weekly", masp3_trigger: "digest" });
    expect(badMode.status).toBe(422);
    expect(badMode.html).toContain("choisissez une valeur de la liste");
    const self = await session.post("/mes-alertes/absence", { from: "2026-08-01", to: "2026-08-21", substituteId: finance });
    expect(self.status).toBe(422);
    expect(self.html).toContain("le remplaçant est une autre personne que vous");
    const missing = await session.post("/mes-alertes/absence", { from: "31/02/2026", to: "" });
    expect(missing.status).toBe(422);
    expect(missing.html).toContain("date invalide");
    expect(missing.html).toContain("à renseigner");
    expect(await database.db.select().from(userAbsences)).toEqual([]);
    const rows = await database.db.select().from(notificationPreferences).where(eq(notificationPreferences.userId, finance));
    expect(rows).toHaveLength(2);
  });

  it("needs the page's CSRF token", async () => {
    const session = await uiSession(app, "compta@asso.example");
    const res = await session.post("/mes-alertes/absence", { from: "2026-08-01", to: "2026-08-21" }, { csrf: "forged" });
    expect(res.status).toBe(403);
  });
});
