import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";

/**
 * The address of the peer that sent the request, as the socket says (not a header a
 * client could write). Behind a reverse proxy this is the proxy: its own log holds the
 * rest. `undefined` when the request came through no socket (`app.request` in tests).
 */
export function clientAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}
