import { createHash, randomBytes } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import type { Db } from "../db/client";
import { apiTokens } from "../db/schema/auth";
import { users } from "../db/schema/users";
import { ROLES, type Role } from "../domain/roles";

export { ROLES, type Role };

export interface Principal {
  tokenId: string;
  role: Role;
  /** The token's label, recorded as the actor of what it does (never a person's name). */
  actor: string;
  /** The staff member the token acts for (a caseworker's caseload). */
  userId?: string;
}

/**
 * Tokens carry 256 bits of randomness, so a plain SHA-256 is the right storage:
 * a slow password hash would buy nothing and cost every request.
 */
export const hashToken = (token: string): string => createHash("sha256").update(token).digest("hex");

export async function createToken(db: Db, input: { role: Role; name: string; userId?: string }): Promise<{ id: string; token: string }> {
  const token = `masp_${randomBytes(32).toString("base64url")}`;
  const id = uuidv7();
  await db.insert(apiTokens).values({ id, role: input.role, name: input.name, tokenHash: hashToken(token), userId: input.userId ?? null });
  return { id, token };
}

/**
 * Looks a bearer token up on every request, joined with its staff member: a revoked
 * token, or the token of a disabled user, is refused at its next request in every
 * process (API and workers may run apart; no cache to invalidate). One lookup by the
 * unique index on `token_hash` plus the users' primary key: the credit hot path pays
 * one cheap indexed query.
 */
export function createTokenResolver(db: Db) {
  return async function resolve(token: string): Promise<Principal | null> {
    const [row] = await db
      .select({ id: apiTokens.id, role: apiTokens.role, name: apiTokens.name, userId: apiTokens.userId })
      .from(apiTokens)
      .leftJoin(users, eq(users.id, apiTokens.userId))
      .where(and(eq(apiTokens.tokenHash, hashToken(token)), isNull(apiTokens.revokedAt), isNull(users.disabledAt)))
      .limit(1);
    return row ? { tokenId: row.id, role: row.role, actor: `token:${row.name}`, userId: row.userId ?? undefined } : null;
  };
}

export type TokenResolver = ReturnType<typeof createTokenResolver>;
