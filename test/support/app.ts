import { createToken, createTokenResolver, type Role } from "../../src/auth/tokens";
import type { Db } from "../../src/db/client";
import { createApp } from "../../src/http/app";
import type { QueueState } from "../../src/http/deps";
import { createLogger } from "../../src/logger";

/** The real app on a test database, with a silent logger. */
export function createTestApp(db: Db, options: { queueState?: () => Promise<QueueState> } = {}) {
  return createApp({
    db,
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? "silent"),
    resolveToken: createTokenResolver(db, 0),
    queueState: options.queueState ?? (async () => "disabled"),
  });
}

export async function bearer(db: Db, role: Role): Promise<Record<string, string>> {
  const { token } = await createToken(db, { role, name: `test-${role}` });
  return { Authorization: `Bearer ${token}` };
}
