import type { Context } from "hono";
import { businessDate } from "../domain/business-date";
import { centsToJson } from "../domain/money";
import type { ServiceContext } from "../services/context";
import { clientAddress } from "./client-address";
import type { AppDeps } from "./deps";
import type { AppEnv } from "./env";

/** The service context of a request: who acts (from the token), with which request id. */
export function serviceContext(c: Context<AppEnv>, deps: AppDeps): ServiceContext {
  const principal = c.get("principal");
  return {
    db: deps.db,
    actor: principal.actor,
    role: principal.role,
    userId: principal.userId,
    tokenId: principal.tokenId,
    source: clientAddress(c),
    requestId: c.get("requestId"),
    today: deps.today ?? (() => businessDate()),
    ...(deps.fourEyesThresholdCents === undefined ? {} : { fourEyesThresholdCents: deps.fourEyesThresholdCents }),
  };
}

/** A value as JSON carries it: bigint cents become numbers, Dates ISO strings. */
type Wire<T> = T extends bigint
  ? number
  : T extends Date
    ? string
    : T extends readonly (infer U)[]
      ? Wire<U>[]
      : T extends object
        ? { [K in keyof T]: Wire<T[K]> }
        : T;

/**
 * JSON for the wire: bigint cents become JSON numbers (exact below 2^53, checked),
 * Dates become ISO strings. Typed, so the route's response schema checks the result.
 */
export function toJson<T>(value: T): Wire<T> {
  return wire(value) as Wire<T>;
}

function wire(value: unknown): unknown {
  if (typeof value === "bigint") return centsToJson(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(wire);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = wire(v);
    return out;
  }
  return value;
}
