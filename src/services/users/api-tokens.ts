import { and, desc, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import { announceAccessChange } from "../../auth/token-cache";
import { apiTokens } from "../../db/schema/auth";
import { users } from "../../db/schema/users";
import { withTransaction } from "../../db/transaction";
import { NotFoundError } from "../../domain/errors";
import { traceAccess } from "../audit/access-log";
import { recordAudit, type ServiceContext } from "../context";

export const TokenRef = z.object({ tokenId: z.uuid() });
export type TokenRef = z.input<typeof TokenRef>;

/** Every API token, newest first, with the staff member it acts for (never the token itself: only its hash is kept). */
export async function listTokens({ ctx, userId }: { ctx: ServiceContext; userId?: string }) {
  const rows = await ctx.db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      role: apiTokens.role,
      userId: apiTokens.userId,
      userEmail: users.email,
      userDisabled: users.disabledAt,
      createdAt: apiTokens.createdAt,
      revokedAt: apiTokens.revokedAt,
    })
    .from(apiTokens)
    .leftJoin(users, eq(users.id, apiTokens.userId))
    .where(userId ? eq(apiTokens.userId, userId) : undefined)
    .orderBy(desc(apiTokens.createdAt), desc(apiTokens.id));
  return rows.map(({ userDisabled, ...t }) => ({ ...t, active: t.revokedAt === null && userDisabled === null }));
}

/**
 * Revocation is for good and immediate: once committed, every process's token cache is
 * told and acknowledges before this returns (auth/token-cache.ts).
 */
export async function revokeToken({ ctx, data }: { ctx: ServiceContext; data: z.output<typeof TokenRef> }) {
  const outcome = await withTransaction(ctx.db, async (tx) => {
    const [row] = await tx
      .update(apiTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiTokens.id, data.tokenId), isNull(apiTokens.revokedAt)))
      .returning({ id: apiTokens.id });
    if (row) {
      await recordAudit(tx, ctx, { action: "token.revoke", entityType: "api_token", entityId: row.id });
      await traceAccess(ctx, { action: "token.revoked", details: { revokedTokenId: row.id } }, tx);
      return { id: row.id, revoked: true as const };
    }
    const [known] = await tx.select({ id: apiTokens.id }).from(apiTokens).where(eq(apiTokens.id, data.tokenId));
    if (!known) throw new NotFoundError("token", data.tokenId);
    return { id: known.id, revoked: true as const };
  });
  await announceAccessChange(ctx.db);
  return outcome;
}
