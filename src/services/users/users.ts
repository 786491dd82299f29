import { and, asc, eq, isNull } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import { z } from "zod";
import { PG, pgError } from "../../db/errors";
import { users } from "../../db/schema/users";
import { withTransaction } from "../../db/transaction";
import { ConflictError } from "../../domain/errors";
import { ROLES } from "../../domain/roles";
import { recordAudit, type ServiceContext } from "../context";
import { PersonName } from "../schemas";

export const CreateUserInput = z.object({
  email: z
    .email()
    .max(200)
    .transform((e) => e.toLowerCase()),
  displayName: PersonName,
  role: z.enum(ROLES),
});
export type CreateUserInput = z.input<typeof CreateUserInput>;

const userView = (u: typeof users.$inferSelect) => ({ id: u.id, email: u.email, displayName: u.displayName, role: u.role, disabled: u.disabledAt !== null });

/** Staff accounts: caseworkers are assigned beneficiaries; a one-time password is issued by `resetPassword` (passwords.ts). */
export async function createUser({ ctx, data }: { ctx: ServiceContext; data: z.output<typeof CreateUserInput> }) {
  try {
    return await withTransaction(ctx.db, async (tx) => {
      const id = uuidv7();
      const [row] = await tx
        .insert(users)
        .values({ id, ...data })
        .returning();
      await recordAudit(tx, ctx, { action: "user.create", entityType: "user", entityId: id, changes: { role: data.role } });
      return userView(row!);
    });
  } catch (error) {
    if (pgError(error)?.code === PG.uniqueViolation) throw new ConflictError("a user with this e-mail already exists");
    throw error;
  }
}

export async function listUsers({ ctx, role }: { ctx: ServiceContext; role?: (typeof ROLES)[number] }) {
  const rows = await ctx.db
    .select()
    .from(users)
    .where(and(role ? eq(users.role, role) : undefined, isNull(users.disabledAt)))
    .orderBy(asc(users.displayName));
  return rows.map(userView);
}

export async function findUserByEmail(ctx: ServiceContext, email: string) {
  const [row] = await ctx.db.select().from(users).where(eq(users.email, email.toLowerCase()));
  return row;
}

/** Every staff account, disabled ones included, for the administrators' page. */
export async function listStaff(ctx: ServiceContext) {
  const rows = await ctx.db.select().from(users).orderBy(asc(users.displayName), asc(users.id));
  return rows.map((u) => ({ ...userView(u), disabledAt: u.disabledAt, mustChangePassword: u.mustChangePassword, totpEnabled: u.totpEnabledAt !== null }));
}
