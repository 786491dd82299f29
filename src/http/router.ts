import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./env";
import { errorResponse, validationDetails } from "./errors";

/**
 * Every route module builds on this, so a validation failure anywhere is the same
 * 422 envelope with one entry per bad field.
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      // A malformed id in the path names no resource: 404, like an unknown one.
      if (!result.success && result.target === "param") {
        return errorResponse(c, 404, "not_found", "no such resource");
      }
      if (!result.success) {
        return errorResponse(c, 422, "validation_failed", "the request is invalid", validationDetails(result.error.issues));
      }
    },
  });
}
