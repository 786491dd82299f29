import { randomBytes } from "node:crypto";
import { and, eq, gt, isNull, lt, lte, ne, or } from "drizzle-orm";
import type { Db, Executor } from "../db/client";
import { uiSessions } from "../db/schema/sessions";
import { users } from "../db/schema/users";
import type { Role } from "../domain/roles";
import { hashPassword, verifyPassword } from "./passwords";
import { hashToken } from "./tokens";
import { totpCodeStep } from "./totp";

/** A session ends 10 hours after sign-in, or after 30 minutes without a request (sliding). */
export const SESSION_HOURS = 10;
const IDLE_MINUTES = 30;
/** The roles that must add a TOTP code when `MFA_REQUIRED=on`: they move money or manage staff. */
const MFA_ROLES: readonly Role[] = ["admin", "finance"];

export interface SessionUser {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  mustChangePassword: boolean;
  totpEnabled: boolean;
}

export interface Session {
  user: SessionUser;
  csrfToken: string;
  /** The password was right, the TOTP code is still due. */
  awaitingTotp: boolean;
}

/**
 * What a session must do before it opens anything else: give its TOTP code, replace a
 * one-time password, enrol a second factor (required for its role), or nothing (null).
 */
export type SessionGate = "totp" | "password" | "enrol" | null;
export function sessionGate(session: Session, mfaRequired: boolean): SessionGate {
  if (session.awaitingTotp) return "totp";
  if (session.user.mustChangePassword) return "password";
  if (mfaRequired && MFA_ROLES.includes(session.user.role) && !session.user.totpEnabled) return "enrol";
  return null;
}

/** An unknown e-mail still costs one argon2 verification, so its answer takes as long as a wrong password's. */
let dummyHash: Promise<string> | undefined;
const dummy = () => (dummyHash ??= hashPassword(randomBytes(18).toString("base64url")));

/**
 * The active staff member with this e-mail and password, or null: unknown e-mail,
 * disabled account, no password yet and wrong password all get the same null after
 * the same work.
 */
export async function checkPassword(db: Db, email: string, password: string) {
  const [user] = await db
    .select()
    .from(users)
    .where(and(eq(users.email, email.trim().toLowerCase()), isNull(users.disabledAt)));
  const valid = await verifyPassword(user?.passwordHash ?? (await dummy()), password);
  return valid && user?.passwordHash ? user : null;
}

/** A new session for a user whose password was checked; it still awaits the TOTP code if they enrolled one. */
export async function openSession(db: Db, user: { id: string; totpEnabledAt: Date | null }, now: Date): Promise<{ token: string; awaitingTotp: boolean }> {
  const token = randomBytes(32).toString("base64url");
  const awaitingTotp = user.totpEnabledAt !== null;
  // Sessions of this user that ended are forgotten as a new one starts.
  await db.delete(uiSessions).where(and(eq(uiSessions.userId, user.id), or(lte(uiSessions.expiresAt, now), lte(uiSessions.lastSeenAt, idleSince(now)))));
  await db.insert(uiSessions).values({
    tokenHash: hashToken(token),
    userId: user.id,
    csrfToken: randomBytes(24).toString("base64url"),
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + SESSION_HOURS * 3600_000),
    awaitingTotp,
  });
  return { token, awaitingTotp };
}

const idleSince = (now: Date) => new Date(now.getTime() - IDLE_MINUTES * 60_000);

/**
 * The session of a cookie, in one statement that also slides its idle deadline: none
 * once it expired, sat idle for `IDLE_MINUTES`, or its user was disabled (so a disabled
 * user's sessions end at their next request, in every process).
 */
export async function resolveSession(db: Db, token: string, now: Date = new Date()): Promise<Session | null> {
  const [row] = await db
    .update(uiSessions)
    .set({ lastSeenAt: now })
    .from(users)
    .where(
      and(
        eq(uiSessions.tokenHash, hashToken(token)),
        eq(users.id, uiSessions.userId),
        isNull(users.disabledAt),
        gt(uiSessions.expiresAt, now),
        gt(uiSessions.lastSeenAt, idleSince(now)),
      ),
    )
    .returning({
      csrfToken: uiSessions.csrfToken,
      awaitingTotp: uiSessions.awaitingTotp,
      id: users.id,
      email: users.email,
      displayName: users.displayName,
      role: users.role,
      mustChangePassword: users.mustChangePassword,
      totpEnabledAt: users.totpEnabledAt,
    });
  if (!row) return null;
  const { csrfToken, awaitingTotp, totpEnabledAt, ...user } = row;
  return { csrfToken, awaitingTotp, user: { ...user, totpEnabled: totpEnabledAt !== null } };
}

/** The second step of a sign-in: a valid TOTP code, not used before, opens the session. */
export async function confirmTotp(db: Db, token: string, code: string, now: Date = new Date()): Promise<boolean> {
  const [row] = await db
    .select({ userId: users.id, secret: users.totpSecret, lastStep: users.totpLastStep })
    .from(uiSessions)
    .innerJoin(users, eq(users.id, uiSessions.userId))
    .where(and(eq(uiSessions.tokenHash, hashToken(token)), eq(uiSessions.awaitingTotp, true)));
  const step = row?.secret ? await totpCodeStep(row.secret, code, now, row.lastStep) : null;
  if (!row || step === null || !(await claimTotpStep(db, row.userId, step))) return false;
  await db
    .update(uiSessions)
    .set({ awaitingTotp: false, lastSeenAt: now })
    .where(eq(uiSessions.tokenHash, hashToken(token)));
  return true;
}

/** Records the step of an accepted code; false when another request used this step (or a later one) first. */
export async function claimTotpStep(executor: Executor, userId: string, step: number): Promise<boolean> {
  const claimed = await executor
    .update(users)
    .set({ totpLastStep: step })
    .where(and(eq(users.id, userId), or(isNull(users.totpLastStep), lt(users.totpLastStep, step))))
    .returning({ id: users.id });
  return claimed.length === 1;
}

export async function logout(db: Db, token: string): Promise<void> {
  await db.delete(uiSessions).where(eq(uiSessions.tokenHash, hashToken(token)));
}

/** Ends every session of a user (disabled, password reset), or every other one (password changed). */
export async function endSessions(executor: Executor, userId: string, options: { keepToken?: string } = {}): Promise<void> {
  await executor
    .delete(uiSessions)
    .where(and(eq(uiSessions.userId, userId), options.keepToken ? ne(uiSessions.tokenHash, hashToken(options.keepToken)) : undefined));
}
