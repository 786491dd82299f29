import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { jsx } from "hono/jsx";
import { ApiReference } from "./api-reference";
import { healthRoutes } from "./api/health";
import { ledgerRoutes } from "./api/ledger";
import type { AppDeps } from "./deps";
import { errorResponse, handleError } from "./errors";
import { bearerAuth } from "./middleware/auth";
import { requestLog } from "./middleware/request-log";
import { createRouter } from "./router";

export const API_INFO = {
  title: "MASP 2 — registre des fonds",
  version: "1.0.0",
  description:
    "Prestations reçues pour les bénéficiaires d'une MASP 2 (art. L.271-1 CASF), affectées au loyer en priorité, paiements programmés et alertes MASP 3. Montants en centimes d'euro.",
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

  app.openAPIRegistry.registerComponent("securitySchemes", "Bearer", { type: "http", scheme: "bearer" });
  app.route("/", healthRoutes(deps));
  app.route("/", ledgerRoutes(deps));

  app.doc31("/openapi.json", { openapi: "3.1.0", info: API_INFO });
  app.get("/docs", (c) => {
    const doc = app.getOpenAPI31Document({ openapi: "3.1.0", info: API_INFO });
    return c.html("<!doctype html>" + jsx(ApiReference, { doc }).toString());
  });
  app.get("/", (c) => c.redirect("/docs"));

  app.notFound((c) => errorResponse(c, 404, "not_found", `no route for ${c.req.method} ${c.req.path}`));
  app.onError(handleError);
  return app;
}

export type App = ReturnType<typeof createApp>;
