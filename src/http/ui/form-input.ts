import type { z } from "zod";
import { centsToJson } from "../../domain/money";
import type { FormValues } from "./forms";
import { fieldName, issueInFrench } from "./messages";

/**
 * How a form field is typed in French, and so how it becomes the service's input:
 * `05/02/2026` a calendar date, `1 234,56` cents, an IBAN with spaces… The service's
 * own zod schema then validates the whole input, and each issue gets a French message
 * that depends on the field's kind.
 */
type FieldKind =
  | { kind: "text" }
  | { kind: "digits"; max: number }
  | { kind: "date" }
  | { kind: "month" }
  | { kind: "euros" }
  | { kind: "int"; min: number; max: number }
  | { kind: "iban" }
  | { kind: "choice" }
  | { kind: "list" }
  | { kind: "checkbox" };

export const typed = {
  text: { kind: "text" },
  date: { kind: "date" },
  month: { kind: "month" },
  euros: { kind: "euros" },
  iban: { kind: "iban" },
  choice: { kind: "choice" },
  list: { kind: "list" },
  checkbox: { kind: "checkbox" },
  digits: (max: number): FieldKind => ({ kind: "digits", max }),
  int: (min: number, max: number): FieldKind => ({ kind: "int", min, max }),
} as const satisfies Record<string, FieldKind | ((...args: never[]) => FieldKind)>;

/** A form's fields by name (`landlord.iban` names a nested field), in the order the page shows them. */
export type FormFields = Record<string, FieldKind>;

/** `607,75`, `607.75`, `1 234,5` → integer cents, exactly: no float ever holds an amount. */
export function parseEurosToCents(input: string): bigint | null {
  const m = /^(\d{1,9})(?:[.,](\d{1,2}))?$/.exec(input.replace(/[\s\u00a0\u202f]/g, "").replace(/€$/, ""));
  if (!m) return null;
  return BigInt(m[1]!) * 100n + BigInt((m[2] ?? "0").padEnd(2, "0"));
}

/** One typed value → what the service's schema takes; what cannot be read stays as typed, for the schema to refuse. */
function readValue(field: FieldKind, value: string | string[] | undefined): unknown {
  if (field.kind === "list") return Array.isArray(value) ? value.filter(Boolean) : value ? [value] : [];
  const raw = (Array.isArray(value) ? value[0] : value) ?? "";
  if (field.kind === "checkbox") return raw === "on";
  if (raw === "") return undefined;
  switch (field.kind) {
    case "digits":
      return raw.replace(/\s/g, "");
    case "date": {
      const fr = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(raw);
      return fr ? `${fr[3]}-${fr[2]}-${fr[1]}` : raw;
    }
    case "euros": {
      const cents = parseEurosToCents(raw);
      return cents === null ? raw : centsToJson(cents);
    }
    case "int":
      return /^\d{1,6}$/.test(raw) ? Number(raw) : raw;
    default:
      return raw;
  }
}

/** The posted values in the service's input shape (nested where a name has a dot). */
export function readInput(values: FormValues, fields: FormFields): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(fields)) {
    const value = readValue(field, values[name]);
    if (value === undefined) continue;
    const path = name.split(".");
    let target = input;
    for (const key of path.slice(0, -1)) {
      target[key] ??= {};
      target = target[key] as Record<string, unknown>;
    }
    target[path.at(-1)!] = value;
  }
  return input;
}

/** The French message of a schema issue on a field of this kind. */
function frenchMessage(issue: z.core.$ZodIssue, field: FieldKind | undefined): string {
  // The shared text and date primitives give a stable reason (services/schemas.ts).
  const reason = issue.code === "custom" ? (issue.params as { reason?: unknown } | undefined)?.reason : undefined;
  if (typeof reason === "string") return issueInFrench(reason);
  if (issue.code === "invalid_type" && issue.input === undefined) return "à renseigner";
  if (issue.code === "too_small" && issue.origin === "string" && Number(issue.minimum) <= 1) return "à renseigner";
  if (issue.code === "too_small" && issue.origin === "string" && field?.kind === "text") return `${issue.minimum} caractères au moins`;
  if (issue.code === "too_big" && issue.origin === "string" && field?.kind === "text") return `${issue.maximum} caractères au plus`;
  switch (field?.kind) {
    case "date":
      return "date invalide (jj/mm/aaaa)";
    case "month":
      return "mois invalide (aaaa-mm)";
    case "euros":
      if (issue.code === "custom") return "le montant doit être supérieur à zéro";
      if (issue.code === "too_big") return "montant hors limite (1 000 000 € au plus)";
      return "montant en euros, deux décimales au plus (ex. 607,75)";
    case "int":
      return `nombre entier de ${field.min} à ${field.max}`;
    case "iban":
      return "IBAN invalide (clé de contrôle ou clé RIB)";
    case "digits":
      return `chiffres uniquement, ${field.max} au plus`;
    case "choice":
      return "choisissez une valeur de la liste";
    default:
      return "valeur incorrecte";
  }
}

/**
 * A page's query string (a search, a cursor) through the service's schema: what it
 * refuses becomes one French sentence for the page to show, never an error page.
 */
export function parseQuery<S extends z.ZodType>(schema: S, input: Record<string, unknown>): { ok: true; data: z.output<S> } | { ok: false; message: string } {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, data: result.data };
  return { ok: false, message: frenchMessage(result.error.issues[0]!, typed.text) };
}

/** A rule of the page checked with the format, so the form reports every bad field at once: field → stable code. */
export type FormRule = (input: Record<string, unknown>) => { field: string; code: string }[];

type ParsedForm<S extends z.ZodType> = { ok: true; data: z.output<S> } | { ok: false; errors: Record<string, string> };

/**
 * Reads the posted values through the service's own schema. Every bad field is
 * reported in one answer, in the order of the form, each with its French message; the
 * rules that need no database (an adult's birth date…) are checked at the same time.
 */
export function parseForm<S extends z.ZodType>(schema: S, values: FormValues, fields: FormFields, rules: FormRule[] = []): ParsedForm<S> {
  const input = readInput(values, fields);
  const result = schema.safeParse(input, { reportInput: true });
  const found: Record<string, string> = {};
  if (!result.success) {
    for (const issue of result.error.issues) {
      const name = fieldName(issue.path.map(String).join("."));
      found[name] ??= frenchMessage(issue, fields[name]);
    }
  }
  for (const rule of rules) for (const { field, code } of rule(input)) found[field] ??= issueInFrench(code);
  const names = Object.keys(fields);
  const order = (name: string) => (names.includes(name) ? names.indexOf(name) : names.length);
  const errors = Object.fromEntries(Object.entries(found).sort(([a], [b]) => order(a) - order(b)));
  if (!result.success || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, data: result.data };
}
