import { and, eq, isNull, ne } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "../../db/client";
import { notificationPreferences, userAbsences } from "../../db/schema/notifications";
import { users } from "../../db/schema/users";
import { withTransaction } from "../../db/transaction";
import { fieldError, NotFoundError } from "../../domain/errors";
import { ALL_ALERT_TYPES, type AlertKind } from "../../domain/finance-alerts";
import { DELIVERY_MODES, type DeliveryMode } from "../../domain/notifications";
import { recordAudit, type ServiceContext } from "../context";
import { CalendarDate } from "../schemas";

const Mode = z.enum(DELIVERY_MODES);

/** Per alert type, `immediate` or `digest`; a MASP 3 trigger is always immediate. A type left out: immediate for a caseworker, none for finance. */
export const NotificationPreferencesInput = z
  .object(
    Object.fromEntries(ALL_ALERT_TYPES.map((t) => [t, t === "masp3_trigger" ? z.literal("immediate").optional() : Mode.optional()])) as Record<
      AlertKind,
      z.ZodOptional<typeof Mode>
    >,
  )
  .strict();
export type NotificationPreferencesInput = z.input<typeof NotificationPreferencesInput>;

export const AbsenceInput = z
  .object({ from: CalendarDate, to: CalendarDate, substituteId: z.uuid() })
  .strict()
  .refine((a) => a.from <= a.to, { path: ["to"], message: "must not be before from", params: { reason: "end_before_start" } });
export type AbsenceInput = z.input<typeof AbsenceInput>;

/** One's own settings, or anyone's for an admin; someone else's are not found (like a beneficiary outside one's caseload). */
async function lockTarget(tx: Tx, ctx: ServiceContext, userId: string) {
  if (ctx.role !== "admin" && ctx.userId !== userId) throw new NotFoundError("user", userId);
  const [row] = await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for("update");
  if (!row) throw new NotFoundError("user", userId);
}

export async function setNotificationPreferences({
  ctx,
  userId,
  data,
}: {
  ctx: ServiceContext;
  userId: string;
  data: z.output<typeof NotificationPreferencesInput>;
}) {
  return withTransaction(ctx.db, async (tx) => {
    await lockTarget(tx, ctx, userId);
    const rows = Object.entries(data)
      .filter((e): e is [AlertKind, DeliveryMode] => e[1] !== undefined)
      .map(([alertType, mode]) => ({ userId, alertType, mode }));
    await tx.delete(notificationPreferences).where(eq(notificationPreferences.userId, userId));
    if (rows.length) await tx.insert(notificationPreferences).values(rows);
    const preferences = Object.fromEntries(rows.map((r) => [r.alertType, r.mode])) as Partial<Record<AlertKind, DeliveryMode>>;
    await recordAudit(tx, ctx, { action: "user.notifications", entityType: "user", entityId: userId, changes: { preferences } });
    return { userId, preferences };
  });
}

export async function setAbsence({ ctx, userId, data }: { ctx: ServiceContext; userId: string; data: z.output<typeof AbsenceInput> }) {
  return withTransaction(ctx.db, async (tx) => {
    await lockTarget(tx, ctx, userId);
    if (data.substituteId === userId) throw fieldError("substituteId", "a substitute is someone else", "self_substitute");
    const [substitute] = await tx
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.id, data.substituteId), isNull(users.disabledAt), ne(users.id, userId)));
    if (!substitute) throw fieldError("substituteId", "no active staff member with this id", "unknown_substitute");
    const values = { userId, from: data.from, to: data.to, substituteId: data.substituteId, updatedAt: new Date() };
    await tx.insert(userAbsences).values(values).onConflictDoUpdate({ target: userAbsences.userId, set: values });
    await recordAudit(tx, ctx, {
      action: "user.absence",
      entityType: "user",
      entityId: userId,
      changes: { from: data.from, to: data.to, substituteId: data.substituteId },
    });
    return { userId, from: data.from, to: data.to, substituteId: data.substituteId };
  });
}

/** What the two setters above last recorded for a person (same access rule), for the settings page to show. */
export async function readNotificationSettings({ ctx, userId }: { ctx: ServiceContext; userId: string }) {
  if (ctx.role !== "admin" && ctx.userId !== userId) throw new NotFoundError("user", userId);
  const [rows, [absence]] = await Promise.all([
    ctx.db.select().from(notificationPreferences).where(eq(notificationPreferences.userId, userId)),
    ctx.db.select().from(userAbsences).where(eq(userAbsences.userId, userId)),
  ]);
  const preferences = Object.fromEntries(rows.map((r) => [r.alertType, r.mode])) as Partial<Record<AlertKind, DeliveryMode>>;
  return { userId, preferences, absence: absence ? { from: absence.from, to: absence.to, substituteId: absence.substituteId } : null };
}
