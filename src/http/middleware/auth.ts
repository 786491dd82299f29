import type { MiddlewareHandler } from "hono";
import { type Action, may, rolesFor } from "../../auth/permissions";
import type { TokenResolver } from "../../auth/tokens";
import type { AppEnv } from "../env";
import { errorResponse } from "../errors";

/** Every /v1 route: `Authorization: Bearer <token>`; no token or an unknown one is a 401. */
export function bearerAuth(resolve: TokenResolver): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+([A-Za-z0-9_\-.~+/=]{10,200})$/.exec(header);
    if (!match?.[1]) return errorResponse(c, 401, "unauthorized", "missing or malformed bearer token");
    const principal = await resolve(match[1]);
    if (!principal) return errorResponse(c, 401, "unauthorized", "unknown or revoked token");
    c.set("principal", principal);
    await next();
  };
}

/** A role that may not do the action (`PERMISSIONS`, shared with the UI) gets a 403. */
export function allow(action: Action): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const { role } = c.get("principal");
    if (!may(role, action)) return errorResponse(c, 403, "forbidden", `role ${role} may not do this (needs ${rolesFor(action).join(" or ")})`);
    await next();
  };
}
