import { and, eq, isNotNull, isNull } from "drizzle-orm";
import { z } from "zod";
import { endSessions } from "../../auth/sessions";
import { announceAccessChange } from "../../auth/token-cache";
import { users } from "../../db/schema/users";
import { withTransaction } from "../../db/transaction";
import { ConflictError, NotFoundError } from "../../domain/errors";
import { recordAudit, type ServiceContext } from "../context";

export const UserRef = z.object({ userId: z.uuid() });
export type UserRef = z.input<typeof UserRef>;

/**
 * A disabled staff member is out everywhere at once: their UI sessions are deleted
 * here, and their API tokens are refused from the next request on (the token lookup
 * joins `users.disabled_at`, and every process's token cache is told and acknowledges
 * before this returns). Re-enabling lets them sign in again and
 * brings back the tokens nobody revoked meanwhile.
 */
export async function disableUser({ ctx, data }: { ctx: ServiceContext; data: z.output<typeof UserRef> }) {
  if (data.userId === ctx.userId) throw new ConflictError("one may not disable one's own account");
  const outcome = await withTransaction(ctx.db, async (tx) => {
    const [row] = await tx
      .update(users)
      .set({ disabledAt: new Date() })
      .where(and(eq(users.id, data.userId), isNull(users.disabledAt)))
      .returning({ id: users.id });
    if (!row) return alreadyOrMissing(tx, data.userId, "disabled");
    await endSessions(tx, row.id);
    await recordAudit(tx, ctx, { action: "user.disable", entityType: "user", entityId: row.id });
    return { id: row.id, disabled: true };
  });
  await announceAccessChange(ctx.db);
  return outcome;
}

export async function enableUser({ ctx, data }: { ctx: ServiceContext; data: z.output<typeof UserRef> }) {
  return withTransaction(ctx.db, async (tx) => {
    const [row] = await tx
      .update(users)
      .set({ disabledAt: null })
      .where(and(eq(users.id, data.userId), isNotNull(users.disabledAt)))
      .returning({ id: users.id });
    if (!row) return alreadyOrMissing(tx, data.userId, "enabled");
    await recordAudit(tx, ctx, { action: "user.enable", entityType: "user", entityId: row.id });
    return { id: row.id, disabled: false };
  });
}

/** Disabling a disabled user (or enabling an active one) changes nothing and succeeds: a repeated click is harmless. */
async function alreadyOrMissing(tx: Parameters<Parameters<typeof withTransaction>[1]>[0], userId: string, state: "disabled" | "enabled") {
  const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.id, userId));
  if (!user) throw new NotFoundError("user", userId);
  return { id: user.id, disabled: state === "disabled" };
}
