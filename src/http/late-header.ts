import type { Context } from "hono";

/**
 * Sets a header on the answer a handler already built. `c.header()` at that point asks
 * the response whether its body was used, which makes @hono/node-server build the real
 * web `Response` and then stream its body through web streams: a large part of a small
 * API answer's CPU. The lightweight response's own headers take the value in place;
 * only a response whose headers are immutable (a `Response.redirect()`) goes the long way.
 */
export function setLateHeader(c: Context, name: string, value: string): void {
  try {
    c.res.headers.set(name, value);
  } catch {
    c.header(name, value);
  }
}
