import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { and, count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { beneficiaries } from "../../src/db/schema/beneficiaries";
import { charges } from "../../src/db/schema/charges";
import { credits } from "../../src/db/schema/credits";
import { alerts } from "../../src/db/schema/jobs";
import { leases } from "../../src/db/schema/leases";
import { measures } from "../../src/db/schema/measures";
import { checkUnpaidRent } from "../../src/services/alerts/check-unpaid-rent";
import { queueDashboard } from "../../workers/dashboard";
import { createTestApp, type TestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { TEST_REDIS_URL } from "../support/env";
import { deleteQueueKeys } from "../support/queues";
import { STAFF_PASSWORD, staffUser, uiSession } from "../support/ui";

const TODAY = "2026-03-06";
const IBAN = "FR7630006000011234567890189";
const LANDLORD_IBAN = "FR1420041010050500013M02606";

type Session = Awaited<ReturnType<typeof uiSession>>;

/**
 * The web UI's pages through HTTP (no browser): the forms that create a beneficiary,
 * a measure, a lease and a charge; French refusals that write nothing; the caseload
 * enforced on every page; CSRF on every form; the queue dashboard for admins.
 */
describe("web UI pages", () => {
  let database: TestDatabase;
  let app: TestApp;
  let queue: Queue;
  let finance: Session;
  let admin: Session;
  let camille: Session;
  let louis: Session;
  const ids: Record<string, string> = {};
  const queuePrefix = `test-ui-pages-${randomBytes(4).toString("hex")}`;

  const rows = async (table: typeof beneficiaries | typeof measures | typeof leases | typeof charges | typeof credits) =>
    (await database.db.select({ n: count() }).from(table))[0]!.n;
  const idFrom = (location: string | null) => /\/beneficiaires\/([0-9a-f-]{36})/.exec(location ?? "")?.[1] ?? "";

  /** The whole path a caseworker or finance officer takes for a new person, through the forms. */
  async function enrol(session: Session, name: { first: string; last: string }, caseworkerId?: string) {
    const created = await session.post("/beneficiaires/nouveau", {
      firstName: name.first,
      lastName: name.last,
      birthDate: "02/04/1979",
      cafNumber: "1234567",
      iban: "FR76 3000 6000 0112 3456 7890 189",
      ...(caseworkerId ? { caseworkerId } : {}),
    });
    expect(created.status, created.html).toBe(302);
    const id = idFrom(created.location);
    const measure = await session.post(`/beneficiaires/${id}/mesure/nouvelle`, {
      level: "MASP2",
      startDate: "2026-01-01",
      endDate: "2026-12-31",
      managedPrestations: ["RSA", "ALS"],
    });
    expect(measure.status, measure.html).toBe(302);
    const lease = await session.post(`/beneficiaires/${id}/bail`, {
      "landlord.name": "OPH Laval Habitat",
      "landlord.iban": LANDLORD_IBAN,
      rent: "450",
      charges: "50,00",
      housingBenefitToLandlord: "",
      dueDay: "5",
      startDate: "2026-01-01",
    });
    expect(lease.status, lease.html).toBe(302);
    return id;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    queue = new Queue("rent-payments", { connection: { url: TEST_REDIS_URL }, prefix: queuePrefix });
    app = createTestApp(database.db, { today: () => TODAY, queueDashboard: queueDashboard([queue]) as never });
    const camilleId = await staffUser(database.db, "camille@asso.example", "caseworker", "Camille Martin");
    const louisId = await staffUser(database.db, "louis@asso.example", "caseworker", "Louis Bernard");
    await staffUser(database.db, "finance@asso.example", "finance", "Fanny Finance");
    await staffUser(database.db, "admin@asso.example", "admin", "Alice Admin");
    finance = await uiSession(app, "finance@asso.example");
    admin = await uiSession(app, "admin@asso.example");
    camille = await uiSession(app, "camille@asso.example");
    louis = await uiSession(app, "louis@asso.example");
    ids.camille = camilleId;
    ids.louis = louisId;
    ids.marie = await enrol(finance, { first: "Marie", last: "Durand" }, camilleId);
    ids.paul = await enrol(finance, { first: "Paul", last: "Lefèvre" }, louisId);
  });

  afterAll(async () => {
    await queue?.close();
    await deleteQueueKeys(queuePrefix);
    await database?.dispose();
  });

  it("creates a beneficiary, a MASP 2, a lease and a charge through the forms, and the fiche shows them", async () => {
    const charge = await finance.post(`/beneficiaires/${ids.marie}/charges/nouvelle`, {
      label: "Électricité",
      category: "energy",
      amount: "60",
      frequency: "monthly",
      dueDay: "15",
      "creditor.name": "EDF",
      "creditor.iban": LANDLORD_IBAN,
      priority: "1",
      startDate: "2026-01-01",
    });
    expect(charge.status, charge.html).toBe(302);
    const fiche = await finance.get(`/beneficiaires/${ids.marie}?fait=charge`);
    expect(fiche.status).toBe(200);
    for (const text of [
      "Marie Durand",
      "02/04/1979",
      "FR76 3000 6000 0112 3456 7890 189",
      "MASP 2",
      "du 01/01/2026 au 31/12/2026",
      "RSA, ALS",
      "OPH Laval Habitat",
      "450,00\u00a0€ + 50,00\u00a0€",
      "Électricité",
      "60,00\u00a0€",
      "Charge ajoutée au budget.",
    ]) {
      expect(fiche.html).toContain(text);
    }
    const [row] = await database.db.select().from(beneficiaries).where(eq(beneficiaries.id, ids.marie!));
    expect(row).toMatchObject({ caseworkerId: ids.camille, iban: IBAN, cafNumber: "1234567" });
    // The lease form now edits the lease it shows.
    const edit = await finance.get(`/beneficiaires/${ids.marie}/bail`);
    expect(edit.html).toContain('value="450,00"');
    expect(edit.html).toContain("Modifier le bail");
  });

  it("answers a refused form in French, marks the fields, and writes nothing", async () => {
    const before = await Promise.all([rows(beneficiaries), rows(measures), rows(leases), rows(charges)]);

    const minor = await finance.post("/beneficiaires/nouveau", {
      firstName: "Léa",
      lastName: "Petit",
      birthDate: "2010-05-01",
      iban: "FR76 3000 6000 0112 3456 7890 188",
    });
    expect(minor.status).toBe(422);
    expect(minor.html).toContain("IBAN invalide");
    expect(minor.html).toMatch(/id="f-iban"[^>]*aria-invalid="true"/);
    const minorOnly = await finance.post("/beneficiaires/nouveau", { firstName: "Léa", lastName: "Petit", birthDate: "2010-05-01" });
    expect(minorOnly.status).toBe(422);
    expect(minorOnly.html).toContain("la personne doit être majeure");
    expect(minorOnly.html).toContain('href="#f-birthDate"');
    expect(minorOnly.html).toContain('value="Léa"'); // what was typed stays typed

    const short = await finance.post(`/beneficiaires/${ids.marie}/mesure/nouvelle`, { level: "MASP2", startDate: "2027-01-01", endDate: "2027-03-31" });
    expect(short.status).toBe(422);
    expect(short.html).toContain("au moins 6 mois");
    expect(short.html).toContain("cochez au moins une prestation");
    const overlap = await finance.post(`/beneficiaires/${ids.marie}/mesure/nouvelle`, {
      level: "MASP2",
      startDate: "2026-06-01",
      endDate: "2026-12-31",
      managedPrestations: ["RSA"],
    });
    expect(overlap.status).toBe(422);
    expect(overlap.html).toContain("couvre déjà ces dates");

    const lease = await finance.post(`/beneficiaires/${ids.marie}/bail`, {
      "landlord.name": "OPH",
      "landlord.iban": LANDLORD_IBAN,
      rent: "12,345",
      dueDay: "31",
      startDate: "2026-01-01",
    });
    expect(lease.status).toBe(422);
    expect(lease.html).toContain("deux décimales au plus");
    expect(lease.html).toContain("nombre entier de 1 à 28");
    const apl = await finance.post(`/beneficiaires/${ids.marie}/bail`, {
      "landlord.name": "OPH",
      "landlord.iban": LANDLORD_IBAN,
      rent: "100",
      housingBenefitToLandlord: "200",
      dueDay: "5",
      startDate: "2026-01-01",
    });
    expect(apl.status).toBe(422);
    expect(apl.html).toContain("APL versée au bailleur dépasse le loyer et les charges");

    const charge = await finance.post(`/beneficiaires/${ids.marie}/charges/nouvelle`, {
      label: "",
      category: "energy",
      amount: "0",
      frequency: "yearly",
      dueDay: "15",
      "creditor.name": "EDF",
      "creditor.iban": LANDLORD_IBAN,
      priority: "1",
    });
    expect(charge.status).toBe(422);
    expect(charge.html).toContain("supérieur à zéro");
    expect(charge.html).toMatch(/Libellé<\/a> : à renseigner/);

    expect(await Promise.all([rows(beneficiaries), rows(measures), rows(leases), rows(charges)])).toEqual(before);
  });

  it("reports every bad field of a form in one answer, read through the service's schema", async () => {
    const before = await Promise.all([rows(beneficiaries), rows(leases)]);
    // A minor with a wrong IBAN: both said at once, not one after the other.
    const both = await finance.post("/beneficiaires/nouveau", {
      firstName: "Léa",
      lastName: "",
      birthDate: "01/05/2010",
      cafNumber: "12a",
      iban: "FR76 3000 6000 0112 3456 7890 188",
    });
    expect(both.status).toBe(422);
    const summary = both.html.slice(both.html.indexOf('id="erreurs"'), both.html.indexOf("</ul>"));
    expect(summary).toMatch(/Nom<\/a> : à renseigner/);
    expect(summary).toMatch(/Date de naissance<\/a> : la personne doit être majeure/);
    expect(summary).toMatch(/N° allocataire CAF<\/a> : chiffres uniquement, 13 au plus/);
    expect(summary).toMatch(/IBAN du bénéficiaire[^<]*<\/a> : IBAN invalide/);
    for (const id of ["f-lastName", "f-birthDate", "f-cafNumber", "f-iban"]) expect(both.html).toMatch(new RegExp(`id="${id}"[^>]*aria-invalid="true"`));
    expect(both.html).toContain('value="01/05/2010"'); // what was typed stays typed
    // French formats are read (a date typed by hand, an amount with a thousands space, an IBAN in groups); every bad one is named.
    const lease = await finance.post(`/beneficiaires/${ids.marie}/bail`, {
      "landlord.name": "OPH",
      "landlord.iban": "FR14 2004 1010 0505 0001 3M02 607",
      rent: "1 234,56",
      charges: "12,3,4",
      dueDay: "29",
      startDate: "31/02/2026",
    });
    expect(lease.status).toBe(422);
    expect(lease.html).toMatch(/IBAN du bailleur<\/a> : IBAN invalide/);
    expect(lease.html).toMatch(/Charges locatives \(€\)<\/a> : montant en euros/);
    expect(lease.html).toMatch(/Jour d&#39;échéance<\/a> : nombre entier de 1 à 28/);
    expect(lease.html).toMatch(/Date d&#39;entrée dans le logement<\/a> : date invalide/);
    expect(lease.html).not.toMatch(/Loyer \(€\)<\/a>/);
    expect(await Promise.all([rows(beneficiaries), rows(leases)])).toEqual(before);
    // The same formats, all valid, pass the schema and reach the service.
    const adult = await finance.post("/beneficiaires/nouveau", {
      firstName: "Léa",
      lastName: "Petit",
      birthDate: "01/05/1990",
      cafNumber: "12 34 567",
      iban: "fr76 3000 6000 0112 3456 7890 189",
    });
    expect(adult.status, adult.html).toBe(302);
    const [lea] = await database.db
      .select()
      .from(beneficiaries)
      .where(eq(beneficiaries.id, idFrom(adult.location)));
    expect(lea).toMatchObject({ birthDate: "1990-05-01", cafNumber: "1234567", iban: IBAN });
  });

  it("previews a credit, then records it once however often the confirmation is sent", async () => {
    const filtered = await finance.get("/versements/nouveau?q=lef");
    expect(filtered.html).toContain("Lefèvre Paul");
    expect(filtered.html).not.toContain("Durand Marie");
    const fromFiche = await finance.get(`/versements/nouveau?q=lef&beneficiaire=${ids.marie}`);
    expect(fromFiche.html).toMatch(new RegExp(`<input type="radio" name="beneficiaryId" value="${ids.marie}" checked=""/> Durand Marie`));
    const preview = await finance.post("/versements/apercu", {
      beneficiaryId: ids.marie!,
      payer: "CAF",
      prestation: "rsa",
      amount: "607,75",
      valueDate: "2026-03-03",
      reference: "",
    });
    expect(preview.status, preview.html).toBe(200);
    expect(preview.html).toContain("Répartition proposée");
    // Nothing paid since January: the whole credit goes to the rent arrears, first.
    expect(preview.html).toContain('<tbody><tr><td>Loyer</td><td class="num">607,75\u00a0€</td></tr></tbody>');
    expect(await rows(credits)).toBe(0);
    const confirm = preview.html.slice(preview.html.indexOf('action="/versements"'));
    const hidden = Object.fromEntries(
      [...confirm.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]).filter(([k]) => k !== "_csrf"),
    );
    expect(hidden.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    const sent = await Promise.all([finance.post("/versements", hidden), finance.post("/versements", hidden)]);
    expect(sent.map((s) => s.status)).toEqual([302, 302]);
    expect(await rows(credits)).toBe(1);
    const refused = await finance.post("/versements/apercu", {
      beneficiaryId: ids.marie!,
      payer: "Employeur",
      prestation: "SALAIRE",
      amount: "1200",
      valueDate: "2026-03-03",
    });
    expect(refused.status).toBe(422);
    expect(refused.html).toContain("pas une prestation sociale");
  });

  it("shows a caseworker only their caseload, on every page and every form", async () => {
    await checkUnpaidRent({ db: database.db, asOf: TODAY });
    const list = await camille.get("/beneficiaires");
    expect(list.html).toContain("Durand");
    expect(list.html).not.toContain("Lefèvre");
    expect((await camille.get(`/beneficiaires/${ids.paul}`)).status).toBe(404);
    expect((await camille.get(`/beneficiaires/${ids.paul}/bail`)).status).toBe(404);
    expect((await camille.get(`/beneficiaires/${ids.paul}/mesure/nouvelle`)).status).toBe(404);
    const leasesBefore = await rows(leases);
    const sneaky = await camille.post(`/beneficiaires/${ids.paul}/bail`, {
      "landlord.name": "X",
      "landlord.iban": LANDLORD_IBAN,
      rent: "1",
      dueDay: "5",
      startDate: "2026-02-01",
    });
    expect(sneaky.status).toBe(404);
    expect(await rows(leases)).toBe(leasesBefore);

    // Paul has paid nothing since January and no prestation ever came: an unpaid-rent alert
    // and a no-credit one (no MASP 3 trigger before the first prestation, rule 11), in Louis's inbox only, naming him.
    const [paulAlert] = await database.db
      .select()
      .from(alerts)
      .where(and(eq(alerts.beneficiaryId, ids.paul!), eq(alerts.type, "unpaid_rent")));
    expect(paulAlert?.status).toBe("open");
    const louisInbox = (await louis.get("/alertes")).html;
    expect(louisInbox).toContain("Aucune prestation reçue — Paul L.");
    expect(louisInbox).toContain("Impayé de loyer — Paul L.");
    const camilleInbox = await camille.get("/alertes");
    expect(camilleInbox.html).not.toContain(ids.paul);
    const closed = await camille.post(`/alertes/${paulAlert!.id}/cloture`, { comment: "pas le mien" });
    expect(closed.status).toBe(404);
    expect(closed.html).toContain("ne fait pas partie de vos accompagnements");
    expect((await database.db.select().from(alerts).where(eq(alerts.id, paulAlert!.id)))[0]!.status).toBe("open");
    expect((await camille.post("/alertes/pas-un-id/cloture", { comment: "x" })).status).toBe(404);

    // The dashboard's figures and alerts are the caseload's too.
    const measuresCard = (html: string) => /<div class="n">(\d+)<\/div><div class="l"><a href="\/beneficiaires">mesures MASP 2 en cours/.exec(html)?.[1];
    expect(measuresCard((await camille.get("/")).html)).toBe("1");
    expect(measuresCard((await finance.get("/")).html)).toBe("2");
    expect((await camille.get("/")).html).not.toContain(ids.paul);
    expect((await louis.get("/")).html).toContain(`/beneficiaires/${ids.paul}`);

    for (const path of ["/paiements", "/versements/nouveau", "/traitements"]) expect((await camille.get(path)).status, path).toBe(403);
    expect(
      (await camille.post("/versements/apercu", { beneficiaryId: ids.marie!, payer: "CAF", prestation: "RSA", amount: "1", valueDate: TODAY })).status,
    ).toBe(403);

    // A caseworker who enrols someone takes them into their own caseload, whatever the form says.
    const own = await camille.post("/beneficiaires/nouveau", { firstName: "Nina", lastName: "Roux", birthDate: "1990-01-01", caseworkerId: ids.louis! });
    expect(own.status).toBe(302);
    const [nina] = await database.db
      .select()
      .from(beneficiaries)
      .where(eq(beneficiaries.id, idFrom(own.location)));
    expect(nina?.caseworkerId).toBe(ids.camille);
  });

  it("refuses a form without its CSRF token and keeps the session when logout is forged", async () => {
    const before = await rows(beneficiaries);
    const forged = await finance.post("/beneficiaires/nouveau", { firstName: "Eve", lastName: "Forge", birthDate: "1980-01-01" }, { csrf: "not-the-token" });
    expect(forged.status).toBe(403);
    expect(await rows(beneficiaries)).toBe(before);
    expect((await finance.post("/deconnexion", {}, { csrf: "" })).status).toBe(403);
    expect((await finance.get("/beneficiaires")).status).toBe(200);
    expect((await app.request("/beneficiaires")).headers.get("location")).toBe("/connexion");
    // Login has no token yet: a login form posted from another site is refused by its origin.
    const body = new URLSearchParams({ email: "finance@asso.example", password: STAFF_PASSWORD });
    const crossSite = await app.request("/connexion", { method: "POST", body, headers: { origin: "https://evil.example", host: "masp.asso.example" } });
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers.get("set-cookie")).toBeNull();
    expect((await app.request("/connexion", { method: "POST", body, headers: { "sec-fetch-site": "same-origin" } })).status).toBe(302);
  });

  it("opens the queue dashboard to an admin's browser session, and only to it", async () => {
    const page = await app.request("/admin/queues", { headers: { cookie: admin.cookie, accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root"');
    const api = await app.request("/admin/queues/api/queues?activeQueue=rent-payments&page=1", { headers: { cookie: admin.cookie } });
    expect(api.status).toBe(200);
    expect(JSON.stringify(await api.json())).toContain("rent-payments");
    expect((await app.request("/admin/queues", { headers: { cookie: finance.cookie } })).status).toBe(403);
    expect((await app.request("/admin/queues", { headers: { accept: "text/html" } })).headers.get("location")).toBe("/connexion");
    expect((await app.request("/admin/queues/api/queues")).status).toBe(401);
    // A change from another site is refused; from the dashboard's own page it passes authentication.
    const cross = await app.request("/admin/queues/api/queues/rent-payments/retry/failed", {
      method: "PUT",
      headers: { cookie: admin.cookie, "sec-fetch-site": "cross-site" },
    });
    expect(cross.status).toBe(403);
    const same = await app.request("/admin/queues/api/queues/rent-payments/retry/failed", {
      method: "PUT",
      headers: { cookie: admin.cookie, "sec-fetch-site": "same-origin" },
    });
    expect([200, 204]).toContain(same.status);
  });
  it("four eyes in the forms: a new landlord IBAN is proposed, listed masked, refused to its proposer, approved by someone else", async () => {
    const id = await enrol(finance, { first: "Lucie", last: "Moreau" }, ids.camille);
    const moved = await finance.post(`/beneficiaires/${id}/bail`, {
      "landlord.name": "Foncia",
      "landlord.iban": IBAN,
      rent: "520",
      charges: "30",
      dueDay: "10",
      startDate: "2026-09-01",
    });
    expect(moved.status, moved.html).toBe(302);
    expect(moved.location).toBe(`/beneficiaires/${id}?fait=proposition`);
    expect((await finance.get(moved.location!)).html).toContain("Proposition envoyée pour validation");
    expect((await database.db.select().from(leases).where(eq(leases.beneficiaryId, id))).map((l) => l.landlordIban)).toEqual([LANDLORD_IBAN]);

    const list = await finance.get("/propositions");
    expect(list.status).toBe(200);
    expect(list.html).toContain("Bail avec un autre IBAN de bailleur");
    expect(list.html).toContain("FR14 **** **** **** **** ***2 606 → FR76 **** **** **** **** ***0 189");
    expect(list.html).not.toContain(IBAN);
    expect(list.html).toContain("Vous avez fait cette proposition");
    const proposalId = /\/propositions\/([0-9a-f-]{36})\/approbation/.exec((await admin.get("/propositions")).html)?.[1] ?? "";
    expect(proposalId).not.toBe("");
    // The proposer's own approval is refused even when sent by hand; a caseworker may not decide.
    expect((await finance.post(`/propositions/${proposalId}/approbation`, { comment: "" })).status).toBe(403);
    expect((await camille.post(`/propositions/${proposalId}/approbation`, { comment: "" })).status).toBe(403);
    const approved = await admin.post(`/propositions/${proposalId}/approbation`, { comment: "RIB reçu du bailleur" });
    expect(approved.status, approved.html).toBe(302);
    expect(approved.location).toBe("/propositions?fait=approuvee");
    const landlords = (await database.db.select().from(leases).where(eq(leases.beneficiaryId, id))).map((l) => l.landlordIban).sort();
    expect(landlords).toEqual([IBAN, LANDLORD_IBAN].sort());
    const again = await admin.post(`/propositions/${proposalId}/rejet`, { comment: "" });
    expect(again.status).toBe(409);
    expect(again.html).toContain("déjà été décidée");
  });

  it("reste à vivre (rule 6 of issue 15): set on the measure form, shown on the fiche and in the credit preview", async () => {
    const created = await finance.post("/beneficiaires/nouveau", { firstName: "Jeanne", lastName: "Martin", birthDate: "02/04/1979", cafNumber: "7654321" });
    expect(created.status, created.html).toBe(302);
    const id = idFrom(created.location);
    const form = await finance.get(`/beneficiaires/${id}/mesure/nouvelle`);
    expect(form.html).toContain("Reste à vivre par mois (€)");
    const measure = await finance.post(`/beneficiaires/${id}/mesure/nouvelle`, {
      level: "MASP2",
      startDate: "2026-01-01",
      endDate: "2026-12-31",
      managedPrestations: ["RSA"],
      livingMonthly: "150,00",
    });
    expect(measure.status, measure.html).toBe(302);
    const lease = await finance.post(`/beneficiaires/${id}/bail`, {
      "landlord.name": "OPH Laval Habitat",
      "landlord.iban": LANDLORD_IBAN,
      rent: "450",
      charges: "50,00",
      dueDay: "5",
      startDate: "2026-03-01",
    });
    expect(lease.status, lease.html).toBe(302);
    expect((await finance.get(`/beneficiaires/${id}`)).html).toContain("150,00\u00a0€ par mois");
    const preview = await finance.post("/versements/apercu", { beneficiaryId: id, payer: "CAF", prestation: "RSA", amount: "800,00", valueDate: "2026-03-03" });
    expect(preview.status, preview.html).toBe(200);
    expect(preview.html).toContain('<tr><td>Loyer</td><td class="num">500,00\u00a0€</td></tr>');
    expect(preview.html).toContain('<tr><td>Reste à vivre</td><td class="num">150,00\u00a0€</td></tr>');
    expect(preview.html).toContain('<tr><td>Disponible</td><td class="num">150,00\u00a0€</td></tr>');
  });
});
