import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { jsx } from "hono/jsx";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { timeout } from "hono/timeout";
import { auditRoutes } from "./api/audit";
import { bankingRoutes } from "./api/banking";
import { beneficiaryRoutes } from "./api/beneficiaries";
import { budgetPlanRoutes } from "./api/budget-plan";
import { creditRoutes } from "./api/credits";
import { healthRoutes } from "./api/health";
import { ledgerRoutes } from "./api/ledger";
import { measureRoutes } from "./api/measures";
import { moneyOutRoutes } from "./api/money-out";
import { notificationRoutes } from "./api/notifications";
import { operationRoutes } from "./api/operations";
import { paymentBatchRoutes } from "./api/payment-batches";
import { proposalRoutes } from "./api/proposals";
import { referenceRoutes } from "./api/reference";
import { staffAccessRoutes } from "./api/staff-access";
import { statementRoutes } from "./api/statements";
import { ApiReference } from "./api-reference";
import type { AppDeps } from "./deps";
import type { AppEnv } from "./env";
import { errorResponse, handleError } from "./errors";
import { setLateHeader } from "./late-header";
import { countedBody, DEFAULT_LIMITS, limitsFor, type RequestLimits } from "./limits";
import { adminAuth } from "./middleware/admin-auth";
import { bearerAuth } from "./middleware/auth";
import { jsonGuard } from "./middleware/json-guard";
import { requestLog } from "./middleware/request-log";
import { createRouter } from "./router";
import { staticRoutes } from "./ui/assets";
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
  app.use("*", securityHeaders());
  app.use("*", requestLimits(deps.limits ?? DEFAULT_LIMITS));
  app.route("/", staticRoutes());
  app.use("/v1/*", bearerAuth(deps.resolveToken));
  app.use("*", jsonGuard());
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
  app.route("/", moneyOutRoutes(deps));
  app.route("/", statementRoutes(deps));
  app.route("/", ledgerRoutes(deps));
  app.route("/", staffAccessRoutes(deps));
  app.route("/", proposalRoutes(deps));
  app.route("/", auditRoutes(deps));
  app.route("/", notificationRoutes(deps));

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

/**
 * A policy that allows no inline script or style, anywhere (the UI's CSS and its one
 * script are static files), no framing, no form posted elsewhere. The queue dashboard
 * (bull-board, admins only) has inline styles of its own: its policy allows them, and
 * nothing else from another host (scripts, styles, fonts, images, requests): no third
 * party learns who opens it. Every answer but a static file is `no-store`:
 * pages and API answers carry personal data that no cache may keep.
 */
function securityHeaders(): MiddlewareHandler<AppEnv> {
  const strict = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", "data:"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    xFrameOptions: "DENY",
  });
  const dashboard = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", "data:"],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    xFrameOptions: "DENY",
  });
  return async (c, next) => {
    const isStatic = c.req.path.startsWith("/static/");
    await (c.req.path.startsWith("/admin/") ? dashboard : strict)(c, async () => {
      await next();
    });
    if (!isStatic) setLateHeader(c, "Cache-Control", "no-store");
  };
}

/**
 * The body size and time limits of the route (limits.ts): 413 for a body too large,
 * 503 for an answer too slow, both in the contract's error shape. A timed-out request's
 * transaction is not cut: it commits or rolls back on its own.
 */
function requestLimits(defaults: RequestLimits): MiddlewareHandler<AppEnv> {
  // Built once per distinct pair of limits (a handful), not per request.
  const guards = new Map<string, { tooLarge: MiddlewareHandler<AppEnv>; slow: MiddlewareHandler<AppEnv> }>();
  const guardsFor = (limits: RequestLimits) => {
    const key = `${limits.bodyBytes}:${limits.timeoutMs}`;
    let g = guards.get(key);
    if (!g) {
      g = {
        tooLarge: bodyLimit({
          maxSize: limits.bodyBytes,
          onError: (c) => errorResponse(c, 413, "payload_too_large", `the request body exceeds ${limits.bodyBytes} bytes`),
        }),
        slow: timeout(limits.timeoutMs, () => new HTTPException(503, { message: `no answer within ${limits.timeoutMs} ms` })),
      };
      guards.set(key, g);
    }
    return g;
  };
  return async (c, next) => {
    const limits = limitsFor(c.req.method, c.req.path, defaults);
    const { tooLarge, slow } = guardsFor(limits);
    const timed = async () => {
      await slow(c, next);
    };
    // A declared length is judged from the header alone: hono's bodyLimit would first open the
    // body as a web stream, which takes @hono/node-server off its fast path of reading the body.
    const length = c.req.header("content-length");
    if (c.req.method === "GET" || c.req.method === "HEAD") return timed();
    if (length !== undefined && /^\d+$/.test(length) && c.req.header("transfer-encoding") === undefined) {
      if (Number(length) > limits.bodyBytes) return errorResponse(c, 413, "payload_too_large", `the request body exceeds ${limits.bodyBytes} bytes`);
      return timed();
    }
    // A large body without a declared length (a statement sent chunked) is counted as it
    // streams: hono's bodyLimit would buffer it whole. Past the limit the reader fails with 413.
    if (limits.bodyBytes > defaults.bodyBytes && c.req.raw.body) {
      c.req.raw = new Request(c.req.raw, { body: countedBody(c.req.raw.body, limits.bodyBytes), duplex: "half" } as RequestInit);
      return timed();
    }
    return tooLarge(c, timed);
  };
}
