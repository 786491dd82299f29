import { hostname, userInfo } from "node:os";
import type { Executor } from "../../db/client";
import { accessLog } from "../../db/schema/access";
import type { AccessAction } from "../../domain/access-traces";
import type { ServiceContext } from "../context";

export interface AccessTrace {
  action: AccessAction;
  beneficiaryId?: string | null;
  /** What was read: filters, counts. Never a search's text (it may be a name): `searchDetails`. */
  details?: Record<string, unknown>;
}

/**
 * One access trace, for the request (or command) `ctx` describes: who (user or token
 * id, role, actor), from where (`ctx.source`), with which request id. A read of personal
 * data is not answered without its trace: a failure here fails the read.
 */
export async function traceAccess(ctx: ServiceContext, trace: AccessTrace, executor: Executor = ctx.db): Promise<void> {
  await executor.insert(accessLog).values({
    action: trace.action,
    actor: ctx.actor,
    role: ctx.role,
    userId: ctx.userId ?? null,
    tokenId: ctx.tokenId ?? null,
    source: ctx.source ?? null,
    requestId: ctx.requestId ?? null,
    beneficiaryId: trace.beneficiaryId ?? null,
    details: trace.details ?? {},
  });
}

/** A trace with no signed-in actor yet (a failed sign-in): who is only what the request says. */
export async function traceAnonymous(executor: Executor, trace: AccessTrace & { source?: string; requestId?: string; userId?: string }): Promise<void> {
  await executor.insert(accessLog).values({
    action: trace.action,
    actor: "anonymous",
    userId: trace.userId ?? null,
    source: trace.source ?? null,
    requestId: trace.requestId ?? null,
    details: trace.details ?? {},
  });
}

/** What a search is recorded as: its length and whether it was a number (CAF/MSA) or a name, never its text. */
export function searchDetails(q: string | undefined): Record<string, unknown> {
  return q ? { search: { length: [...q].length, kind: /^\d+$/.test(q) ? "number" : "text" } } : {};
}

/** The command line's "address": the operating-system account and machine that ran it. */
export function cliSource(): string {
  let account = "unknown";
  try {
    account = userInfo().username;
  } catch {
    // no passwd entry (some containers): the machine still says where
  }
  return `cli:${account}@${hostname()}`;
}
