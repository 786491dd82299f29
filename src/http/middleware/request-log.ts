import type { MiddlewareHandler } from "hono";
import type { Logger } from "pino";
import type { AppEnv } from "../env";

/**
 * One summary line per request, on a child logger that carries the request id. The
 * query string is left out (searches carry names), and no body is ever logged.
 */
export function requestLog(root: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const requestId = c.get("requestId");
    const logger = root.child({ requestId });
    c.set("logger", logger);
    const started = performance.now();
    await next();
    const principal = c.get("principal");
    logger.info(
      {
        method: c.req.method,
        path: c.req.path,
        route: c.req.routePath,
        status: c.res.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        role: principal?.role,
      },
      "request",
    );
    c.header("X-Request-Id", requestId);
  };
}
