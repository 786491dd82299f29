import { v7 as uuidv7 } from "uuid";
import { z } from "zod";
import { may } from "../../auth/permissions";
import { beneficiaries } from "../../db/schema/beneficiaries";
import { withTransaction } from "../../db/transaction";
import { fieldError } from "../../domain/errors";
import { birthDateIssue } from "../../domain/measure-rules";
import { recordAudit, type ServiceContext } from "../context";
import { CalendarDate, Digits, Iban, PersonName, PostalAddressInput } from "../schemas";
import { assertCaseworker } from "./assert-caseworker";

/** A beneficiary's fields; an update gives any of them, `null` clearing the optional ones. */
export const BeneficiaryFields = z.object({
  firstName: PersonName,
  lastName: PersonName,
  birthDate: CalendarDate,
  cafNumber: Digits(13).nullable(),
  msaNumber: Digits(13).nullable(),
  iban: Iban.nullable(),
  caseworkerId: z.uuid().nullable(),
  /** A family-budget judicial measure (MJAGBF) forbids the R.271-3 extension. */
  mjagbf: z.boolean(),
  address: PostalAddressInput.nullable(),
});

export const CreateBeneficiaryInput = BeneficiaryFields.partial({ cafNumber: true, msaNumber: true, iban: true, caseworkerId: true, address: true }).extend({
  mjagbf: z.boolean().default(false),
});
export type CreateBeneficiaryInput = z.input<typeof CreateBeneficiaryInput>;

export async function createBeneficiary({ ctx, data }: { ctx: ServiceContext; data: z.output<typeof CreateBeneficiaryInput> }) {
  const birth = birthDateIssue(data.birthDate, ctx.today());
  if (birth === "in_the_future") throw fieldError("birthDate", "the birth date is in the future", birth);
  if (birth === "under_18") throw fieldError("birthDate", "the beneficiary must be 18 or older", birth);
  // A caseworker who creates a beneficiary takes them into their own caseload, and only theirs.
  if (!may(ctx.role, "beneficiary.assign") && data.caseworkerId && data.caseworkerId !== ctx.userId) {
    throw fieldError("caseworkerId", "a caseworker cannot place a beneficiary in another caseload; ask an administrator", "forbidden_reassignment");
  }
  const caseworkerId = data.caseworkerId ?? (!may(ctx.role, "beneficiary.assign") ? ctx.userId : undefined) ?? null;
  return withTransaction(ctx.db, async (tx) => {
    if (caseworkerId) await assertCaseworker(tx, caseworkerId);
    const id = uuidv7();
    const [row] = await tx
      .insert(beneficiaries)
      .values({
        id,
        firstName: data.firstName,
        lastName: data.lastName,
        birthDate: data.birthDate,
        cafNumber: data.cafNumber ?? null,
        msaNumber: data.msaNumber ?? null,
        iban: data.iban ?? null,
        caseworkerId,
        mjagbf: data.mjagbf,
        address: data.address ?? null,
      })
      .returning();
    // The trail names the fields set, not their values: more people read it than the record.
    await recordAudit(tx, ctx, {
      action: "beneficiary.create",
      entityType: "beneficiary",
      entityId: id,
      beneficiaryId: id,
      changes: { fields: Object.keys(data).sort() },
    });
    return row!;
  });
}
