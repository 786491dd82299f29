import type { MiddlewareHandler } from "hono";
import type { Logger } from "pino";
import type { Session } from "../../auth/sessions";
import type { AppEnv } from "../env";
import { setLateHeader } from "../late-header";

/**
 * One summary line per request, on a child logger that carries the request id, with
 * who made it (CNIL, 2021: every line identifies its author): the token id and its
 * staff member's id for the API, the user id for the web UI; ids, never names or
 * e-mails. The query string is left out (searches carry names), and no body is ever logged.
 */
export function requestLog(root: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const requestId = c.get("requestId");
    const logger = root.child({ requestId });
    c.set("logger", logger);
    const started = performance.now();
    await next();
    const principal = c.get("principal");
    // The web UI's session, set by its own middleware on the same context.
    const session = c.get("session" as never) as Session | undefined;
    logger.info(
      {
        method: c.req.method,
        path: c.req.path,
        route: c.req.routePath,
        status: c.res.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        role: principal?.role ?? session?.user.role,
        userId: principal?.userId ?? session?.user.id,
        tokenId: principal?.tokenId,
      },
      "request",
    );
    setLateHeader(c, "X-Request-Id", requestId);
  };
}
