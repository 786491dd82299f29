import { and, eq, isNull } from "drizzle-orm";
import type { Executor } from "../../db/client";
import { users } from "../../db/schema/users";
import { fieldError } from "../../domain/errors";

export async function assertCaseworker(executor: Executor, userId: string): Promise<void> {
  const [user] = await executor
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.id, userId), eq(users.role, "caseworker"), isNull(users.disabledAt)));
  if (!user) throw fieldError("caseworkerId", "no active caseworker has this id", "unknown_caseworker");
}
