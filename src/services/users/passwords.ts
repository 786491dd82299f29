import { eq } from "drizzle-orm";
import { z } from "zod";
import { PASSWORD_MAX_LENGTH, passwordIssues } from "../../auth/password-policy";
import { generatePassword, hashPassword, verifyPassword } from "../../auth/passwords";
import { endSessions } from "../../auth/sessions";
import type { Tx } from "../../db/client";
import { users } from "../../db/schema/users";
import { withTransaction } from "../../db/transaction";
import { NotFoundError, ValidationError } from "../../domain/errors";
import { recordAudit, type ServiceContext } from "../context";
import type { UserRef } from "./user-access";

export const ChangePasswordInput = z.object({
  currentPassword: z.string().min(1).max(PASSWORD_MAX_LENGTH),
  newPassword: z
    .string()
    .min(1)
    .max(PASSWORD_MAX_LENGTH * 4),
  confirmation: z.string().max(PASSWORD_MAX_LENGTH * 4),
});
export type ChangePasswordInput = z.input<typeof ChangePasswordInput>;

const refused = (field: string, code: string) => ({ field, code, message: code });

/**
 * The signed-in user replaces their password (the one-time password at first sign-in,
 * or any time): the current one is asked again, the new one must keep the policy
 * (password-policy.ts) and differ from it. Their other sessions end.
 */
export async function changePassword({ ctx, data, keepSession }: { ctx: ServiceContext; data: z.output<typeof ChangePasswordInput>; keepSession?: string }) {
  if (!ctx.userId) throw new ValidationError("only a signed-in staff member changes their password");
  const userId = ctx.userId;
  const [user] = await ctx.db.select().from(users).where(eq(users.id, userId));
  if (!user) throw new NotFoundError("user", userId);
  if (!user.passwordHash || !(await verifyPassword(user.passwordHash, data.currentPassword)))
    throw new ValidationError("the current password is wrong", [refused("currentPassword", "password_wrong")]);
  const issues = passwordIssues(data.newPassword, user).map((code) => refused("newPassword", code));
  if (data.newPassword !== data.confirmation) issues.push(refused("confirmation", "password_mismatch"));
  else if (issues.length === 0 && (await verifyPassword(user.passwordHash, data.newPassword))) issues.push(refused("newPassword", "password_unchanged"));
  if (issues.length) throw new ValidationError("the new password is refused", issues);
  const passwordHash = await hashPassword(data.newPassword);
  await withTransaction(ctx.db, async (tx) => {
    await tx.update(users).set({ passwordHash, mustChangePassword: false }).where(eq(users.id, userId));
    await endSessions(tx, userId, { keepToken: keepSession });
    await recordAudit(tx, ctx, { action: "user.password_change", entityType: "user", entityId: userId });
  });
}

/**
 * An administrator issues a new one-time password (forgotten password, lost
 * authenticator): it must be replaced at the next sign-in, the sessions end and the
 * TOTP enrolment is cleared, to be made again. The password is returned once, to hand over.
 */
export async function resetPassword({
  ctx,
  data,
}: {
  ctx: ServiceContext;
  data: z.output<typeof UserRef>;
}): Promise<{ id: string; email: string; password: string }> {
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  return withTransaction(ctx.db, async (tx) => {
    const user = await issueOneTimePassword(tx, data.userId, passwordHash);
    await recordAudit(tx, ctx, { action: "user.password_reset", entityType: "user", entityId: user.id });
    return { ...user, password };
  });
}

async function issueOneTimePassword(tx: Tx, userId: string, passwordHash: string) {
  const [user] = await tx
    .update(users)
    .set({ passwordHash, mustChangePassword: true, totpSecret: null, totpEnabledAt: null, totpLastStep: null })
    .where(eq(users.id, userId))
    .returning({ id: users.id, email: users.email });
  if (!user) throw new NotFoundError("user", userId);
  await endSessions(tx, userId);
  return user;
}
