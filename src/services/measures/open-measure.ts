import { v7 as uuidv7 } from "uuid";
import { z } from "zod";
import { measureEvents, measures } from "../../db/schema/measures";
import { withTransaction } from "../../db/transaction";
import { MEASURE_LEVELS } from "../../domain/measure-rules";
import { assertTerms, distinctCodes, newMeasureRow, upperCodes } from "../../domain/measure-terms";
import { ensureAccounts, envelopeAccount } from "../../ledger/accounts";
import { loadBeneficiary } from "../access";
import { catalogueInForce } from "../catalogue";
import { recordAudit, type ServiceContext } from "../context";
import { CalendarDate, CentsOr, Text } from "../schemas";
import { assertFitsHistory } from "./assert-fits-history";

export const OpenMeasureInput = z.object({
  level: z.enum(MEASURE_LEVELS),
  startDate: CalendarDate,
  endDate: CalendarDate,
  managedPrestations: z
    .array(Text({ max: 40 }))
    .max(40)
    .default([]),
  extension: z.boolean().default(false),
  extensionReason: Text({ min: 1, max: 2000, multiline: true }).nullish(),
  /** Reste à vivre (rule 6): kept each month for daily needs, after the rent; cents, default 0. */
  livingMonthly: CentsOr(0),
  /** Rule 7: by default no reversement of `available` while this month's rent is short; true opts out. */
  reversementWhileRentShort: z.boolean().default(false),
});
export type OpenMeasureInput = z.input<typeof OpenMeasureInput>;

/**
 * Opens a MASP contract. A MASP 2 gets its ledger envelopes (rent, available) in the
 * same transaction: money can arrive the day the contract starts.
 */
export async function openMeasure({ ctx, beneficiaryId, data }: { ctx: ServiceContext; beneficiaryId: string; data: z.output<typeof OpenMeasureInput> }) {
  const terms = { ...data, managedPrestations: upperCodes(data.managedPrestations) };
  return withTransaction(ctx.db, async (tx) => {
    // The lock serialises concurrent openings for one beneficiary (one measure at a time).
    const beneficiary = await loadBeneficiary(tx, ctx, beneficiaryId, { lock: true });
    const catalogue = await catalogueInForce(tx, terms.startDate);
    assertTerms(terms, beneficiary, catalogue);
    await assertFitsHistory(tx, beneficiaryId, terms);
    const id = uuidv7();
    const [measure] = await tx
      .insert(measures)
      .values(newMeasureRow(id, beneficiaryId, terms, catalogue))
      .returning();
    await tx.insert(measureEvents).values({
      measureId: id,
      type: "opened",
      effectiveDate: terms.startDate,
      status: "active",
      actor: ctx.actor,
      data: { level: terms.level, managedPrestations: distinctCodes(terms.managedPrestations), extension: terms.extension },
    });
    if (terms.level === "MASP2") {
      await ensureAccounts(tx, [envelopeAccount(beneficiaryId, "rent"), envelopeAccount(beneficiaryId, "available")]);
    }
    await recordAudit(tx, ctx, {
      action: "measure.open",
      entityType: "measure",
      entityId: id,
      beneficiaryId,
      changes: {
        level: terms.level,
        startDate: terms.startDate,
        endDate: terms.endDate,
        managedPrestations: distinctCodes(terms.managedPrestations),
        extension: terms.extension,
        livingMonthly: String(terms.livingMonthly),
        reversementWhileRentShort: terms.reversementWhileRentShort,
      },
    });
    return measure!;
  });
}
