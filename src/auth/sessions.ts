import { randomBytes } from "node:crypto";
import { and, eq, gt, isNull } from "drizzle-orm";
import type { Db } from "../db/client";
import { uiSessions } from "../db/schema/sessions";
import { users } from "../db/schema/users";
import { verifyPassword } from "./passwords";
import { hashToken, type Role } from "./tokens";

export const SESSION_HOURS = 10;

export interface SessionUser {
  id: string;
  email: string;
  displayName: string;
  role: Role;
}

export interface Session {
  user: SessionUser;
  csrfToken: string;
}

/** Checks e-mail and password; the same answer for an unknown e-mail and a wrong password. */
export async function login(db: Db, email: string, password: string): Promise<{ token: string; session: Session } | null> {
  const [user] = await db
    .select()
    .from(users)
    .where(and(eq(users.email, email.trim().toLowerCase()), isNull(users.disabledAt)));
  if (!user?.passwordHash || !(await verifyPassword(user.passwordHash, password))) return null;
  const token = randomBytes(32).toString("base64url");
  const csrfToken = randomBytes(24).toString("base64url");
  await db.insert(uiSessions).values({ tokenHash: hashToken(token), userId: user.id, csrfToken, expiresAt: new Date(Date.now() + SESSION_HOURS * 3600_000) });
  return { token, session: { csrfToken, user: { id: user.id, email: user.email, displayName: user.displayName, role: user.role } } };
}

export async function resolveSession(db: Db, token: string): Promise<Session | null> {
  const [row] = await db
    .select({ csrfToken: uiSessions.csrfToken, user: { id: users.id, email: users.email, displayName: users.displayName, role: users.role } })
    .from(uiSessions)
    .innerJoin(users, eq(users.id, uiSessions.userId))
    .where(and(eq(uiSessions.tokenHash, hashToken(token)), gt(uiSessions.expiresAt, new Date()), isNull(users.disabledAt)));
  return row ?? null;
}

export async function logout(db: Db, token: string): Promise<void> {
  await db.delete(uiSessions).where(eq(uiSessions.tokenHash, hashToken(token)));
}
