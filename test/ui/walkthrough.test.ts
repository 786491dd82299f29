import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { count } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { credits } from "../../src/db/schema/credits";
import { runText } from "../../src/db/sql";
import { businessDate } from "../../src/domain/business-date";
import { queueDashboard } from "../../workers/dashboard";
import { apiCaller, bearer, createTestApp, type Headers, type TestApp } from "../support/app";
import { camt053 } from "../support/bank-files";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { TEST_REDIS_URL } from "../support/env";
import { householdMaker } from "../support/household";
import { deleteQueueKeys } from "../support/queues";
import { staffUser, uiSession } from "../support/ui";

const TODAY = "2026-03-06";
const POOLED_IBAN = "FR7630001007941234567890185";
type Session = Awaited<ReturnType<typeof uiSession>>;

/** The hidden fields of the confirmation form a preview shows. */
const confirmation = (html: string) =>
  Object.fromEntries(
    [...html.slice(html.indexOf('action="/versements"')).matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)]
      .map((m) => [m[1]!, m[2]!])
      .filter(([k]) => k !== "_csrf"),
  );
/** What a page says, without its markup. */
const textOf = (html: string) =>
  html
    .replace(/<[^>]*>/g, " ")
    .replace(/&#39;/g, "'")
    .replace(/&[a-z#0-9]+;/g, " ");

/**
 * The fixes of the walk-through (issue 16) through HTTP: the credit form (type-ahead
 * picker without and with its script's JSON, fields locked after the preview, a
 * confirmation whose fields changed refused, the statement's copy of a credit warned
 * about), Traitements keeping the last run's choices, the dashboard's day, one spelling
 * of "MASP 2", the favicon, the queue dashboard without third-party calls, and the
 * former Paiements address redirected.
 */
describe("walk-through fixes", () => {
  let database: TestDatabase;
  let app: TestApp;
  let queue: Queue;
  let admin: Headers;
  let financeApi: Headers;
  let finance: Session;
  let adminUi: Session;
  let today = TODAY;
  const ran: { job: string; asOf: string }[] = [];
  const ids: Record<string, string> = {};
  const queuePrefix = `test-walkthrough-${randomBytes(4).toString("hex")}`;
  const call = apiCaller(
    () => app,
    () => admin,
  );
  const household = householdMaker(call, { managed: ["RSA", "AAH"] });
  const recorded = async () => (await database.db.select({ n: count() }).from(credits))[0]!.n;
  const preview = (over: Record<string, string> = {}) =>
    finance.post("/versements/apercu", {
      beneficiaryId: ids.zoe!,
      payer: "CAF",
      prestation: "RSA",
      amount: "607,75",
      valueDate: "2026-03-03",
      reference: "",
      ...over,
    });

  beforeAll(async () => {
    database = await createTestDatabase();
    queue = new Queue("rent-payments", { connection: { url: TEST_REDIS_URL }, prefix: queuePrefix });
    app = createTestApp(database.db, {
      today: () => today,
      queueDashboard: queueDashboard([queue]) as never,
      runJob: async (job, data) => {
        ran.push({ job, asOf: String((data as { asOf: string }).asOf) });
        return {};
      },
    });
    admin = await bearer(database.db, "admin");
    financeApi = await bearer(database.db, "finance");
    await runText(database.db, "update bank_accounts set iban = $1, name = 'Compte principal' where is_default", [POOLED_IBAN]);
    await staffUser(database.db, "finance@walk.example", "finance", "Fanny Finance");
    await staffUser(database.db, "admin@walk.example", "admin", "Alice Admin");
    finance = await uiSession(app, "finance@walk.example");
    adminUi = await uiSession(app, "admin@walk.example");
    const zoe = await household();
    await runText(database.db, "update beneficiaries set first_name = 'Zoé', last_name = 'Lefèvre', caf_number = '7654321' where id = $1", [zoe.id]);
    ids.zoe = zoe.id;
    const other = await household();
    await runText(database.db, "update beneficiaries set first_name = 'Marie', last_name = 'Durand' where id = $1", [other.id]);
    ids.marie = other.id;
  });
  afterAll(async () => {
    await queue?.close();
    await deleteQueueKeys(queuePrefix);
    await database?.dispose();
  });

  describe("the credit form", () => {
    it("finds the person without accents or case, as a search form without script and as JSON for the combobox", async () => {
      const form = await finance.get("/versements/nouveau?q=zoe");
      expect(form.status).toBe(200);
      expect(form.html).toMatch(new RegExp(`<input type="radio" name="beneficiaryId" value="${ids.zoe}"/> Lefèvre Zoé — CAF 7654321`));
      expect(form.html).not.toContain("Durand Marie");
      expect(form.html).not.toContain("<select");
      // The combobox is the same search field, enhanced by a static script (no inline script).
      expect(form.html).toContain('data-combobox="/versements/beneficiaires"');
      const script = /<script src="(\/static\/combobox\.js\?v=[0-9a-f]{12})" defer=""><\/script>/.exec(form.html)?.[1];
      expect(script).toBeDefined();
      const js = await app.request(script!);
      expect(js.headers.get("content-type")).toContain("text/javascript");
      expect(await js.text()).toContain('setAttribute("role", "combobox")');

      for (const q of ["LEFEVRE", "zoé lef", "lefèvre zoe", "7654"]) {
        const found = await finance.get(`/versements/beneficiaires?q=${encodeURIComponent(q)}`);
        expect(found.status, q).toBe(200);
        expect(JSON.parse(found.html), q).toEqual({ items: [{ id: ids.zoe, label: "Lefèvre Zoé — CAF 7654321" }] });
      }
      expect(JSON.parse((await finance.get("/versements/beneficiaires?q=inconnu")).html)).toEqual({ items: [] });
      // Chosen from the fiche: checked, whatever the search.
      const fromFiche = await finance.get(`/versements/nouveau?beneficiaire=${ids.marie}`);
      expect(fromFiche.html).toMatch(new RegExp(`value="${ids.marie}" checked=""/> Durand Marie`));
    });

    it("locks the fields once previewed; 'Modifier la saisie' unlocks them", async () => {
      const shown = await preview();
      expect(shown.status, shown.html).toBe(200);
      expect(shown.html).toContain("Répartition proposée");
      expect(shown.html).toContain('action="/versements/modifier"');
      expect(shown.html).not.toContain("Voir la répartition");
      expect(shown.html).not.toContain('role="search"');
      for (const [name, value] of [
        ["payer", "CAF"],
        ["prestation", "RSA"],
        ["amount", "607,75"],
        ["valueDate", "2026-03-03"],
      ]) {
        expect(shown.html).toContain(`<input id="f-${name}" name="${name}" type="text" value="${value}" readonly=""/>`);
      }
      expect(shown.html).toContain("Confirmer le versement de 607,75\u00a0€");
      const unlocked = await finance.post("/versements/modifier", {
        beneficiaryId: ids.zoe!,
        payer: "CAF",
        prestation: "RSA",
        amount: "607,75",
        valueDate: "2026-03-03",
      });
      expect(unlocked.status).toBe(200);
      expect(unlocked.html).toContain("Voir la répartition");
      expect(unlocked.html).not.toContain("readonly");
      expect(unlocked.html).toContain('value="607,75"');
      expect(unlocked.html).toMatch(new RegExp(`value="${ids.zoe}" checked=""/> Lefèvre Zoé`));
    });

    it("refuses a confirmation whose fields differ from the preview, shows the new preview, and records what was shown", async () => {
      const before = await recorded();
      const hidden = confirmation((await preview()).html);
      expect(hidden.seal).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const changed = await finance.post("/versements", { ...hidden, amount: "600,00" });
      expect(changed.status).toBe(422);
      expect(textOf(changed.html)).toContain("Le versement a changé depuis l'aperçu : rien n'a été enregistré.");
      expect(changed.html).toContain("Confirmer le versement de 600,00\u00a0€");
      expect(await recorded()).toBe(before);
      const unsealed = await finance.post("/versements", { ...hidden, seal: "" });
      expect(unsealed.status).toBe(422);
      expect(await recorded()).toBe(before);
      // The new preview's own confirmation records 600,00 €, the amount it showed.
      const done = await finance.post("/versements", confirmation(changed.html));
      expect(done.status, done.html).toBe(302);
      const rows = await runText<{ amount: string }>(database.db, "select amount::text as amount from credits where beneficiary_id = $1", [ids.zoe]);
      expect(rows.map((r) => r.amount)).toEqual(["60000"]);
    });

    it("warns when the bank statement already brought the same credit (person, payer, amount, within 5 days)", async () => {
      const h = await household();
      await runText(database.db, "update beneficiaries set caf_number = '7000123' where id = $1", [h.id]);
      const xml = camt053({
        iban: POOLED_IBAN,
        from: "2026-03-02",
        to: "2026-03-02",
        opening: 0n,
        id: "STMT-WALK",
        entries: [{ amount: 55000n, bookingDate: "2026-03-02", name: "CAF DE LA MAYENNE", remittance: "RSA 02/2026 ALLOCATAIRE 7000123", bankReference: "W1" }],
      });
      const imported = await app.request("/v1/bank-statements", { method: "POST", headers: { ...financeApi, "Content-Type": "application/xml" }, body: xml });
      expect(imported.status, await imported.clone().text()).toBe(201);
      expect((await imported.json()).statements[0]).toMatchObject({ matched: 1 });

      const warned = await preview({ beneficiaryId: h.id, amount: "550,00", valueDate: "2026-03-05" });
      expect(warned.status, warned.html).toBe(200);
      expect(warned.html).toContain("Ce versement est peut-être déjà enregistré.");
      expect(textOf(warned.html)).toContain("arrivé par relevé bancaire le 02/03/2026");
      for (const other of [{ valueDate: "2026-02-20" }, { payer: "MSA" }, { amount: "551,00" }] as Record<string, string>[]) {
        const quiet = await preview({ beneficiaryId: h.id, amount: "550,00", valueDate: "2026-03-05", ...other });
        expect(quiet.html, JSON.stringify(other)).not.toContain("déjà enregistré");
      }
      expect((await preview({ beneficiaryId: ids.marie!, amount: "550,00", valueDate: "2026-03-05" })).html).not.toContain("déjà enregistré");
    });
  });

  it("Traitements keeps the job and the date of the last run", async () => {
    const run = await adminUi.post("/traitements", { job: "charge-payments", asOf: "2026-03-02" });
    expect(run.status).toBe(302);
    expect(ran.at(-1)).toEqual({ job: "charge-payments", asOf: "2026-03-02" });
    const back = await adminUi.get(run.location!);
    expect(back.html).toContain('<option value="charge-payments" selected="">');
    expect(back.html).toContain('<input id="asOf" name="asOf" type="date" value="2026-03-02" required=""/>');
    // Without a last run (or with a forged one), today.
    const fresh = await adminUi.get("/traitements?traitement=nope&date=2026-13-40");
    expect(fresh.html).toContain(`value="${TODAY}"`);
    expect(fresh.html).not.toContain('selected=""');
  });

  it("the dashboard counts the credits recorded today (Paris), their value dates apart", async () => {
    const dated = await call(
      "POST",
      "/v1/credits",
      { beneficiaryId: ids.marie, payer: "CAF", prestation: "RSA", amount: 10000, valueDate: TODAY },
      { ...financeApi, "Idempotency-Key": crypto.randomUUID() },
    );
    expect(dated.status, dated.text).toBe(201);
    // On the business date 2026-03-06 nothing was recorded (the tests run later), but one credit bears that value date.
    const before = textOf((await adminUi.get("/")).html);
    expect(before).toContain("reçus aujourd'hui (0 versements)");
    expect(before).toContain("en date de valeur du jour (1 versements)");
    today = businessDate();
    try {
      const now = await adminUi.get("/");
      const n = await recorded();
      expect(n).toBeGreaterThan(0);
      // Recorded today, with value dates in 2026-03: counted as received today, none with today's value date.
      expect(textOf(now.html)).toContain(`reçus aujourd'hui (${n} versements)`);
      expect(textOf(now.html)).toContain("en date de valeur du jour (0 versements)");
    } finally {
      today = TODAY;
    }
  });

  it("writes MASP 2 one way, has a favicon of its own, and sends /paiements to Virements", async () => {
    for (const path of ["/", "/beneficiaires", `/beneficiaires/${ids.zoe}`, "/versements/nouveau", "/traitements", "/virements"]) {
      const page = await adminUi.get(path);
      expect(page.status, path).toBe(200);
      expect(page.html, path).toContain(" — Registre MASP 2</title>");
      expect(textOf(page.html).match(/MASP(?! [123]\b)\S*/g) ?? [], path).toEqual([]);
      const icon = /<link rel="icon" type="image\/svg\+xml" href="([^"]+)"\/>/.exec(page.html)?.[1];
      expect(icon, path).toMatch(/^\/static\/favicon\.svg\?v=[0-9a-f]{12}$/);
    }
    const icon = await app.request("/static/favicon.svg");
    expect(icon.status).toBe(200);
    expect(icon.headers.get("content-type")).toBe("image/svg+xml");
    expect(await icon.text()).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);

    const old = await adminUi.get("/paiements");
    expect(old.status).toBe(301);
    expect(old.location).toBe("/virements");
  });

  it("the queue dashboard loads nothing from another host", async () => {
    const res = await app.request("/admin/queues", { headers: { cookie: adminUi.cookie, accept: "text/html" } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<div id="root"');
    expect(html).not.toContain("fonts.googleapis.com");
    const urls = [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);
    expect(urls.length).toBeGreaterThan(3);
    for (const url of urls) expect(url).not.toMatch(/^(https?:)?\/\//);
    const csp = res.headers.get("content-security-policy") ?? "";
    for (const directive of ["default-src 'self'", "script-src 'self'", "font-src 'self'", "connect-src 'self'"]) expect(csp).toContain(directive);
    const css = [...html.matchAll(/href="(static\/css\/[^"]+)"/g)].map((m) => m[1]!);
    expect(css.length).toBeGreaterThan(0);
    for (const file of css) {
      const sheet = await app.request(`/admin/queues/${file}`, { headers: { cookie: adminUi.cookie } });
      expect(sheet.status, file).toBe(200);
      expect(await sheet.text(), file).not.toMatch(/url\((["']?)(https?:)?\/\/|@import/);
    }
  });
});
