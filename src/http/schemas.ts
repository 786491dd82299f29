import { z } from "@hono/zod-openapi";
import { CalendarDate as ServiceCalendarDate } from "../services/schemas";

/** Shared pieces of the route schemas; registered once as OpenAPI components. */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "validation_failed" }),
      message: z.string(),
      details: z.unknown().optional(),
      requestId: z.string().optional(),
    }),
  })
  .openapi("Error");

/** The services' own definition, documented for OpenAPI (zod's own `.meta`: it does not depend on which module extended zod first). */
export const CalendarDate = ServiceCalendarDate.meta({ example: "2026-02-05", format: "date" });

export const errorResponses = {
  401: { description: "No token or an unknown token", content: { "application/json": { schema: ErrorSchema } } },
  403: { description: "The token's role may not do this", content: { "application/json": { schema: ErrorSchema } } },
  422: { description: "Validation failure: `details` lists each bad field", content: { "application/json": { schema: ErrorSchema } } },
} as const;

/** A required JSON body, validated by the route (422 with field details) and documented. */
export function jsonBody<T>(schema: T, description?: string) {
  return { body: { required: true, description, content: { "application/json": { schema } } } } as const;
}

export function jsonResponse<T>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } } as const;
}

export const notFound = {
  404: { description: "Unknown resource (or outside the caller's caseload)", content: { "application/json": { schema: ErrorSchema } } },
} as const;
export const conflict = { 409: { description: "State conflict", content: { "application/json": { schema: ErrorSchema } } } } as const;
export const malformed = { 400: { description: "Malformed JSON", content: { "application/json": { schema: ErrorSchema } } } } as const;
