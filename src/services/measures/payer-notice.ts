import { eq } from "drizzle-orm";
import { measureClosings } from "../../db/schema/measures";
import { payers } from "../../db/schema/payers";
import { NotFoundError } from "../../domain/errors";
import { loadBeneficiary } from "../access";
import { traceAccess } from "../audit/access-log";
import type { ServiceContext } from "../context";
import { loadMeasure } from "./load-measure";

/**
 * What the notice to one payer says: the measure ended on a date, so the payer pays the
 * person again (or, after a death, stops paying); dated the day of the closing, addressed
 * with the payer's name and address from `payers`.
 */
export async function payerNotice({ ctx, measureId, payer }: { ctx: ServiceContext; measureId: string; payer: string }) {
  const { measure } = await loadMeasure(ctx.db, ctx, measureId);
  const [closing] = await ctx.db.select().from(measureClosings).where(eq(measureClosings.measureId, measureId));
  if (!closing?.payers.includes(payer)) throw new NotFoundError("payer notice", `${measureId}/${payer}`);
  const [row] = await ctx.db.select().from(payers).where(eq(payers.code, payer));
  const person = await loadBeneficiary(ctx.db, ctx, measure.beneficiaryId);
  await traceAccess(ctx, { action: "beneficiary.read", beneficiaryId: person.id, details: { measureId, what: "payer_notice", payer } });
  return {
    date: closing.closedOn,
    endedOn: measure.endedOn ?? measure.endDate,
    deceased: measure.endReason === "deceased",
    payer: { code: payer, name: row?.name ?? payer, address: row?.address ?? null },
    person: { firstName: person.firstName, lastName: person.lastName, birthDate: person.birthDate, cafNumber: person.cafNumber },
  };
}
