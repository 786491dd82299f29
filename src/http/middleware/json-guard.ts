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
 */
export function jsonGuard(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD" || !JSON_TYPE.test(c.req.header("content-type") ?? "")) return next();
    const text = await c.req.text(); // cached by Hono: the route's validator reads the same body
    if (text === "") return next();
    const bad: string[] = [];
    try {
      JSON.parse(text, (key, value) => {
        if (!isStorableText(key)) bad.push("(key)");
        else if (typeof value === "string" && !isStorableText(value)) bad.push(key || "(body)");
        return value;
      });
    } catch {
      return errorResponse(c, 400, "malformed_request", "Malformed JSON in request body");
    }
    if (bad.length === 0) return next();
    const details = [...new Set(bad)].map((field) => ({ field, message: "NUL character or malformed Unicode (lone surrogate)", code: "invalid_text" }));
    return errorResponse(c, 422, "validation_failed", "the request is invalid", details);
  };
}
