import { z } from "@hono/zod-openapi";
import type { PostalAddress } from "../../domain/postal-address";

/** A postal address as stored: town and country at least (SEPA hybrid address). */
export const PostalAddressSchema = z
  .object({ street: z.string().optional(), postalCode: z.string().optional(), town: z.string(), country: z.string() })
  .openapi("PostalAddress");

/** Response shapes, registered as OpenAPI components. Amounts are integer cents. */
export const BeneficiarySchema = z
  .object({
    id: z.uuid(),
    firstName: z.string(),
    lastName: z.string(),
    birthDate: z.string().openapi({ format: "date" }),
    cafNumber: z.string().nullable(),
    msaNumber: z.string().nullable(),
    iban: z.string().nullable(),
    caseworkerId: z.uuid().nullable(),
    mjagbf: z.boolean(),
    address: PostalAddressSchema.nullable(),
    /** The bank account the beneficiary's money is held in; null: the default pooled one. */
    bankAccountId: z.uuid().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Beneficiary");

export const beneficiaryJson = (b: {
  id: string;
  firstName: string;
  lastName: string;
  birthDate: string;
  cafNumber: string | null;
  msaNumber: string | null;
  iban: string | null;
  caseworkerId: string | null;
  mjagbf: boolean;
  address?: PostalAddress | null;
  bankAccountId?: string | null;
  createdAt: Date;
  updatedAt: Date;
}) => ({
  id: b.id,
  firstName: b.firstName,
  lastName: b.lastName,
  birthDate: b.birthDate,
  cafNumber: b.cafNumber,
  msaNumber: b.msaNumber,
  iban: b.iban,
  caseworkerId: b.caseworkerId,
  mjagbf: b.mjagbf,
  address: b.address ?? null,
  bankAccountId: b.bankAccountId ?? null,
  createdAt: b.createdAt.toISOString(),
  updatedAt: b.updatedAt.toISOString(),
});

export const MeasureSchema = z
  .object({
    id: z.uuid(),
    beneficiaryId: z.uuid(),
    level: z.enum(["MASP1", "MASP2"]),
    startDate: z.string(),
    endDate: z.string(),
    status: z.enum(["active", "renewed", "ended"]),
    managedPrestations: z.array(z.string()).openapi({ description: "In force today (the contract's, as amended)" }),
    extension: z.boolean(),
    extensionReason: z.string().nullable(),
    catalogueVersion: z.string(),
    previousMeasureId: z.uuid().nullable(),
    endedOn: z.string().nullable(),
    endReason: z.string().nullable(),
    endOrientation: z.string().nullable(),
    endComment: z.string().nullable(),
    livingMonthly: z.number().int().openapi({ description: "Reste à vivre a month, cents (rule 6 of issue 15)" }),
    reversementWhileRentShort: z.boolean().openapi({ description: "Rule 7 opt-out: reversements paid even while this month's rent is short" }),
    closing: z
      .object({ closedOn: z.string(), held: z.number().int(), payers: z.array(z.string()) })
      .nullable()
      .openapi({ description: "Once the accounts are closed (POST /v1/measures/{id}/closing)" }),
    createdAt: z.string(),
    amendments: z.array(z.record(z.string(), z.unknown())),
    reviews: z.array(z.record(z.string(), z.unknown())),
    history: z.array(z.object({ type: z.string(), effectiveDate: z.string(), status: z.string(), actor: z.string(), data: z.unknown(), at: z.string() })),
  })
  .openapi("Measure");

const LeaseTermsSchema = z.object({
  effectiveFrom: z.string().openapi({ example: "2026-01" }),
  rent: z.number().int(),
  charges: z.number().int(),
  housingBenefitToLandlord: z.number().int(),
  personShare: z.number().int().openapi({ description: "Paid by the person from income the association does not manage" }),
  monthlyDue: z.number().int(),
});

export const LeaseSchema = z
  .object({
    id: z.uuid(),
    beneficiaryId: z.uuid(),
    landlord: z.object({ name: z.string(), iban: z.string(), address: PostalAddressSchema.nullable() }),
    rent: z.number().int(),
    charges: z.number().int(),
    housingBenefitToLandlord: z.number().int(),
    personShare: z.number().int().openapi({ description: "Paid by the person from income the association does not manage" }),
    monthlyDue: z.number().int().openapi({ description: "rent + charges − housingBenefitToLandlord − personShare, in force today" }),
    dueDay: z.number().int(),
    startDate: z.string(),
    endDate: z.string().nullable(),
    firstPeriod: z
      .string()
      .nullable()
      .openapi({ description: "First period the measure pays, when given; else the first due date on or after the measure's start" }),
    prorata: z.boolean().openapi({ description: "First and last months due pro rata of the days covered" }),
    arrearsPlanMonthly: z.number().int().nullable().openapi({ description: "Plan d'apurement: the most this lease's arrears take each month" }),
    terms: z.array(LeaseTermsSchema),
  })
  .openapi("Lease");

export const ChargeSchema = z
  .object({
    id: z.uuid(),
    beneficiaryId: z.uuid(),
    label: z.string(),
    category: z.string(),
    amount: z.number().int(),
    dueDay: z.number().int(),
    priority: z.number().int(),
    creditor: z.object({ name: z.string(), iban: z.string(), address: PostalAddressSchema.nullable() }),
    frequency: z.enum(["monthly", "quarterly", "yearly"]),
    months: z.array(z.number().int()),
    startDate: z.string(),
    endDate: z.string().nullable(),
    envelope: z.string().openapi({ description: "The ledger account of this charge's envelope" }),
  })
  .openapi("Charge");

export const PrestationSchema = z
  .object({
    code: z.string(),
    item: z.number().int(),
    label: z.string(),
    payer: z.string(),
    scope: z.enum(["default", "extension"]),
    earmarked: z.enum(["housing", "care"]).nullable(),
    masp3: z.enum(["base", "extension"]).nullable(),
  })
  .openapi("Prestation");

export const UserSchema = z.object({ id: z.uuid(), email: z.string(), displayName: z.string(), role: z.string(), disabled: z.boolean() }).openapi("User");

export const IdParam = z.object({ id: z.uuid().openapi({ param: { name: "id", in: "path" } }) });
