import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { HonoAdapter } from "@bull-board/hono";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Queue } from "bullmq";

const DASHBOARD_PATH = "/admin/queues";

/** The queue dashboard (bull-board): failed jobs, retries, progress. Mounted for admins only. */
export function queueDashboard(queues: readonly Queue[]) {
  const adapter = new HonoAdapter(serveStatic);
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter: adapter });
  adapter.setBasePath(DASHBOARD_PATH);
  return adapter.registerPlugin();
}
