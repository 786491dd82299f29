import type { Context } from "hono";
import { businessDate } from "../domain/business-date";
import type { ServiceContext } from "../services/context";
import type { AppDeps } from "./deps";
import type { AppEnv } from "./env";
import { centsToJson } from "./schemas";

/** The service context of a request: who acts (from the token), with which request id. */
export function serviceContext(c: Context<AppEnv>, deps: AppDeps): ServiceContext {
  const principal = c.get("principal");
  return {
    db: deps.db,
    actor: principal.actor,
    role: principal.role,
    userId: principal.userId,
    requestId: c.get("requestId"),
    today: deps.today ?? (() => businessDate()),
  };
}

/**
 * JSON for the wire: bigint cents become JSON numbers (exact below 2^53, checked),
 * Dates become ISO strings.
 */
export function toJson(value: unknown): any {
  if (typeof value === "bigint") return centsToJson(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJson);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJson(v);
    return out;
  }
  return value;
}
