import { createToken, createTokenResolver, type Role } from "../../src/auth/tokens";
import type { Db } from "../../src/db/client";
import { createApp } from "../../src/http/app";
import type { AppDeps } from "../../src/http/deps";
import { OpenApiResponseChecker } from "./openapi-check";
import { testLogger } from "./service-log";

export type TestApp = ReturnType<typeof createApp>;

/** The real app on a test database: the run's log file (scanned for personal data) and the deps a test gives. */
export function createTestApp(
  db: Db,
  deps: Partial<Pick<AppDeps, "queueState" | "runJob" | "today" | "queueDashboard" | "logger" | "now" | "loginThrottle" | "mfaRequired" | "limits">> = {},
): TestApp {
  return createApp({
    db,
    logger: testLogger(),
    resolveToken: createTokenResolver(db),
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

/** The document of an app, fetched once per app. */
const checkers = new WeakMap<TestApp, Promise<OpenApiResponseChecker>>();
export function responseChecker(app: TestApp): Promise<OpenApiResponseChecker> {
  const known = checkers.get(app);
  if (known) return known;
  const checker = (async () => new OpenApiResponseChecker((await (await app.request("/openapi.json")).json()) as Record<string, unknown>))();
  checkers.set(app, checker);
  return checker;
}

/**
 * `call(method, path, body?, headers?)` on an app: a string body is sent as is (for
 * malformed JSON), anything else as JSON; the answer is parsed when it is JSON, and
 * checked against the app's own `/openapi.json` (status documented, body per schema).
 */
export function apiCaller(app: () => TestApp, defaultHeaders: () => Headers) {
  return async function call(method: string, path: string, body?: unknown, headers: Headers = defaultHeaders()): Promise<ApiResponse> {
    const target = app();
    const res = await target.request(path, {
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
    const problems = (await responseChecker(target)).check(method, path, res.status, res.headers.get("content-type"), parsed);
    if (problems.length > 0) throw new Error(`the answer does not keep to /openapi.json:\n${problems.join("\n")}\nbody: ${text.slice(0, 2000)}`);
    return { status: res.status, body: parsed as any, text, replayed: res.headers.get("idempotent-replayed") };
  };
}
