import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { QUEUE_STATES } from "../../jobs/catalog";
import type { AppDeps } from "../deps";
import { createRouter } from "../router";

const Health = z
  .object({
    status: z.enum(["ok", "degraded"]),
    db: z.enum(["ok", "error"]),
    queue: z.enum(QUEUE_STATES),
  })
  .openapi("Health");

const route = createRoute({
  method: "get",
  path: "/health",
  tags: ["Operations"],
  summary: "Liveness and readiness",
  description: "No authentication. `queue` is `disabled` when jobs run in-process (embedded default without Redis).",
  responses: {
    200: { description: "Everything answers", content: { "application/json": { schema: Health } } },
    503: { description: "The database or the queue does not answer", content: { "application/json": { schema: Health } } },
  },
});

export function healthRoutes(deps: AppDeps) {
  return createRouter().openapi(route, async (c) => {
    const db = await deps.db.execute(sql`select 1`).then(
      () => "ok" as const,
      () => "error" as const,
    );
    const queue = await deps.queueState().catch(() => "error" as const);
    const healthy = db === "ok" && queue !== "error";
    return c.json({ status: healthy ? ("ok" as const) : ("degraded" as const), db, queue }, healthy ? 200 : 503);
  });
}
