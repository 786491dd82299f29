import { createHash, randomBytes } from "node:crypto";
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

const LOOKUP_SQL = `select t.id, t.role, t.name, t.user_id from api_tokens t left join users u on u.id = t.user_id
  where t.token_hash = $1 and t.revoked_at is null and u.disabled_at is null limit 1`;

/**
 * The principal of a token's hash, read from the database, joined with its staff member:
 * a revoked token, or the token of a disabled user, is refused. One lookup by the unique
 * index on `token_hash` plus the users' primary key, sent as a prepared statement (the
 * query builder would cost every request its planning and its Node CPU).
 */
export async function lookupToken(db: Db, tokenHash: string): Promise<Principal | null> {
  const [row] = await db.$raw.query<{ id: string; role: Role; name: string; user_id: string | null }>(LOOKUP_SQL, [tokenHash]);
  return row ? { tokenId: row.id, role: row.role, actor: `token:${row.name}`, userId: row.user_id ?? undefined } : null;
}

/**
 * Looks a bearer token up in the database on every request: what a process without
 * Redis uses (the embedded default, the tests). With Redis, `cachedTokenResolver`
 * (token-cache.ts) answers from memory and is told at once of every revocation.
 */
export function createTokenResolver(db: Db) {
  return (token: string): Promise<Principal | null> => lookupToken(db, hashToken(token));
}

export type TokenResolver = (token: string) => Promise<Principal | null>;
