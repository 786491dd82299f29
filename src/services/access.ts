import { and, eq, type SQL } from "drizzle-orm";
import { may } from "../auth/permissions";
import type { Executor } from "../db/client";
import { beneficiaries } from "../db/schema/beneficiaries";
import { NotFoundError } from "../domain/errors";
import type { ServiceContext } from "./context";

/**
 * A caseworker sees only their own caseload, enforced in the query itself; to them
 * another caseworker's beneficiary does not exist (404, not 403: no enumeration).
 */
export function caseloadFilter(ctx: ServiceContext): SQL | undefined {
  const scope = caseloadOf(ctx);
  return scope === null ? undefined : eq(beneficiaries.caseworkerId, scope);
}

/** The caseworker whose caseload bounds what `ctx` sees, or null when it sees everyone (a user-less caseworker token sees no one). */
export function caseloadOf(ctx: ServiceContext): string | null {
  return may(ctx.role, "beneficiary.readAll") ? null : (ctx.userId ?? "00000000-0000-0000-0000-000000000000");
}

export async function loadBeneficiary(executor: Executor, ctx: ServiceContext, id: string, options: { lock?: boolean } = {}) {
  const query = executor
    .select()
    .from(beneficiaries)
    .where(and(eq(beneficiaries.id, id), caseloadFilter(ctx)));
  const [row] = options.lock ? await query.for("update") : await query;
  if (!row) throw new NotFoundError("beneficiary", id);
  return row;
}
