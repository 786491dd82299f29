import { z } from "zod";
import { isCalendarDate } from "../domain/business-date";
import { isMonth } from "../domain/calendar";
import { normalizeIban } from "../domain/iban";
import { centsToJson, MAX_OPERATION_CENTS } from "../domain/money";

/**
 * Input pieces shared by the service verbs, the HTTP routes (which document them in
 * OpenAPI), the UI forms and the CLI: one definition of what a valid text, date,
 * month, IBAN or amount is. Whatever passes here, PostgreSQL accepts too.
 */

/**
 * Stable reasons of the refusals below, in the issue's `params.reason`: the UI turns
 * them into French (messages.ts) without reading the English wording.
 */
const TEXT_ISSUES = { control: "control_characters", unicode: "malformed_unicode", dateRange: "date_out_of_range" } as const;

// C0 controls (NUL included: PostgreSQL's text cannot hold it), DEL and C1 controls.
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;
// The same, less tab and line breaks, which a comment or a reason may hold.
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL_CHARACTERS_BUT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/**
 * What PostgreSQL can store in text and jsonb at all: no NUL, no lone UTF-16
 * surrogate. The floor under every text the service receives, even where no schema
 * names it (an unknown JSON key, a cursor's content).
 */
export const isStorableText = (s: string): boolean => !s.includes("\u0000") && s.isWellFormed();

/**
 * A text as a person types it: trimmed, `min`..`max` characters, no control character
 * (`multiline` allows tab and line breaks), well-formed Unicode (a lone UTF-16 surrogate
 * cannot be stored as text or jsonb). The length is checked first, so a huge string
 * costs nothing more.
 */
export function Text({ max, min = 0, multiline = false, tooShort }: { max: number; min?: number; multiline?: boolean; tooShort?: string }) {
  const control = multiline ? CONTROL_CHARACTERS_BUT_LINES : CONTROL_CHARACTERS;
  const text = z.string().max(max).trim();
  return (min > 0 ? text.min(min, tooShort ?? (min === 1 ? "required" : `at least ${min} characters`)) : text)
    .refine((s) => !control.test(s), { message: "contains control characters", params: { reason: TEXT_ISSUES.control }, abort: true })
    .refine((s) => s.isWellFormed(), { message: "malformed Unicode (lone surrogate)", params: { reason: TEXT_ISSUES.unicode } });
}

/** An opaque token the client gives back as it got it (cursors, codes): printable ASCII only. */
export const Token = (max: number) => z.string().regex(new RegExp(`^[\\x21-\\x7e]{1,${max}}$`), `1 to ${max} printable characters`);

/** The years a date of this ledger may fall in (births, measures, credits): PostgreSQL takes more, no person or payment needs more. */
const FIRST_DATE = "1900-01-01";
const LAST_DATE = "2100-12-31";

export const CalendarDate = z
  .string()
  .refine(isCalendarDate, { message: "must be a calendar date YYYY-MM-DD", abort: true })
  .refine((d) => d >= FIRST_DATE && d <= LAST_DATE, { message: "must be between 1900 and 2100", params: { reason: TEXT_ISSUES.dateRange } })
  .meta({ format: "date" });
export const Month = z
  .string()
  .refine(isMonth, { message: "must be a month YYYY-MM", abort: true })
  .refine((m) => m >= FIRST_DATE.slice(0, 7) && m <= LAST_DATE.slice(0, 7), {
    message: "must be between 1900 and 2100",
    params: { reason: TEXT_ISSUES.dateRange },
  });

export const Iban = z.string().transform((value, ctx) => {
  const iban = normalizeIban(value);
  if (!iban) {
    ctx.addIssue({ code: "custom", message: "invalid IBAN (checksum, or RIB key for a French IBAN)" });
    return z.NEVER;
  }
  return iban;
});

/** Integer cents, JSON number, at most the contract's 100 000 000 per operation. */
const CentsNumber = z
  .number()
  .int("must be an integer number of cents")
  .min(0, "must not be negative")
  .max(centsToJson(MAX_OPERATION_CENTS), "absurd amount (over 100 000 000 cents)");
export const Cents = CentsNumber.transform((n) => BigInt(n));
/** Optional cents: the default is a JSON number too, so documents and replies never meet a bigint. */
export const CentsOr = (fallback: number) => CentsNumber.default(fallback).transform((n) => BigInt(n));
export const PositiveCents = Cents.refine((c) => c > 0n, "must be more than zero");
/** A correction either way (a housing-aid adjustment): integer cents, never zero, within the same bound. */
export const NonZeroSignedCents = z
  .number()
  .int("must be an integer number of cents")
  .min(-centsToJson(MAX_OPERATION_CENTS), "absurd amount (over 100 000 000 cents)")
  .max(centsToJson(MAX_OPERATION_CENTS), "absurd amount (over 100 000 000 cents)")
  .refine((n) => n !== 0, "must not be zero")
  .transform((n) => BigInt(n));

/** A person's name as typed on a form. */
export const PersonName = Text({ min: 1, max: 100 });

export const Label = Text({ min: 1, max: 200 });

/**
 * A postal address (src/domain/postal-address.ts): town and ISO 3166 alpha-2 country at
 * least (a hybrid SEPA address), street and postal code when known; lengths are the
 * ISO 20022 fields' (StrtNm 70, PstCd 16, TwnNm 35).
 */
export const PostalAddressInput = z.object({
  street: Text({ min: 1, max: 70 }).optional(),
  postalCode: Text({ min: 1, max: 16 }).optional(),
  town: Text({ min: 1, max: 35 }),
  country: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{2}$/, "must be an ISO 3166 alpha-2 country code (FR)"),
});
export const Digits = (max: number) => z.string().regex(new RegExp(`^[0-9]{1,${max}}$`), `digits only, at most ${max}`);
export const DueDay = z.number().int().min(1, "1..28").max(28, "1..28 (every month has it)");
