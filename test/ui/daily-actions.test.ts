import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { beneficiaries } from "../../src/db/schema/beneficiaries";
import { charges } from "../../src/db/schema/charges";
import { alerts } from "../../src/db/schema/jobs";
import { describeInFrench } from "../../src/http/ui/pages/ledger";
import { runPayments } from "../../src/services/payments/run-payments";
import { apiCaller, bearer, createTestApp, type Headers, type TestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { staffUser, uiSession } from "../support/ui";

/**
 * The daily actions of issue 16 through the French UI, without a browser: edit a
 * beneficiary and a charge (an IBAN change is a proposal), the reversement plan, reverse
 * a credit and record an indu (proposals, approved by someone else), a closed alert's
 * comment, author and date, the ledger beyond its last 20 entries, the search "zoe".
 */
const TODAY = "2026-03-06";
const IBAN = "FR7630006000011234567890189";
const NEW_IBAN = "FR1420041010050500013M02606";
const CREDITOR_IBAN = "FR7610107001011234567890129";

describe("daily actions in the UI", () => {
  let database: TestDatabase;
  let app: TestApp;
  let admin: Headers;
  let beneficiaryId = "";
  let chargeId = "";
  let otherId = "";
  const call = apiCaller(
    () => app,
    () => admin,
  );
  const pending = async () => (await call("GET", `/v1/proposals?status=pending&beneficiaryId=${beneficiaryId}`)).body.items as { id: string; kind: string }[];
  const approveAll = async () => {
    for (const p of await pending()) {
      const res = await call("POST", `/v1/proposals/${p.id}/approval`, { comment: "vu" });
      expect(res.status, res.text).toBeLessThan(300);
    }
  };
  const credit = async (amount: number, valueDate: string, reference: string) => {
    const res = await call(
      "POST",
      "/v1/credits",
      { beneficiaryId, payer: "CAF", prestation: "RSA", amount, valueDate, reference },
      { ...admin, "Idempotency-Key": randomUUID() },
    );
    expect(res.status, res.text).toBe(201);
    return res.body.transactionId as string;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    app = createTestApp(database.db, { today: () => TODAY });
    admin = await bearer(database.db, "admin");
    await staffUser(database.db, "compta@asso.example", "finance", "Dominique Compta");
    const caseworker = await staffUser(database.db, "ts@asso.example", "caseworker", "Théo Social");
    await staffUser(database.db, "cadre@asso.example", "manager", "Claude Cadre");
    const b = await call("POST", "/v1/beneficiaries", { firstName: "Zoé", lastName: "Moreau", birthDate: "1984-02-11", iban: IBAN, caseworkerId: caseworker });
    beneficiaryId = b.body.id;
    otherId = (await call("POST", "/v1/beneficiaries", { firstName: "Hélène", lastName: "Lefèvre", birthDate: "1970-07-07" })).body.id;
    await call("POST", `/v1/beneficiaries/${beneficiaryId}/measures`, {
      level: "MASP2",
      startDate: "2026-01-01",
      endDate: "2026-12-31",
      managedPrestations: ["RSA"],
    });
    // An indu is paid back to the payer by transfer: the payer needs an IBAN.
    expect((await call("PUT", `/v1/payers/${encodeURIComponent("CAF/MSA")}`, { name: "CAF de la Mayenne", iban: CREDITOR_IBAN })).status).toBe(200);
    const lease = { landlord: { name: "OPH Laval", iban: NEW_IBAN }, rent: 40000, charges: 0, housingBenefitToLandlord: 0, dueDay: 5, startDate: "2026-01-01" };
    expect((await call("PUT", `/v1/beneficiaries/${beneficiaryId}/lease`, lease)).status).toBe(200);
    const charge = await call("POST", `/v1/beneficiaries/${beneficiaryId}/charges`, {
      label: "EDF",
      category: "energy",
      amount: 6000,
      dueDay: 15,
      priority: 1,
      creditor: { name: "EDF", iban: CREDITOR_IBAN },
      startDate: "2026-01-01",
    });
    chargeId = charge.body.id;
    await credit(61234, "2026-01-03", "CAF RSA 12/2025 1234567");
    await runPayments({ db: database.db, kind: "rent", asOf: "2026-01-05", actor: "test" });
    for (let i = 1; i <= 21; i++) await credit(100 * i, "2026-02-02", `CAF-${i}`);
  });
  afterAll(() => database?.dispose());

  it("the search ignores accents: zoe finds Zoé, lefevre finds Lefèvre", async () => {
    const session = await uiSession(app, "compta@asso.example");
    const zoe = await session.get("/beneficiaires?q=zoe");
    expect(zoe.html.replaceAll("&#39;", "'")).toContain(`/beneficiaires/${beneficiaryId}`);
    expect(zoe.html.replaceAll("&#39;", "'")).not.toContain(`/beneficiaires/${otherId}`);
    const lefevre = await session.get("/beneficiaires?q=lefevre");
    expect(lefevre.html.replaceAll("&#39;", "'")).toContain(`/beneficiaires/${otherId}`);
  });

  it("the fiche shows 20 entries with their reference and a link to older ones; the ledger pages show the rest, periods in French", async () => {
    const session = await uiSession(app, "compta@asso.example");
    const fiche = await session.get(`/beneficiaires/${beneficiaryId}`);
    expect(fiche.html.replaceAll("&#39;", "'")).toContain("CAF-21");
    expect(fiche.html.replaceAll("&#39;", "'")).not.toContain("CAF RSA 12/2025 1234567");
    const older = fiche.html.match(/href="(\/beneficiaires\/[^"]+\/grand-livre\?apres=[^"]+)">Entrées plus anciennes/)?.[1];
    expect(older).toBeDefined();
    const page = await session.get(older!);
    expect(page.status).toBe(200);
    expect(page.html.replaceAll("&#39;", "'")).toContain("CAF RSA 12/2025 1234567");
    expect(page.html.replaceAll("&#39;", "'")).toContain("Loyer janvier 2026");
    expect(page.html.replaceAll("&#39;", "'")).not.toContain("CAF-21<");
    const first = await session.get(`/beneficiaires/${beneficiaryId}/grand-livre`);
    expect(first.html.replaceAll("&#39;", "'")).toContain("CAF-21");
    const bad = await session.get(`/beneficiaires/${beneficiaryId}/grand-livre?apres=nimportequoi`);
    expect(bad.status).toBe(422);
    expect(bad.html.replaceAll("&#39;", "'")).toContain("Cette page du grand livre n'existe pas");
  });

  it("periods and dates of descriptions are written in French", () => {
    expect(describeInFrench("Loyer 2026-01")).toBe("Loyer janvier 2026");
    expect(describeInFrench("Reversement 2026-03-10")).toBe("Reversement 10/03/2026");
    expect(describeInFrench("Ordre de paiement rent 2026-02 : sent")).toBe("Ordre de paiement Loyer février 2026 : émis");
    expect(describeInFrench("CAF RSA")).toBe("CAF RSA");
  });

  it("edits the identity at once; a new IBAN makes the whole change a proposal, applied when someone else approves", async () => {
    const session = await uiSession(app, "compta@asso.example");
    const form = await session.get(`/beneficiaires/${beneficiaryId}/modifier`);
    expect(form.status).toBe(200);
    expect(form.html.replaceAll("&#39;", "'")).toContain("Un changement d'IBAN est une proposition");
    expect(form.html.replaceAll("&#39;", "'")).toContain('value="Moreau"');
    const base = {
      lastName: "Moreau-Petit",
      firstName: "Zoé",
      birthDate: "1984-02-11",
      cafNumber: "1234567",
      msaNumber: "",
      iban: "FR76 3000 6000 0112 3456 7890 189",
      "address.street": "3 rue des Lilas",
      "address.postalCode": "53000",
      "address.town": "Laval",
      "address.country": "FR",
    };
    const saved = await session.post(`/beneficiaires/${beneficiaryId}/modifier`, base);
    expect(saved.location).toBe(`/beneficiaires/${beneficiaryId}?fait=modification`);
    const [row] = await database.db.select().from(beneficiaries).where(eq(beneficiaries.id, beneficiaryId));
    expect(row).toMatchObject({
      lastName: "Moreau-Petit",
      cafNumber: "1234567",
      address: { street: "3 rue des Lilas", postalCode: "53000", town: "Laval", country: "FR" },
    });
    const fiche = await session.get(`/beneficiaires/${beneficiaryId}`);
    expect(fiche.html.replaceAll("&#39;", "'")).toContain("3 rue des Lilas, 53000 Laval, FR");

    const refused = await session.post(`/beneficiaires/${beneficiaryId}/modifier`, { ...base, birthDate: "2015-01-01", iban: "FR76 1111" });
    expect(refused.status).toBe(422);
    expect(refused.html.replaceAll("&#39;", "'")).toContain("la personne doit être majeure");
    expect(refused.html.replaceAll("&#39;", "'")).toContain("IBAN invalide");

    const proposed = await session.post(`/beneficiaires/${beneficiaryId}/modifier`, { ...base, lastName: "Moreau", iban: NEW_IBAN });
    expect(proposed.location).toBe(`/beneficiaires/${beneficiaryId}?fait=proposition`);
    const [waiting] = await database.db.select().from(beneficiaries).where(eq(beneficiaries.id, beneficiaryId));
    expect(waiting).toMatchObject({ lastName: "Moreau-Petit", iban: IBAN });
    await approveAll();
    const [applied] = await database.db.select().from(beneficiaries).where(eq(beneficiaries.id, beneficiaryId));
    expect(applied).toMatchObject({ lastName: "Moreau", iban: NEW_IBAN });
  });

  it("edits a charge; a new creditor IBAN is a proposal", async () => {
    const session = await uiSession(app, "ts@asso.example");
    const fiche = await session.get(`/beneficiaires/${beneficiaryId}`);
    expect(fiche.html.replaceAll("&#39;", "'")).toContain(`/beneficiaires/${beneficiaryId}/charges/${chargeId}/modifier`);
    const form = await session.get(`/beneficiaires/${beneficiaryId}/charges/${chargeId}/modifier`);
    expect(form.status).toBe(200);
    expect(form.html.replaceAll("&#39;", "'")).toContain('value="60,00"');
    expect(form.html.replaceAll("&#39;", "'")).toContain("Un changement d'IBAN du créancier est une proposition");
    const base = {
      label: "EDF",
      amount: "65,50",
      dueDay: "12",
      priority: "2",
      "creditor.name": "EDF",
      "creditor.iban": CREDITOR_IBAN,
      "creditor.address.country": "FR",
    };
    const saved = await session.post(`/beneficiaires/${beneficiaryId}/charges/${chargeId}/modifier`, base);
    expect(saved.location).toBe(`/beneficiaires/${beneficiaryId}?fait=charge-modifiee#budget`);
    const [row] = await database.db.select().from(charges).where(eq(charges.id, chargeId));
    expect(row).toMatchObject({ amount: 6550n, dueDay: 12, priority: 2 });
    const proposed = await session.post(`/beneficiaires/${beneficiaryId}/charges/${chargeId}/modifier`, { ...base, "creditor.iban": NEW_IBAN });
    expect(proposed.location).toBe(`/beneficiaires/${beneficiaryId}?fait=proposition#budget`);
    expect((await database.db.select().from(charges).where(eq(charges.id, chargeId)))[0]!.creditorIban).toBe(CREDITOR_IBAN);
    expect((await pending()).map((p) => p.kind)).toContain("charge.update");
    const unknown = await session.get(`/beneficiaires/${beneficiaryId}/charges/${randomUUID()}/modifier`);
    expect(unknown.status).toBe(404);
  });

  it("views and edits the reversement plan, with the IBAN it pays", async () => {
    const session = await uiSession(app, "compta@asso.example");
    const fiche = await session.get(`/beneficiaires/${beneficiaryId}`);
    expect(fiche.html.replaceAll("&#39;", "'")).toContain("chaque mois le 10 : tout le disponible, virement (plan par défaut)");
    const form = await session.get(`/beneficiaires/${beneficiaryId}/reversements`);
    expect(form.status).toBe(200);
    expect(form.html.replaceAll("&#39;", "'")).toContain("changer l'IBAN");
    const refused = await session.post(`/beneficiaires/${beneficiaryId}/reversements`, {
      frequency: "weekly",
      weekday: "",
      day: "10",
      mode: "fixed",
      amount: "",
      buffer: "0",
      method: "transfer",
    });
    expect(refused.status).toBe(422);
    expect(refused.html.replaceAll("&#39;", "'")).toContain("Jour de la semaine");
    const saved = await session.post(`/beneficiaires/${beneficiaryId}/reversements`, {
      frequency: "weekly",
      weekday: "5",
      day: "10",
      mode: "fixed",
      amount: "50,00",
      buffer: "20",
      method: "transfer",
    });
    expect(saved.location).toBe(`/beneficiaires/${beneficiaryId}?fait=reversements`);
    const after = await session.get(`/beneficiaires/${beneficiaryId}`);
    expect(after.html.replaceAll("&#39;", "'")).toContain("chaque vendredi : 50,00\u00a0€, moins 20,00\u00a0€ de réserve, virement");
    expect((await call("GET", `/v1/beneficiaries/${beneficiaryId}/reversement-plan`)).body).toMatchObject({
      frequency: "weekly",
      weekday: 5,
      amount: 5000,
      buffer: 2000,
    });
  });

  it("reverses a credit from its ledger entry: a proposal, applied by someone else", async () => {
    const session = await uiSession(app, "compta@asso.example");
    const fiche = await session.get(`/beneficiaires/${beneficiaryId}`);
    const link = fiche.html.match(/href="(\/beneficiaires\/[^"]+\/grand-livre\/([^/"]+)\/annulation)"/);
    expect(link).not.toBeNull();
    const form = await session.get(link![1]!);
    expect(form.status).toBe(200);
    expect(form.html.replaceAll("&#39;", "'")).toContain("C'est une proposition");
    const empty = await session.post(link![1]!, { reason: "" });
    expect(empty.status).toBe(422);
    expect(empty.html.replaceAll("&#39;", "'")).toContain("à renseigner");
    const proposed = await session.post(link![1]!, { reason: "saisi deux fois" });
    expect(proposed.location).toBe(`/beneficiaires/${beneficiaryId}?fait=proposition#grand-livre`);
    // While it waits for a second person, the entry offers no second reversal.
    const waiting = await session.get(`/beneficiaires/${beneficiaryId}`);
    expect(waiting.html).toContain("annulation proposée");
    expect(waiting.html).not.toContain(link![1]!);
    await approveAll();
    const after = await session.get(`/beneficiaires/${beneficiaryId}`);
    expect(after.html.replaceAll("&#39;", "'")).toContain("(annulé)");
    expect(after.html.replaceAll("&#39;", "'")).toContain("(annulation)");
    // Another beneficiary's entry under this fiche: not found, nothing proposed.
    const foreign = await session.get(`/beneficiaires/${otherId}/grand-livre/${link![2]}/annulation`);
    expect(foreign.status).toBe(404);
  });

  it("records an overpayment recovery: a proposal, applied by someone else; the same form again records nothing more", async () => {
    const session = await uiSession(app, "compta@asso.example");
    const form = await session.get(`/beneficiaires/${beneficiaryId}/indu`);
    expect(form.status).toBe(200);
    const key = form.html.match(/name="key" value="([^"]+)"/)?.[1] ?? "";
    const fields = { key, amount: "12,34", payer: "CAF", prestation: "RSA", valueDate: "06/03/2026", reference: "Notification 42" };
    const first = await session.post(`/beneficiaires/${beneficiaryId}/indu`, fields);
    expect(first.location).toBe(`/beneficiaires/${beneficiaryId}?fait=proposition`);
    const waiting = (await pending()).filter((p) => p.kind === "overpayment.recover");
    expect(waiting).toHaveLength(1);
    await approveAll();
    const after = await session.get(`/beneficiaires/${beneficiaryId}`);
    expect(after.html.replaceAll("&#39;", "'")).toContain("Indu CAF RSA");
    expect(after.html.replaceAll("&#39;", "'")).toContain("Notification 42");
    // The same form sent again (a reload) is the same recovery: answered at once, nothing new to approve.
    const again = await session.post(`/beneficiaires/${beneficiaryId}/indu`, fields);
    expect(again.location).toBe(`/beneficiaires/${beneficiaryId}?fait=indu`);
    expect((await pending()).filter((p) => p.kind === "overpayment.recover")).toHaveLength(0);
    expect(((await session.get(`/beneficiaires/${beneficiaryId}`)).html.match(/Indu CAF RSA/g) ?? []).length).toBe(1);
    const tooMuch = await session.post(`/beneficiaires/${beneficiaryId}/indu`, { ...fields, key: randomUUID(), amount: "99999,00" });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.html.replaceAll("&#39;", "'")).toContain("l'indu ne peut pas être repris");
  });

  it("a caseworker neither reverses nor records an indu", async () => {
    const session = await uiSession(app, "ts@asso.example");
    const fiche = await session.get(`/beneficiaires/${beneficiaryId}`);
    expect(fiche.html.replaceAll("&#39;", "'")).not.toContain("/annulation");
    expect(fiche.html.replaceAll("&#39;", "'")).not.toContain("/indu");
    expect((await session.get(`/beneficiaires/${beneficiaryId}/indu`)).status).toBe(403);
  });

  it("a closed alert shows its closing comment, author and date, on the fiche and on the closed alerts page", async () => {
    const id = uuidv7();
    await database.db.insert(alerts).values({ id, beneficiaryId, type: "unpaid_rent", audience: "caseworker", episode: "2026-02", periods: ["2026-02"] });
    const worker = await uiSession(app, "ts@asso.example");
    const closed = await worker.post(`/alertes/${id}/cloture`, { comment: "Le bailleur a reçu le virement le 3 mars." });
    expect(closed.location).toBe("/alertes?fait=1");
    const manager = await uiSession(app, "cadre@asso.example");
    const fiche = await manager.get(`/beneficiaires/${beneficiaryId}`);
    expect(fiche.html.replaceAll("&#39;", "'")).toContain("Le bailleur a reçu le virement le 3 mars.");
    expect(fiche.html.replaceAll("&#39;", "'")).toContain("par Théo Social");
    expect(fiche.html).toMatch(/Close le \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}/);
    const page = await manager.get("/alertes/closes");
    expect(page.status).toBe(200);
    expect(page.html.replaceAll("&#39;", "'")).toContain("Le bailleur a reçu le virement le 3 mars.");
    expect(page.html.replaceAll("&#39;", "'")).toContain("Zoé M.");
    const inbox = await manager.get("/alertes");
    expect(inbox.html.replaceAll("&#39;", "'")).toContain('href="/alertes/closes"');
  });
});
