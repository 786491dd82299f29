import { createHash, randomBytes } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import type { Db } from "../db/client";
import { apiTokens } from "../db/schema/auth";
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
 * Looks a bearer token up, with a short cache so the hot paths (credits) do not pay a
 * query per request. A revoked token stops working within the cache's lifetime.
 */
export function createTokenResolver(db: Db, ttlMs = 30_000) {
  const cache = new Map<string, { principal: Principal | null; expires: number }>();
  return async function resolve(token: string): Promise<Principal | null> {
    const key = hashToken(token);
    const now = Date.now();
    const hit = cache.get(key);
    if (hit && hit.expires > now) return hit.principal;
    const [row] = await db
      .select({ id: apiTokens.id, role: apiTokens.role, name: apiTokens.name, userId: apiTokens.userId })
      .from(apiTokens)
      .where(and(eq(apiTokens.tokenHash, key), isNull(apiTokens.revokedAt)))
      .limit(1);
    const principal = row ? { tokenId: row.id, role: row.role, actor: `token:${row.name}`, userId: row.userId ?? undefined } : null;
    if (cache.size > 10_000) cache.clear();
    cache.set(key, { principal, expires: now + ttlMs });
    return principal;
  };
}

export type TokenResolver = ReturnType<typeof createTokenResolver>;
