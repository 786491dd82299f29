import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ledgerTransactions } from "../../src/db/schema/ledger";
import { apiCaller, bearer, createTestApp, type TestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { householdMaker } from "../support/household";
import { staffUser, uiSession } from "../support/ui";

const TODAY = "2026-03-06";

/**
 * The credit form (Versements) with the optional deduction (rule 9): the preview says
 * gross, deduction and net; the confirmed credit carries it; left blank, the credit is
 * an ordinary one; half filled, a French refusal that records nothing.
 */
describe("Versements: a credit paid short of an indu", () => {
  let database: TestDatabase;
  let app: TestApp;
  let beneficiaryId = "";
  let finance: Awaited<ReturnType<typeof uiSession>>;

  beforeAll(async () => {
    database = await createTestDatabase();
    app = createTestApp(database.db, { today: () => TODAY });
    const admin = await bearer(database.db, "admin");
    const household = householdMaker(
      apiCaller(
        () => app,
        () => admin,
      ),
      { managed: ["RSA"] },
    );
    beneficiaryId = (await household()).id;
    await staffUser(database.db, "compta@asso.example", "finance", "Camille Compta");
    finance = await uiSession(app, "compta@asso.example");
  });
  afterAll(async () => {
    await database?.dispose();
  });

  const form = (deduction: Record<string, string>) => ({
    beneficiaryId,
    payer: "CAF",
    prestation: "RSA",
    amount: "557,75",
    valueDate: "2026-01-03",
    reference: "",
    "deduction.amount": "",
    "deduction.prestation": "",
    "deduction.reference": "",
    ...deduction,
  });
  const credits = async () =>
    (await database.db.select().from(ledgerTransactions).where(eq(ledgerTransactions.beneficiaryId, beneficiaryId))).filter((t) => t.kind === "credit");

  it("the preview shows gross, deduction and net; confirmed, the credit carries them", async () => {
    const values = form({ "deduction.amount": "50", "deduction.prestation": "rsa", "deduction.reference": "indu 2025-117" });
    const preview = await finance.post("/versements/apercu", values);
    expect(preview.status, preview.html).toBe(200);
    expect(preview.html).toContain("Brut 607,75\u00a0€ − retenue pour indu RSA 50,00\u00a0€ = net reçu 557,75\u00a0€");
    const key = preview.html.match(/name="idempotencyKey" value="([^"]+)"/)?.[1] ?? "";
    const seal = preview.html.match(/name="seal" value="([^"]+)"/)?.[1] ?? "";
    const sent = await finance.post("/versements", { ...values, idempotencyKey: key, seal });
    expect(sent.status, sent.html).toBe(302);
    const [t] = await credits();
    expect(t?.metadata).toMatchObject({ gross: "60775", net: "55775", deduction: { amount: "5000", prestation: "RSA", reference: "indu 2025-117" } });
  });

  it("blank deduction fields: an ordinary credit; a deduction without its prestation: refused in French, nothing recorded", async () => {
    const before = (await credits()).length;
    const half = await finance.post("/versements/apercu", form({ "deduction.amount": "50" }));
    expect(half.status).toBe(422);
    expect(half.html).toContain("Prestation de l&#39;indu");
    const plain = await finance.post("/versements/apercu", form({}));
    expect(plain.status, plain.html).toBe(200);
    expect(plain.html).not.toContain("retenue pour indu");
    expect((await credits()).length).toBe(before);
  });
});
