import { jsx } from "hono/jsx";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { auditRoutes } from "./api/audit";
import { bankingRoutes } from "./api/banking";
import { beneficiaryRoutes } from "./api/beneficiaries";
import { budgetPlanRoutes } from "./api/budget-plan";
import { creditRoutes } from "./api/credits";
import { healthRoutes } from "./api/health";
import { ledgerRoutes } from "./api/ledger";
import { measureRoutes } from "./api/measures";
import { operationRoutes } from "./api/operations";
import { paymentBatchRoutes } from "./api/payment-batches";
import { proposalRoutes } from "./api/proposals";
import { referenceRoutes } from "./api/reference";
import { staffAccessRoutes } from "./api/staff-access";
import { ApiReference } from "./api-reference";
import type { AppDeps } from "./deps";
import { errorResponse, handleError } from "./errors";
import { adminAuth } from "./middleware/admin-auth";
import { bearerAuth } from "./middleware/auth";
import { requestLog } from "./middleware/request-log";
import { createRouter } from "./router";
import { uiRoutes } from "./ui/routes";

const API_INFO = {
  title: "MASP 2 — registre des fonds",
  version: "1.0.0",
  description:
    "Prestations reçues pour les bénéficiaires d'une MASP 2 (art. L.271-1 CASF), affectées au loyer en priorité (L.271-2 al. 2), paiements programmés et alertes MASP 3. Montants en centimes d'euro.",
};

/**
 * The whole HTTP surface, built from route modules. No I/O happens here beyond what
 * the deps do, so tests call `app.request()` on an app wired to their own database.
 */
export function createApp(deps: AppDeps) {
  const app = createRouter();
  app.use("*", requestId({ headerName: "X-Request-Id" }));
  app.use("*", requestLog(deps.logger));
  app.use("*", secureHeaders());
  app.use("/v1/*", bearerAuth(deps.resolveToken));
  if (deps.queueDashboard) {
    app.use("/admin/*", adminAuth(deps));
    app.route("/admin/queues", deps.queueDashboard);
  }

  app.openAPIRegistry.registerComponent("securitySchemes", "Bearer", { type: "http", scheme: "bearer" });
  app.route("/", healthRoutes(deps));
  app.route("/", beneficiaryRoutes(deps));
  app.route("/", measureRoutes(deps));
  app.route("/", budgetPlanRoutes(deps));
  app.route("/", referenceRoutes(deps));
  app.route("/", creditRoutes(deps));
  app.route("/", operationRoutes(deps));
  app.route("/", bankingRoutes(deps));
  app.route("/", paymentBatchRoutes(deps));
  app.route("/", ledgerRoutes(deps));
  app.route("/", staffAccessRoutes(deps));
  app.route("/", proposalRoutes(deps));
  app.route("/", auditRoutes(deps));

  // Generated once, on first request: the routes do not change while the process lives.
  let document: ReturnType<typeof app.getOpenAPI31Document> | undefined;
  const openApiDocument = () => (document ??= app.getOpenAPI31Document({ openapi: "3.1.0", info: API_INFO }));
  app.get("/openapi.json", (c) => c.json(openApiDocument()));
  app.get("/docs", (c) => c.html(`<!doctype html>${jsx(ApiReference, { doc: openApiDocument() }).toString()}`));
  // The web UI owns every other path (French pages, session cookie, CSRF tokens).
  app.route("/", uiRoutes(deps, { secureCookies: deps.secureCookies ?? false }));

  app.notFound((c) => errorResponse(c, 404, "not_found", `no route for ${c.req.method} ${c.req.path}`));
  app.onError(handleError);
  return app;
}
