import { randomUUID } from "node:crypto";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Action, may, PERMISSIONS } from "../../src/auth/permissions";
import { ROLES, type Role } from "../../src/auth/tokens";
import { bearer, createTestApp, type TestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { staffUser, uiSession } from "../support/ui";

type Session = Awaited<ReturnType<typeof uiSession>>;

/**
 * The role matrix, over EVERY route the app serves: each API operation of /openapi.json
 * and each UI route of `app.routes` has its expectation here — the action of
 * `PERMISSIONS` that guards it, `null` for any signed-in role (the caseload filter of the
 * services does the rest: 404 outside it), or `"public"`. A route without an expectation
 * fails the test, so a new route cannot slip in unguarded. Every role is tried on every
 * route: refused (403) exactly when `may(role, action)` says so. Requests carry invalid
 * input and unknown ids, so an allowed one is refused later (422, 404…) and writes nothing.
 */
type Expectation = Action | null | "public";

const API: Record<string, Expectation> = {
  "GET /health": "public",
  "GET /v1/alerts": null,
  "GET /v1/audit": "audit.read",
  "POST /v1/alerts/{id}/acknowledge": "alert.handle",
  "POST /v1/alerts/{id}/close": "alert.handle",
  "GET /v1/beneficiaries": null,
  "POST /v1/beneficiaries": "beneficiary.write",
  "GET /v1/beneficiaries/{id}": null,
  "PATCH /v1/beneficiaries/{id}": "beneficiary.write",
  "GET /v1/beneficiaries/{id}/balances": null,
  "GET /v1/beneficiaries/{id}/charges": null,
  "POST /v1/beneficiaries/{id}/charges": "beneficiary.write",
  "GET /v1/beneficiaries/{id}/rent-entries": null,
  "POST /v1/beneficiaries/{id}/rent-entries": "beneficiary.write",
  "PATCH /v1/beneficiaries/{id}/charges/{chargeId}": "beneficiary.write",
  "GET /v1/beneficiaries/{id}/lease": null,
  "PUT /v1/beneficiaries/{id}/lease": "beneficiary.write",
  "GET /v1/beneficiaries/{id}/measures": null,
  "POST /v1/beneficiaries/{id}/measures": "beneficiary.write",
  "POST /v1/beneficiaries/{id}/overpayment-recoveries": "credit.record",
  "GET /v1/beneficiaries/{id}/rent-periods": null,
  "GET /v1/beneficiaries/{id}/reversement-plan": null,
  "PUT /v1/beneficiaries/{id}/reversement-plan": "beneficiary.write",
  "GET /v1/beneficiaries/{id}/transactions": null,
  "POST /v1/credits": "credit.record",
  "POST /v1/jobs/{name}/runs": "job.run",
  "GET /v1/ledger/trial-balance": "ledger.trialBalance",
  "GET /v1/ledger/verify": "ledger.verify",
  "GET /v1/measures/{id}": null,
  "POST /v1/measures/{id}/amendments": "beneficiary.write",
  "POST /v1/measures/{id}/closing": "measure.close",
  "GET /v1/measures/{id}/closing": null,
  "POST /v1/measures/{id}/final-payments": "measure.close",
  "POST /v1/measures/{id}/end": "beneficiary.write",
  "POST /v1/measures/{id}/renewals": "beneficiary.write",
  "POST /v1/measures/{id}/reviews": "beneficiary.write",
  "GET /v1/payment-batches": "operations.view",
  "POST /v1/payment-batches": "payment.execute",
  "GET /v1/payment-batches/{id}/pain001": "payment.execute",
  "POST /v1/payment-batches/{id}/sent": "payment.execute",
  "POST /v1/payment-batches/{id}/dissolution": "payment.execute",
  "GET /v1/payment-orders": null,
  "POST /v1/payment-orders/{id}/settlement": "payment.execute",
  "POST /v1/payment-orders/{id}/rejection": "payment.execute",
  "POST /v1/payment-orders/{id}/return": "payment.execute",
  "POST /v1/payment-orders/{id}/cancellation": "payment.execute",
  "POST /v1/payment-orders/{id}/cheque": "payment.execute",
  "POST /v1/payment-orders/{id}/handover": "payment.execute",
  "POST /v1/beneficiaries/{id}/payments": "payment.execute",
  "POST /v1/cash-withdrawals": "payment.execute",
  "GET /v1/payers": null,
  "PUT /v1/payers/{code}": "banking.manage",
  "GET /v1/bank-accounts": "operations.view",
  "GET /v1/bank-accounts/{id}/reconciliation": "operations.view",
  "GET /v1/bank-statements": "operations.view",
  "POST /v1/bank-statements": "statement.import",
  "GET /v1/bank-statements/{id}": "operations.view",
  "GET /v1/matching-rules": "operations.view",
  "PUT /v1/matching-rules": "matching.manage",
  "GET /v1/suspense": "operations.view",
  "POST /v1/suspense/{lineId}/assignments": "statement.import",
  "POST /v1/bank-accounts": "banking.manage",
  "GET /v1/prestations": null,
  "GET /v1/proposals": "proposal.list",
  "GET /v1/proposals/{id}": "proposal.list",
  "POST /v1/proposals/{id}/approval": "proposal.decide",
  "POST /v1/proposals/{id}/rejection": "proposal.decide",
  "POST /v1/transactions/{id}/reversal": "credit.record",
  "GET /v1/tokens": "user.manage",
  "POST /v1/tokens/{id}/revoke": "user.manage",
  "GET /v1/users": "user.list",
  "POST /v1/users": "user.create",
  "POST /v1/users/{id}/disable": "user.manage",
  "POST /v1/users/{id}/enable": "user.manage",
  // One's own settings, anyone's for an admin: someone else's are a 404 (services/notifications/preferences.ts).
  "PUT /v1/users/{id}/notifications": null,
  "PUT /v1/users/{id}/absence": null,
  "GET /v1/webhooks": "delivery.manage",
  "POST /v1/webhooks": "delivery.manage",
  "DELETE /v1/webhooks/{id}": "delivery.manage",
  "POST /v1/webhooks/{id}/pause": "delivery.manage",
  "POST /v1/webhooks/{id}/resume": "delivery.manage",
  "GET /v1/webhooks/{id}/deliveries": "delivery.manage",
  "GET /v1/alerts/{id}/evidence": null,
  "PUT /v1/measures/{id}/budget-rules": "beneficiary.write",
};

/** The routes of `app.routes` that are not API operations: the UI, the docs, the queue dashboard. */
const OTHER: Record<string, Expectation> = {
  "GET /": null,
  "GET /alertes": null,
  "POST /alertes/:id/cloture": "alert.handle",
  "POST /alertes/:id/prise-en-compte": "alert.handle",
  "GET /beneficiaires": null,
  "GET /beneficiaires/nouveau": "beneficiary.write",
  "POST /beneficiaires/nouveau": "beneficiary.write",
  "GET /beneficiaires/:id": null,
  "GET /beneficiaires/:id/bail": "beneficiary.write",
  "POST /beneficiaires/:id/bail": "beneficiary.write",
  "GET /beneficiaires/:id/charges/nouvelle": "beneficiary.write",
  "POST /beneficiaires/:id/charges/nouvelle": "beneficiary.write",
  "GET /beneficiaires/:id/iban": "beneficiary.write",
  "POST /beneficiaires/:id/iban": "beneficiary.write",
  "GET /beneficiaires/:id/mesure/nouvelle": "beneficiary.write",
  "GET /beneficiaires/:id/paiement-ponctuel": "payment.execute",
  "POST /beneficiaires/:id/paiement-ponctuel": "payment.execute",
  "GET /payeurs": "banking.manage",
  "GET /payeurs/modifier": "banking.manage",
  "POST /payeurs/modifier": "banking.manage",
  "POST /beneficiaires/:id/mesure/nouvelle": "beneficiary.write",
  "GET /beneficiaires/:id/mesure/:mid/bilan": "beneficiary.write",
  "POST /beneficiaires/:id/mesure/:mid/bilan": "beneficiary.write",
  "GET /beneficiaires/:id/mesure/:mid/renouvellement": "beneficiary.write",
  "POST /beneficiaires/:id/mesure/:mid/renouvellement": "beneficiary.write",
  "GET /beneficiaires/:id/mesure/:mid/avenant": "beneficiary.write",
  "POST /beneficiaires/:id/mesure/:mid/avenant": "beneficiary.write",
  "GET /beneficiaires/:id/mesure/:mid/regles-budgetaires": "beneficiary.write",
  "POST /beneficiaires/:id/mesure/:mid/regles-budgetaires": "beneficiary.write",
  "GET /beneficiaires/:id/mesure/:mid/fin": "beneficiary.write",
  "POST /beneficiaires/:id/mesure/:mid/fin": "beneficiary.write",
  "GET /beneficiaires/:id/mesure/:mid/cloture": "measure.close",
  "POST /beneficiaires/:id/mesure/:mid/cloture": "measure.close",
  "GET /mesures/:mid/releve-final": null,
  "GET /mesures/:mid/avis/:payer": null,
  "GET /journal": "audit.read",
  "GET /static/bank-upload.js": "public",
  "GET /banque": "operations.view",
  "POST /banque/releves": "statement.import",
  "GET /banque/releves/:id": "operations.view",
  "GET /banque/attente": "operations.view",
  "GET /banque/attente/:lineId": "operations.view",
  "POST /banque/attente/:lineId/repartition": "statement.import",
  "POST /banque/attente/:lineId/reversement": "statement.import",
  "POST /banque/attente/:lineId/restitution": "statement.import",
  "POST /banque/attente/:lineId/frais": "statement.import",
  "GET /banque/regles": "operations.view",
  "GET /banque/regles/modifier": "matching.manage",
  "POST /banque/regles/modifier": "matching.manage",
  "GET /courriels": "delivery.manage",
  "GET /webhooks": "delivery.manage",
  "GET /paiements": "operations.view",
  "GET /virements": "operations.view",
  "POST /virements/remises": "payment.execute",
  "GET /virements/remises/:id/fichier": "payment.execute",
  "POST /virements/remises/:id/envoi": "payment.execute",
  "POST /virements/remises/:id/dissolution": "payment.execute",
  "GET /virements/ordres/:id": "operations.view",
  "POST /virements/ordres/:id/reglement": "payment.execute",
  "POST /virements/ordres/:id/rejet": "payment.execute",
  "POST /virements/ordres/:id/retour": "payment.execute",
  "POST /virements/ordres/:id/annulation": "payment.execute",
  "POST /virements/ordres/:id/cheque": "payment.execute",
  "POST /virements/ordres/:id/especes": "payment.execute",
  "POST /virements/retraits": "payment.execute",
  "GET /propositions": "proposal.list",
  "POST /propositions/:id/approbation": "proposal.decide",
  "POST /propositions/:id/rejet": "proposal.decide",
  "GET /traitements": "operations.view",
  "POST /traitements": "job.run",
  "GET /versements/nouveau": "credit.record",
  "POST /versements": "credit.record",
  "POST /versements/apercu": "credit.record",
  "GET /utilisateurs": "user.manage",
  "POST /utilisateurs/:id/desactiver": "user.manage",
  "POST /utilisateurs/:id/reactiver": "user.manage",
  "POST /utilisateurs/:id/mot-de-passe": "user.manage",
  "POST /utilisateurs/jetons/:id/revoquer": "user.manage",
  "GET /mes-alertes": null,
  "POST /mes-alertes": null,
  "POST /mes-alertes/absence": null,
  "GET /mot-de-passe": null,
  "POST /mot-de-passe": null,
  "GET /securite/totp": null,
  "POST /securite/totp": null,
  "POST /deconnexion": null,
  "GET /admin/queues/*": "queue.dashboard",
  "GET /connexion": "public",
  "POST /connexion": "public",
  "GET /connexion/code": "public",
  "POST /connexion/code": "public",
  "GET /docs": "public",
  "GET /static/app.css": "public",
  "GET /static/api-reference.css": "public",
  "GET /openapi.json": "public",
  "GET /beneficiaires/:id/grand-livre": null,
  "GET /beneficiaires/:id/grand-livre/:transactionId/annulation": "credit.record",
  "POST /beneficiaires/:id/grand-livre/:transactionId/annulation": "credit.record",
  "GET /beneficiaires/:id/indu": "credit.record",
  "POST /beneficiaires/:id/indu": "credit.record",
  "GET /beneficiaires/:id/modifier": "beneficiary.write",
  "POST /beneficiaires/:id/modifier": "beneficiary.write",
  "GET /beneficiaires/:id/charges/:chargeId/modifier": "beneficiary.write",
  "POST /beneficiaires/:id/charges/:chargeId/modifier": "beneficiary.write",
  "GET /beneficiaires/:id/reversements": "beneficiary.write",
  "POST /beneficiaires/:id/reversements": "beneficiary.write",
  "GET /alertes/closes": null,
  "GET /versements/beneficiaires": "credit.record",
  "POST /versements/modifier": "credit.record",
  "GET /static/favicon.svg": "public",
  "GET /static/combobox.js": "public",
  "GET /alertes/:id/dossier": null,
};

/** A concrete path: unknown ids, a job that does not exist. */
const concrete = (path: string) =>
  path
    .replace(/\{name\}|:name/g, "no-such-job")
    .replace(/\{[A-Za-z]+\}|:[A-Za-z]+/g, () => randomUUID())
    .replace(/\*$/, "");

describe("the role matrix covers every route, API and UI, for every role", () => {
  let database: TestDatabase;
  let app: TestApp;
  const tokens = {} as Record<Role, Record<string, string>>;
  const sessions = {} as Record<Role, Session>;

  beforeAll(async () => {
    database = await createTestDatabase();
    app = createTestApp(database.db, { today: () => "2026-03-06", runJob: async () => ({}), queueDashboard: new Hono().get("*", (c) => c.text("tableau")) });
    for (const role of ROLES) {
      tokens[role] = await bearer(database.db, role);
      await staffUser(database.db, `${role}@roles.example`, role, `Staff ${role}`);
      sessions[role] = await uiSession(app, `${role}@roles.example`);
    }
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("pins who may do what (admins everything; the manager reads and approves, writes nothing alone)", () => {
    const matrix = Object.fromEntries(Object.keys(PERMISSIONS).map((a) => [a, ROLES.filter((r) => may(r, a as Action))]));
    expect(matrix).toEqual({
      "beneficiary.write": ["admin", "finance", "caseworker"],
      "beneficiary.assign": ["admin", "finance"],
      "beneficiary.readAll": ["admin", "finance", "manager"],
      "credit.record": ["admin", "finance"],
      "banking.manage": ["admin"],
      "measure.close": ["admin", "finance"],
      "payment.execute": ["admin", "finance"],
      "statement.import": ["admin", "finance"],
      "matching.manage": ["admin"],
      "operations.view": ["admin", "finance", "manager"],
      "ledger.trialBalance": ["admin", "finance", "manager"],
      "ledger.verify": ["admin", "manager"],
      "job.run": ["admin"],
      "queue.dashboard": ["admin"],
      "alert.handle": ["admin", "finance", "caseworker"],
      "user.create": ["admin"],
      "user.list": ["admin", "finance", "caseworker", "manager"],
      "user.manage": ["admin"],
      "delivery.manage": ["admin"],
      "proposal.list": ["admin", "finance", "caseworker", "manager"],
      "proposal.decide": ["admin", "finance", "manager"],
      "audit.read": ["admin", "manager"],
    });
  });

  it("every operation of /openapi.json and every other route of the app has an expectation, and nothing else does", async () => {
    const doc = (await (await app.request("/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(operations.sort()).toEqual(Object.keys(API).sort());
    const apiPaths = new Set(Object.keys(API).map((k) => k.replace(/\{(\w+)\}/g, ":$1")));
    const others = [...new Set(app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path}`))].filter((k) => !apiPaths.has(k));
    expect(others.sort()).toEqual(Object.keys(OTHER).sort());
  });

  for (const [route, action] of Object.entries(API)) {
    it(`API ${route}: ${action ?? "any role"}`, async () => {
      const [method, path] = route.split(" ") as [string, string];
      const url = concrete(path);
      const withBody = method !== "GET";
      for (const role of ROLES) {
        const res = await app.request(url, {
          method,
          headers: { ...tokens[role], "Idempotency-Key": randomUUID(), ...(withBody ? { "Content-Type": "application/json" } : {}) },
          body: withBody ? "{}" : undefined,
        });
        const refused = action !== null && action !== "public" && !may(role, action);
        expect(res.status === 403, `${route} as ${role}: ${res.status}`).toBe(refused);
        expect(res.status, `${route} as ${role}`).toBeLessThan(500);
      }
      if (action !== "public") expect((await app.request(url, { method })).status, `${route} without a token`).toBe(401);
    });
  }

  for (const [route, expectation] of Object.entries(OTHER)) {
    it(`UI ${route}: ${expectation ?? "any signed-in role"}`, async () => {
      const [method, path] = route.split(" ") as [string, string];
      const url = concrete(path);
      if (expectation === "public") {
        const res = await app.request(url, { method, body: method === "POST" ? new URLSearchParams({ email: "x@y.example", password: "x" }) : undefined });
        expect(res.status, route).toBeLessThan(500);
        // (a wrong password is a 401 of the login form, not a refusal of the route)
        expect(res.status, route).not.toBe(403);
        return;
      }
      for (const role of ROLES) {
        // Signing out ends the session: a session of its own for that route.
        const session = route === "POST /deconnexion" ? await uiSession(app, `${role}@roles.example`) : sessions[role];
        const res = method === "GET" ? await session.get(url) : await session.post(url, {});
        const refused = expectation !== null && !may(role, expectation);
        expect(res.status === 403, `${route} as ${role}: ${res.status}`).toBe(refused);
        expect(res.status, `${route} as ${role}`).toBeLessThan(500);
      }
    });
  }
});
