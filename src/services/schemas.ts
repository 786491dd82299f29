import { z } from "zod";
import { isCalendarDate } from "../domain/business-date";
import { isMonth } from "../domain/calendar";
import { normalizeIban } from "../domain/iban";
import { centsToJson, MAX_OPERATION_CENTS } from "../domain/money";

/**
 * Input pieces shared by the service verbs and the HTTP routes (which document them
 * in OpenAPI): one definition of what a valid date, month, IBAN or amount is.
 */
export const CalendarDate = z.string().refine(isCalendarDate, "must be a calendar date YYYY-MM-DD");
export const Month = z.string().refine(isMonth, "must be a month YYYY-MM");

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

/** A person's name as typed on a form: trimmed, 1..100 characters, no control characters. */
export const PersonName = z
  .string()
  .trim()
  .min(1, "required")
  .max(100)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), "contains control characters");

export const Label = z.string().trim().min(1, "required").max(200);

/** One line of an address: trimmed, no control characters. */
const AddressLine = (max: number) =>
  z
    .string()
    .trim()
    .min(1, "required")
    .max(max)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), "contains control characters");

/**
 * A postal address (src/domain/postal-address.ts): town and ISO 3166 alpha-2 country at
 * least (a hybrid SEPA address), street and postal code when known; lengths are the
 * ISO 20022 fields' (StrtNm 70, PstCd 16, TwnNm 35).
 */
export const PostalAddressInput = z.object({
  street: AddressLine(70).optional(),
  postalCode: AddressLine(16).optional(),
  town: AddressLine(35),
  country: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{2}$/, "must be an ISO 3166 alpha-2 country code (FR)"),
});
export const Digits = (max: number) => z.string().regex(new RegExp(`^[0-9]{1,${max}}$`), `digits only, at most ${max}`);
export const DueDay = z.number().int().min(1, "1..28").max(28, "1..28 (every month has it)");
