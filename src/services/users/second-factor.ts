import { and, eq, isNull } from "drizzle-orm";
import { claimTotpStep } from "../../auth/sessions";
import { newTotpSecret, totpCodeStep, totpUri } from "../../auth/totp";
import { users } from "../../db/schema/users";
import { withTransaction } from "../../db/transaction";
import { NotFoundError, ValidationError } from "../../domain/errors";
import { recordAudit, type ServiceContext } from "../context";

/**
 * TOTP enrolment of the signed-in user: a secret is drawn (kept until it is confirmed
 * or replaced), shown as text and as an `otpauth://` URI, and becomes the second factor
 * once a code from the app is verified against it.
 */
export async function startTotpEnrolment(ctx: ServiceContext): Promise<{ secret: string; uri: string; enabled: boolean }> {
  const userId = signedIn(ctx);
  const [user] = await ctx.db.select({ email: users.email, secret: users.totpSecret, enabledAt: users.totpEnabledAt }).from(users).where(eq(users.id, userId));
  if (!user) throw new NotFoundError("user", userId);
  if (user.enabledAt) return { secret: "", uri: "", enabled: true };
  let secret = user.secret;
  if (!secret) {
    secret = newTotpSecret();
    await ctx.db
      .update(users)
      .set({ totpSecret: secret, totpLastStep: null })
      .where(and(eq(users.id, userId), isNull(users.totpEnabledAt)));
  }
  return { secret, uri: totpUri(secret, user.email), enabled: false };
}

export async function confirmTotpEnrolment({ ctx, code, now = new Date() }: { ctx: ServiceContext; code: string; now?: Date }) {
  const userId = signedIn(ctx);
  const [user] = await ctx.db
    .select({ secret: users.totpSecret, enabledAt: users.totpEnabledAt, lastStep: users.totpLastStep })
    .from(users)
    .where(eq(users.id, userId));
  if (!user?.secret || user.enabledAt)
    throw new ValidationError("no TOTP enrolment under way", [{ field: "code", code: "totp_no_enrolment", message: "no enrolment" }]);
  const step = await totpCodeStep(user.secret, code, now, user.lastStep);
  const wrong = () => new ValidationError("wrong TOTP code", [{ field: "code", code: "totp_wrong", message: "wrong code" }]);
  if (step === null) throw wrong();
  await withTransaction(ctx.db, async (tx) => {
    if (!(await claimTotpStep(tx, userId, step))) throw wrong();
    await tx.update(users).set({ totpEnabledAt: now }).where(eq(users.id, userId));
    await recordAudit(tx, ctx, { action: "user.totp_enable", entityType: "user", entityId: userId });
  });
}

function signedIn(ctx: ServiceContext): string {
  if (!ctx.userId) throw new ValidationError("only a signed-in staff member enrols a second factor");
  return ctx.userId;
}
