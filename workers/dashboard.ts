import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { HonoAdapter } from "@bull-board/hono";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Queue } from "bullmq";
import { Hono } from "hono";

const DASHBOARD_PATH = "/admin/queues";

/**
 * bull-board's page links IBM Plex from Google Fonts. The dashboard shows job data
 * about people: no third party may learn who opens it, or when. The link is taken out
 * (the page falls back to the system fonts); every other file it loads is its own,
 * served from here.
 */
const THIRD_PARTY_LINK = /<link[^>]+href="https?:\/\/[^"]*"[^>]*>\s*/gi;

const withoutThirdPartyLinks = (html: string): string => html.replace(THIRD_PARTY_LINK, "");

/** The queue dashboard (bull-board): failed jobs, retries, progress. Mounted for admins only. */
export function queueDashboard(queues: readonly Queue[]) {
  const adapter = new HonoAdapter(serveStatic);
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter: adapter });
  adapter.setBasePath(DASHBOARD_PATH);
  const board = adapter.registerPlugin();
  const app = new Hono();
  app.use("*", async (c, next) => {
    await next();
    if (!c.res.headers.get("content-type")?.startsWith("text/html")) return;
    const html = withoutThirdPartyLinks(await c.res.text());
    const headers = new Headers(c.res.headers);
    headers.delete("content-length");
    c.res = new Response(html, { status: c.res.status, headers });
  });
  app.route("/", board);
  return app;
}
