import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";

/**
 * The peer address of the connection (what sign-in throttling counts per address).
 * `X-Forwarded-For` is not read: any client could write it and so escape the count.
 * Without a socket (a test calling `app.request`) the address is "unknown".
 */
export function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
}
