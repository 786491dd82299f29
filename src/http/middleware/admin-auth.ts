import type { MiddlewareHandler } from "hono";
import { every } from "hono/combine";
import { may } from "../../auth/permissions";
import { sessionGate } from "../../auth/sessions";
import type { AppDeps } from "../deps";
import type { AppEnv } from "../env";
import { errorResponse } from "../errors";
import { sessionOf } from "../ui/session";
import { allow, bearerAuth } from "./auth";
import { requestSite } from "./request-site";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Admin pages (the queue dashboard) for an admin bearer token, or for an admin signed
 * in to the web UI. The dashboard's own calls (retry, clean) carry no CSRF token, so a
 * session may only change something from this origin: the browser's `Sec-Fetch-Site`
 * or `Origin` says where the request comes from, and the cookie is SameSite=Lax.
 */
export function adminAuth(deps: Pick<AppDeps, "db" | "resolveToken" | "now" | "mfaRequired">): MiddlewareHandler<AppEnv> {
  const bearerAdmin = every(bearerAuth(deps.resolveToken), allow("queue.dashboard"));
  return async (c, next) => {
    if (c.req.header("authorization")) return bearerAdmin(c, next);
    const found = await sessionOf(c, deps);
    // A session still owing a TOTP code, a new password or an enrolment is not signed in yet.
    const session = found && !sessionGate(found, deps.mfaRequired ?? false) ? found : null;
    if (!session)
      return SAFE_METHODS.has(c.req.method) && c.req.header("accept")?.includes("text/html")
        ? c.redirect("/connexion")
        : errorResponse(c, 401, "unauthorized", "sign in or give a bearer token");
    if (!may(session.user.role, "queue.dashboard")) return errorResponse(c, 403, "forbidden", "the queue dashboard is for administrators");
    if (!SAFE_METHODS.has(c.req.method) && requestSite(c.req.raw) !== "same-origin") return errorResponse(c, 403, "forbidden", "cross-site request refused");
    c.set("principal", { tokenId: `session:${session.user.id}`, role: session.user.role, actor: `user:${session.user.email}`, userId: session.user.id });
    await next();
  };
}
