import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../src/auth/tokens";
import { alerts as alertsTable } from "../../src/db/schema/jobs";
import { type JobsHarness, LANDLORD, leaseBody, startHarness } from "../jobs/fixtures/harness";

/**
 * Rule 12 (issue 15): GET /v1/alerts/{id}/evidence, what R.271-8 CASF asks of the
 * Département's request to the judge for a MASP 3 — as JSON, and as a printable French
 * page (`?format=html`).
 */
describe("GET /v1/alerts/{id}/evidence", () => {
  let h: JobsHarness;
  let beneficiaryId: string;
  let trigger: { id: string; periods: string[] };
  let unpaid: { id: string };

  const HOME = { street: "12 rue de la Paix", postalCode: "53000", town: "Laval", country: "FR" };
  const LANDLORD_ADDRESS = { street: "4 quai Gambetta", postalCode: "53000", town: "Laval", country: "FR" };

  beforeAll(async () => {
    h = await startHarness("evidence");
    const caf = await h.call("PUT", `/v1/payers/${encodeURIComponent("CAF/MSA")}`, {
      name: "CAF de la Mayenne",
      address: { street: "26 rue d'Ernée", postalCode: "53000", town: "Laval", country: "FR" },
    });
    expect(caf.status, caf.text).toBe(200);
    const b = await h.household({
      measure: { level: "MASP2", startDate: "2026-01-01", endDate: "2026-12-31", managedPrestations: ["RSA", "ALS", "APA"] },
      lease: leaseBody({ landlord: { ...LANDLORD, address: LANDLORD_ADDRESS } }),
    });
    beneficiaryId = b.id;
    const patched = await h.call("PATCH", `/v1/beneficiaries/${b.id}`, { address: HOME });
    expect(patched.status, patched.text).toBe(200);
    // January's RSA, 2 000 of it kept back by the CAF for an indu: 30 000 reach the bank and the rent.
    const credit = await h.call(
      "POST",
      "/v1/credits",
      {
        beneficiaryId: b.id,
        payer: "CAF",
        prestation: "RSA",
        amount: 30000,
        valueDate: "2026-01-03",
        reference: "CAF RSA 12/2025",
        deduction: { amount: 2000, prestation: "RSA", reference: "indu 2025-117" },
      },
      { ...h.finance, "Idempotency-Key": randomUUID() },
    );
    expect(credit.status, credit.text).toBe(201);
    await h.ran("rent-payments", "2026-01-05");
    await h.ran("unpaid-rent-check", "2026-03-10");
    const alerts = (await h.call("GET", `/v1/alerts?beneficiaryId=${b.id}`)).body.items;
    trigger = alerts.find((a: any) => a.type === "masp3_trigger");
    unpaid = alerts.find((a: any) => a.type === "unpaid_rent");
    expect(trigger?.periods).toEqual(["2026-01", "2026-02", "2026-03"]);
    expect(unpaid).toBeDefined();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("JSON: the person and their domicile, the landlord, the payers, the prestations and which a MASP 3 could pay the landlord", async () => {
    const res = await h.call("GET", `/v1/alerts/${trigger.id}/evidence`);
    expect(res.status, res.text).toBe(200);
    const e = res.body;
    expect(e.alert).toMatchObject({ id: trigger.id, type: "masp3_trigger", periods: ["2026-01", "2026-02", "2026-03"] });
    expect(e.asOf).toBe("2026-11-23");
    expect(e.person).toMatchObject({ firstName: "Marie", birthDate: "1979-04-02", address: HOME });
    expect(e.landlord).toMatchObject({ name: LANDLORD.name, address: LANDLORD_ADDRESS, startDate: "2026-01-01", endDate: null });
    expect(e.landlord).not.toHaveProperty("iban");
    expect(e.payers).toEqual([
      {
        code: "CAF/MSA",
        name: "CAF de la Mayenne",
        address: { street: "26 rue d'Ernée", postalCode: "53000", town: "Laval", country: "FR" },
        prestations: ["ALS", "RSA"],
      },
      { code: "Département", name: "Département", address: null, prestations: ["APA"] },
    ]);
    expect(e.prestations.map((p: any) => [p.code, p.masp3, p.payableToLandlord])).toEqual([
      ["RSA", "base", true],
      ["ALS", "base", true],
      ["APA", null, false],
    ]);
    // The Département's address is not recorded: the request must be completed before it is sent.
    expect(e.missing).toEqual(["payer:Département"]);
  });

  it("JSON: due, paid and received per period (gross and net), the credits with their deduction, the rent envelope's history", async () => {
    const e = (await h.call("GET", `/v1/alerts/${trigger.id}/evidence`)).body;
    expect(e.periods.slice(0, 4).map((p: any) => [p.period, p.due, p.paid, p.status, p.received, p.receivedGross, p.inAlert])).toEqual([
      ["2026-01", 50000, 30000, "partial", 30000, 32000, true],
      ["2026-02", 50000, 0, "unpaid", 0, 0, true],
      ["2026-03", 50000, 0, "unpaid", 0, 0, true],
      ["2026-04", 50000, 0, "unpaid", 0, 0, false],
    ]);
    expect(e.periods.at(-1).period).toBe("2026-11");
    expect(e.credits).toEqual([
      {
        valueDate: "2026-01-03",
        payer: "CAF",
        prestation: "RSA",
        reference: "CAF RSA 12/2025",
        gross: 32000,
        deduction: { amount: 2000, prestation: "RSA", reference: "indu 2025-117" },
        amount: 30000,
        reversed: false,
      },
    ]);
    expect(e.rentEnvelope.history.map((m: any) => [m.date, m.kind, m.amount, m.balance])).toEqual([
      ["2026-01-03", "credit", 30000, 30000],
      ["2026-01-05", "payment.rent", -30000, 0],
    ]);
    expect(e.rentEnvelope.balance).toBe(0);
  });

  it("an unpaid_rent alert has the same evidence; the HTML page is French, printable, with the app's stylesheet only", async () => {
    expect((await h.call("GET", `/v1/alerts/${unpaid.id}/evidence`)).status).toBe(200);
    const res = await h.app.request(`/v1/alerts/${trigger.id}/evidence?format=html`, { headers: h.admin });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toMatch(/^<!doctype html><html lang="fr">/);
    for (const text of [
      "Éléments pour une demande de MASP 3",
      "12 rue de la Paix",
      LANDLORD.name,
      "4 quai Gambetta",
      "CAF de la Mayenne",
      "320,00",
      "20,00",
      "300,00",
      "janvier 2026",
      "Historique de l&#39;enveloppe loyer",
      "adresse complète de l&#39;organisme Département",
    ]) {
      expect(html, text).toContain(text);
    }
    expect(html).toContain('class="printable"');
    // No third-party asset: every link and source is the app's own.
    for (const m of html.matchAll(/(?:href|src)="([^"]+)"/g)) expect(m[1]!.startsWith("/") || m[1]!.startsWith("#"), m[1]).toBe(true);
    expect(html).not.toMatch(/<script/);
  });

  it("who may read it: every role that sees the alert; a caseworker outside the caseload and an unknown id get 404", async () => {
    for (const role of ["finance", "admin"] as const) {
      expect((await h.call("GET", `/v1/alerts/${trigger.id}/evidence`, undefined, await h.tokenFor(role))).status).toBe(200);
    }
    const { token } = await createToken(h.db, { role: "manager", name: `test-manager-${randomUUID().slice(0, 4)}` });
    expect((await h.call("GET", `/v1/alerts/${trigger.id}/evidence`, undefined, { Authorization: `Bearer ${token}` })).status).toBe(200);
    const stranger = await h.call("GET", `/v1/alerts/${trigger.id}/evidence`, undefined, await h.tokenFor("caseworker"));
    expect(stranger.status).toBe(404);
    const unknown = await h.call("GET", `/v1/alerts/${randomUUID()}/evidence`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("not_found");
    expect((await h.call("GET", `/v1/alerts/not-an-id/evidence`)).status).toBe(404);
    expect((await h.call("GET", `/v1/alerts/${trigger.id}/evidence?format=pdf`)).status).toBe(422);
    expect((await h.call("GET", `/v1/alerts/${trigger.id}/evidence`, undefined, {})).status).toBe(401);
  });

  it("an alert of another type (no_credit_received): 409 no_evidence, never 500", async () => {
    const b = await h.household({ measure: { level: "MASP2", startDate: "2026-01-01", endDate: "2026-12-31", managedPrestations: ["RSA"] } });
    await h.ran("unpaid-rent-check", "2026-02-16");
    const alerts = (await h.call("GET", `/v1/alerts?beneficiaryId=${b.id}`)).body.items;
    const other = alerts.find((a: any) => a.type === "no_credit_received");
    expect(other).toBeDefined();
    const res = await h.call("GET", `/v1/alerts/${other.id}/evidence`);
    expect(res.status, res.text).toBe(409);
    expect(res.body.error).toMatchObject({ code: "no_evidence", details: { type: "no_credit_received" } });
    expect(beneficiaryId).toBeDefined();

    // A finance alert about no one (a bank difference): 409 for those who see every alert, 404 for a caseworker.
    const bankAlert = randomUUID();
    await h.db.insert(alertsTable).values({ id: bankAlert, type: "bank_difference", audience: "finance", episode: bankAlert, periods: [], evidence: {} });
    const finance = await h.call("GET", `/v1/alerts/${bankAlert}/evidence`, undefined, h.finance);
    expect(finance.status).toBe(409);
    expect(finance.body.error.code).toBe("no_evidence");
    expect((await h.call("GET", `/v1/alerts/${bankAlert}/evidence`, undefined, await h.tokenFor("caseworker"))).status).toBe(404);
  });
});
