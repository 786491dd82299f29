import type { MiddlewareHandler } from "hono";
import { isStorableText } from "../../services/schemas";
import type { AppEnv } from "../env";
import { errorResponse } from "../errors";

const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

/**
 * The floor under every JSON body, before any route reads it: malformed JSON is a 400,
 * and a NUL or a lone UTF-16 surrogate anywhere — in a value or in a key no schema
 * names — is a 422, since PostgreSQL can store neither in text or jsonb. The route's
 * schema then judges the rest (control characters, lengths) field by field.
 *
 * The body is parsed once, here, and the route's validator is handed the same value
 * (`c.req.json()` would parse the text again). In the decoded text a NUL can only be
 * the escape `\u0000` (a raw one is malformed JSON) and a lone surrogate only an escape
 * too (UTF-8 cannot carry one; the decoder makes it U+FFFD), so a body without `\u` is
 * clean without a walk; one with it is walked (keys too) to name the bad fields.
 */
export function jsonGuard(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD" || !JSON_TYPE.test(c.req.header("content-type") ?? "")) return next();
    const text = await c.req.text(); // cached by Hono
    if (text === "") return next();
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return errorResponse(c, 400, "malformed_request", "Malformed JSON in request body");
    }
    const bad = text.includes("\\u") ? unstorableFields(text) : [];
    if (bad.length > 0) {
      const details = bad.map((field) => ({ field, message: "NUL character or malformed Unicode (lone surrogate)", code: "invalid_text" }));
      return errorResponse(c, 422, "validation_failed", "the request is invalid", details);
    }
    const parsed = Promise.resolve(value);
    (c.req as { json: () => Promise<unknown> }).json = () => parsed;
    return next();
  };
}

/** The names of the fields (or "(key)", "(body)") holding a NUL or a lone surrogate, each once. */
function unstorableFields(text: string): string[] {
  const bad = new Set<string>();
  JSON.parse(text, (key, value) => {
    if (!isStorableText(key)) bad.add("(key)");
    else if (typeof value === "string" && !isStorableText(value)) bad.add(key || "(body)");
    return value;
  });
  return [...bad];
}
