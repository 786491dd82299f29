import type { Db, Executor } from "../db/client";
import { auditLog } from "../db/schema/audit";
import { businessDate } from "../domain/business-date";
import type { Role } from "../domain/roles";

/** Who is acting, and on what: every service verb receives one. */
export interface ServiceContext {
  db: Db;
  actor: string;
  role: Role;
  /** The staff member behind the token; a caseworker sees only their own caseload. */
  userId?: string;
  /** The API token acting (none in the UI): with `userId`, who proposed (four eyes); access traces identify it. */
  tokenId?: string;
  /** Where the request came from (the client's address, `cli:…`), for the access traces. */
  source?: string;
  requestId?: string;
  /** Today's business date (Europe/Paris); injectable so tests can travel in time. */
  today(): string;
  /** A one-off payment above this needs a second person (`FOUR_EYES_THRESHOLD_CENTS`); default 50 000. */
  fourEyesThresholdCents?: bigint;
}

export function systemContext(db: Db, actor = "system"): ServiceContext {
  return { db, actor, role: "admin", today: () => businessDate() };
}

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string;
  beneficiaryId?: string | null;
  changes?: Record<string, unknown>;
}

/** Written inside the business operation's transaction: no change without its trace. */
export async function recordAudit(executor: Executor, ctx: ServiceContext, entry: AuditEntry): Promise<void> {
  await executor.insert(auditLog).values({
    actor: ctx.actor,
    role: ctx.role,
    requestId: ctx.requestId ?? null,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    beneficiaryId: entry.beneficiaryId ?? null,
    changes: entry.changes ?? {},
  });
}
