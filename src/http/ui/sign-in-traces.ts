import type { Context } from "hono";
import type { SessionUser } from "../../auth/sessions";
import type { Db } from "../../db/client";
import { traceAccess, traceAnonymous } from "../../services/audit/access-log";
import { systemContext } from "../../services/context";
import { findUserByEmail } from "../../services/users/users";
import { clientAddress } from "../client-address";
import type { UiContext } from "./session";

/**
 * Sign-ins, failed sign-ins and sign-outs go to the access traces with the client's
 * address. A failed attempt records the account it aimed at (its id) when there is one,
 * never the e-mail typed: an unknown address may be anyone's, or a password typed in
 * the wrong field.
 */
export async function traceSignIn(c: Context, db: Db, email: string, user: Pick<SessionUser, "id" | "email" | "role"> | undefined): Promise<void> {
  const source = clientAddress(c);
  const requestId = c.get("requestId" as never) as string | undefined;
  if (user) {
    await traceAccess({ ...systemContext(db, `user:${user.email}`), role: user.role, userId: user.id, source, requestId }, { action: "login.succeeded" });
    return;
  }
  const target = email ? await findUserByEmail(systemContext(db), email.trim()) : undefined;
  await traceAnonymous(db, { action: "login.failed", userId: target?.id, source, requestId, details: { knownAccount: Boolean(target) } });
}

/** Before the session ends: who signed out, from where. */
export async function traceSignOut(c: UiContext): Promise<void> {
  await traceAccess(c.get("ctx"), { action: "logout" });
}
