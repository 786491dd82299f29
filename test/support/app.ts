import { createToken, createTokenResolver, type Role } from "../../src/auth/tokens";
import type { Db } from "../../src/db/client";
import { createApp } from "../../src/http/app";
import type { AppDeps } from "../../src/http/deps";
import { createLogger } from "../../src/logger";

export type TestApp = ReturnType<typeof createApp>;

/** The real app on a test database: a silent logger, no token cache, and the deps a test gives. */
export function createTestApp(db: Db, deps: Partial<Pick<AppDeps, "queueState" | "runJob" | "today" | "queueDashboard">> = {}): TestApp {
  return createApp({
    db,
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? "silent"),
    resolveToken: createTokenResolver(db, 0),
    queueState: async () => "disabled",
    ...deps,
  });
}

export async function bearer(db: Db, role: Role): Promise<Record<string, string>> {
  const { token } = await createToken(db, { role, name: `test-${role}` });
  return { Authorization: `Bearer ${token}` };
}

export type Headers = Record<string, string>;
export interface ApiResponse {
  status: number;
  body: any;
  /** The body as sent, for byte-for-byte comparisons (idempotent replays). */
  text: string;
  replayed: string | null;
}

/**
 * `call(method, path, body?, headers?)` on an app: a string body is sent as is (for
 * malformed JSON), anything else as JSON; the answer is parsed when it is JSON.
 */
export function apiCaller(app: () => TestApp, defaultHeaders: () => Headers) {
  return async function call(method: string, path: string, body?: unknown, headers: Headers = defaultHeaders()): Promise<ApiResponse> {
    const res = await app().request(path, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed as any, text, replayed: res.headers.get("idempotent-replayed") };
  };
}
