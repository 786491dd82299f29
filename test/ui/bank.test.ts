import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runText } from "../../src/db/sql";
import { apiCaller, bearer, createTestApp, type Headers, type TestApp } from "../support/app";
import { camt053 } from "../support/bank-files";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { householdMaker } from "../support/household";
import { staffUser, uiSession } from "../support/ui";

/**
 * The Banque pages through HTTP (no browser): a generated camt.053 uploaded as a plain
 * multipart form (the page works without its script), the result and the statement's
 * lines with what each matched, the same file again, files refused in French with
 * nothing imported; the suspense list and its decisions as four-eyes proposals (a split
 * that does not add up refused, one that does proposed, approved by a manager, applied);
 * the matching rules read by all who see the bank and edited by an admin only.
 */
const TODAY = "2026-02-20";
const POOLED_IBAN = "FR7630001007941234567890185";

type Session = Awaited<ReturnType<typeof uiSession>>;

describe("Banque pages", () => {
  let database: TestDatabase;
  let app: TestApp;
  let admin: Headers;
  let finance: Session;
  let manager: Session;
  let adminUi: Session;
  let caseworker: Session;
  const call = apiCaller(
    () => app,
    () => admin,
  );
  const household = householdMaker((method, path, body, headers) => call(method, path, body, headers ?? admin), { managed: ["RSA", "AAH"] });
  let number = 8100000;
  async function allocataire() {
    const h = await household();
    const caf = String(++number);
    await runText(database.db, "update beneficiaries set caf_number = $1 where id = $2", [caf, h.id]);
    return { ...h, caf };
  }

  /** The form the Banque page posts: multipart, the CSRF token and the file. */
  async function upload(session: Session, content: string, name = "releve.xml") {
    const form = new FormData();
    form.set("_csrf", session.csrf);
    form.set("file", new Blob([content], { type: "application/xml" }), name);
    const res = await app.request("/banque/releves", { method: "POST", headers: { cookie: session.cookie }, body: form });
    return { status: res.status, html: text(await res.text()), location: res.headers.get("location") };
  }
  /** A page's text as read: the entities hono/jsx writes for quotes and ampersands decoded. */
  const text = (html: string) => html.replaceAll("&#39;", "'").replaceAll("&quot;", '"').replaceAll("&amp;", "&");
  const get = async (session: Session, path: string) => {
    const page = await session.get(path);
    return { ...page, html: text(page.html) };
  };
  const post = async (session: Session, path: string, fields: Record<string, string>) => {
    const page = await session.post(path, fields);
    return { ...page, html: text(page.html) };
  };

  const statementIdOf = (location: string | null) => /import=([0-9a-f-]{36})/.exec(location ?? "")?.[1] ?? "";

  beforeAll(async () => {
    database = await createTestDatabase();
    app = createTestApp(database.db, { today: () => TODAY });
    admin = await bearer(database.db, "admin");
    await runText(database.db, "update bank_accounts set iban = $1, name = 'Compte principal' where is_default", [POOLED_IBAN]);
    await staffUser(database.db, "compta@banque.example", "finance", "Dominique Compta");
    await staffUser(database.db, "cadre@banque.example", "manager", "Claude Cadre");
    await staffUser(database.db, "admin@banque.example", "admin", "Alice Admin");
    await staffUser(database.db, "ts@banque.example", "caseworker", "Camille Terrain");
    finance = await uiSession(app, "compta@banque.example");
    manager = await uiSession(app, "cadre@banque.example");
    adminUi = await uiSession(app, "admin@banque.example");
    caseworker = await uiSession(app, "ts@banque.example");
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("uploads a camt.053 as a form, shows what it did, and the lines with what each matched; the same file again adds nothing", async () => {
    const a = await allocataire();
    const xml = camt053({
      iban: POOLED_IBAN,
      from: "2026-02-05",
      to: "2026-02-05",
      opening: 0n,
      id: "UI-0205",
      entries: [
        { amount: 60000n, bookingDate: "2026-02-05", name: "CAF DE LA MAYENNE", remittance: `RSA 01/2026 ALLOCATAIRE ${a.caf}`, bankReference: "U1" },
        { amount: 120000n, bookingDate: "2026-02-05", name: "EMPLOYEUR SA", remittance: "SALAIRE JANVIER", bankReference: "U2" },
        { amount: -1250n, bookingDate: "2026-02-05", label: "PRELEVEMENT INCONNU", bankReference: "U3", transactionCode: "PMNT/RDDT/ESDD" },
      ],
    });
    const first = await upload(finance, xml);
    expect(first.status, first.html).toBe(302);
    expect(first.location).toMatch(/etat=nouveau/);
    const id = statementIdOf(first.location);
    const result = await get(finance, first.location!);
    expect(result.status).toBe(200);
    expect(result.html).toContain("Relevé importé : 1 relevé(s), 3 ligne(s), dont 1 rapprochée(s) et 2 en attente.");
    expect(result.html).toContain("cohérent");
    expect(result.html).toContain("1\u00a0787,50\u00a0€");

    const reconciled = await get(finance, "/banque?date=2026-02-05");
    expect(reconciled.html).toContain("Rapprochement de chaque compte au 05/02/2026");
    expect(reconciled.html).toMatch(/<td>Compte principal<\/td><td>05\/02\/2026<\/td>/);
    const before = await get(finance, "/banque?date=2026-02-04");
    expect(before.html).toContain("aucun à cette date");
    for (const junk of ["2026-02-31", "0000-01-01", "x%00"]) expect((await get(finance, `/banque?date=${junk}`)).status).toBe(200);

    const lines = await get(finance, `/banque/releves/${id}`);
    expect(lines.status).toBe(200);
    expect(lines.html).toContain(`href="/beneficiaires/${a.id}"`);
    expect(lines.html).toContain(a.lastName);
    expect(lines.html).toContain("Versement CAF RSA");
    expect(lines.html).toMatch(/réparti : Loyer/);
    expect(lines.html).toContain("Payeur non reconnu");
    expect(lines.html).toContain("-12,50\u00a0€");

    const again = await upload(finance, xml);
    expect(again.status).toBe(302);
    expect(again.location).toMatch(/etat=deja/);
    expect(statementIdOf(again.location)).toBe(id);
    expect((await get(finance, again.location!)).html).toContain("Ce fichier était déjà importé");
    const [count] = await runText<{ n: number }>(database.db, "select count(*)::int as n from bank_statement_lines");
    expect(count!.n).toBe(3);
  });

  it("refuses, in French, a file that is not a statement or names an account that is not ours, and imports nothing", async () => {
    const garbage = await upload(finance, "ceci n'est pas un relevé", "notes.txt");
    expect(garbage.status).toBe(422);
    expect(garbage.html).toContain("Le fichier n'a pas été importé.");
    expect(garbage.html).toContain("Le fichier est illisible (ligne ou enregistrement 1) : ce n'est ni un relevé camt.053");
    const foreign = await upload(
      finance,
      camt053({
        iban: "FR7610011000201234567890188",
        from: "2026-02-06",
        to: "2026-02-06",
        opening: 0n,
        entries: [{ amount: 100n, bookingDate: "2026-02-06" }],
      }),
    );
    expect(foreign.status).toBe(422);
    expect(foreign.html).toContain("n'est pas l'un de nos comptes bancaires");
    expect(foreign.html).not.toContain("FR7610011000201234567890188");
    const empty = await app.request("/banque/releves", {
      method: "POST",
      headers: { cookie: finance.cookie },
      body: new URLSearchParams({ _csrf: finance.csrf }),
    });
    expect(empty.status).toBe(422);
    const [count] = await runText<{ n: number }>(database.db, "select count(*)::int as n from bank_statements");
    expect(count!.n).toBe(1);
  });

  it("shows the upload to finance staff only, and the Banque pages to finance, managers and admins", async () => {
    expect((await get(finance, "/banque")).html).toContain("Importer le relevé");
    const seen = await get(manager, "/banque");
    expect(seen.status).toBe(200);
    expect(seen.html).not.toContain("Importer le relevé");
    expect(seen.html).toContain('href="/banque"');
    expect((await get(caseworker, "/banque")).status).toBe(403);
    expect((await get(caseworker, "/banque/attente")).status).toBe(403);
    expect((await get(manager, "/banque/attente")).html).not.toContain(">Décider<");
  });

  it("a suspense line: a split that does not add up is refused in French; one that does is proposed, approved by someone else, applied", async () => {
    const a = await allocataire();
    const b = await allocataire();
    const [line] = await runText<{ id: string; amount: string }>(
      database.db,
      "select id, amount::text as amount from bank_statement_lines where status = 'suspense' and amount > 0",
    );
    expect(line!.amount).toBe("120000");
    const list = await get(finance, "/banque/attente");
    expect(list.html).toContain("Double validation (quatre yeux)");
    expect(list.html).toContain(`/banque/attente/${line!.id}`);
    const decision = await get(finance, `/banque/attente/${line!.id}`);
    expect(decision.status).toBe(200);
    expect(decision.html).toContain("Proposer la répartition");
    expect(decision.html).toContain("Proposer le reversement");

    const parts = (second: string) => ({
      partCount: "3",
      "parts.0.beneficiaryId": a.id,
      "parts.0.payer": "caf",
      "parts.0.prestation": "rsa",
      "parts.0.amount": "700,00",
      "parts.1.beneficiaryId": b.id,
      "parts.1.payer": "CAF",
      "parts.1.prestation": "AAH",
      "parts.1.amount": second,
      "parts.2.beneficiaryId": "",
      "parts.2.payer": "",
      "parts.2.prestation": "",
      "parts.2.amount": "",
    });
    const short = await post(finance, `/banque/attente/${line!.id}/repartition`, parts("450"));
    expect(short.status).toBe(422);
    expect(short.html).toContain("les parts totalisent 1\u00a0150,00\u00a0€ pour une ligne de 1\u00a0200,00\u00a0€ : il manque 50,00\u00a0€");
    const badAmount = await post(finance, `/banque/attente/${line!.id}/repartition`, parts("abc"));
    expect(badAmount.status).toBe(422);
    expect(badAmount.html).toContain("Montant de la part 2 (€)");

    const proposed = await post(finance, `/banque/attente/${line!.id}/repartition`, parts("500,00"));
    expect(proposed.status, proposed.html).toBe(302);
    expect(proposed.location).toBe("/banque/attente?fait=proposition");
    const waiting = await get(finance, proposed.location!);
    expect(waiting.html).toContain("Décision proposée");
    expect(waiting.html).toContain("proposition à valider");
    const [still] = await runText<{ status: string }>(database.db, "select status from bank_statement_lines where id = $1", [line!.id]);
    expect(still!.status).toBe("suspense");

    const [proposal] = await runText<{ id: string }>(database.db, "select id from proposals where kind = 'suspense.assign' and status = 'pending_approval'");
    const proposals = await get(manager, "/propositions");
    expect(proposals.html).toContain("Décision sur une ligne de relevé en attente");
    expect(proposals.html).toContain("Attribuer ou répartir entre bénéficiaires et prestations");
    expect(proposals.html).toContain("CAF RSA 700,00\u00a0€ ; CAF AAH 500,00\u00a0€");
    const approved = await post(manager, `/propositions/${proposal!.id}/approbation`, { comment: "vu" });
    expect(approved.status, approved.html).toBe(302);
    const [done] = await runText<{ status: string; statementId: string }>(
      database.db,
      `select status, statement_id as "statementId" from bank_statement_lines where id = $1`,
      [line!.id],
    );
    expect(done!.status).toBe("matched");
    const statement = await get(finance, `/banque/releves/${done!.statementId}`);
    expect(statement.html).toContain("Ligne en attente répartie après validation");
    expect(statement.html).toContain(b.lastName);
    expect((await call("GET", `/v1/beneficiaries/${b.id}/balances`)).body.total).toBe(50000);
    const again = await get(finance, `/banque/attente/${line!.id}`);
    expect(again.html).toContain("n'est plus en attente");
    expect(again.html).not.toContain("Proposer la répartition");
  });

  it("an unexplained debit is proposed as an expense; forwarding needs a person", async () => {
    const [debit] = await runText<{ id: string }>(database.db, "select id from bank_statement_lines where status = 'suspense' and amount < 0");
    const page = await get(finance, `/banque/attente/${debit!.id}`);
    expect(page.html).toContain("Proposer le passage en frais");
    expect(page.html).not.toContain("Proposer la répartition");
    const proposed = await post(finance, `/banque/attente/${debit!.id}/frais`, {});
    expect(proposed.status, proposed.html).toBe(302);
    const forward = await post(finance, `/banque/attente/${debit!.id}/reversement`, { "forward.beneficiaryId": "" });
    expect(forward.status).toBe(422);
    expect(forward.html).toContain("Bénéficiaire (reversement)");
    expect((await get(finance, "/banque/attente/00000000-0000-4000-8000-000000000000")).status).toBe(404);
  });

  it("the matching rules: read by managers, edited by an admin with French refusals of a bad pattern", async () => {
    const read = await get(manager, "/banque/regles");
    expect(read.status).toBe(200);
    expect(read.html).toContain("CAF");
    expect(read.html).not.toContain("Modifier la règle");
    expect((await get(manager, "/banque/regles/modifier?payer=CAF")).status).toBe(403);
    const form = await get(adminUi, "/banque/regles/modifier?payer=CAF");
    expect(form.status).toBe(200);
    expect(form.html).toContain("RSA = \\bRSA\\b");
    const values = {
      original: "CAF",
      payer: "CAF",
      priority: "10",
      active: "on",
      names: "\\bCAF\\b",
      ibans: "",
      numberField: "cafNumber",
      numberPattern: "ALLOCATAIRE\\s*(\\d{7,13})",
      prestations: "RSA = \\bRSA\\b\nAAH = \\bAAH(",
      notManaged: "prime d'activité = PRIME D.?ACTIVITE",
    };
    const refused = await post(adminUi, "/banque/regles/modifier", values);
    expect(refused.status).toBe(422);
    expect(refused.html).toContain("expression régulière invalide");
    const noGroup = await post(adminUi, "/banque/regles/modifier", { ...values, prestations: "RSA = \\bRSA\\b", numberPattern: "ALLOCATAIRE" });
    expect(noGroup.status).toBe(422);
    expect(noGroup.html).toContain("groupe de capture");
    const saved = await post(adminUi, "/banque/regles/modifier", { ...values, prestations: "RSA = \\bRSA\\b\nAAH = \\bAAH\\b" });
    expect(saved.status, saved.html).toBe(302);
    const [rule] = await runText<{ spec: { numberPattern: string; prestations: unknown[] } }>(
      database.db,
      "select spec from matching_rules where payer = 'CAF'",
    );
    expect(rule!.spec.numberPattern).toBe("ALLOCATAIRE\\s*(\\d{7,13})");
    expect(rule!.spec.prestations).toHaveLength(2);
    expect((await get(adminUi, "/banque/regles")).html).toContain("Modifier la règle CAF");
  });
});
