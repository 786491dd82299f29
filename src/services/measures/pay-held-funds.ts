import { and, count, eq } from "drizzle-orm";
import { z } from "zod";
import { measureClosings } from "../../db/schema/measures";
import { paymentOrders } from "../../db/schema/payments";
import { withTransaction } from "../../db/transaction";
import { ConflictError, fieldError } from "../../domain/errors";
import { loadBeneficiary } from "../access";
import { recordAudit, type ServiceContext } from "../context";
import { paymentOrderView } from "../payments/payment-orders";
import { CalendarDate, Iban, PersonName } from "../schemas";
import { loadMeasure } from "./load-measure";
import { payOutEnvelopes } from "./pay-out-envelopes";

export const PayHeldFundsInput = z
  .object({
    date: CalendarDate,
    method: z.enum(["transfer", "cash", "cheque"]),
    /** The notary or the heirs (a deceased person's estate); without it, the person. */
    creditor: z.object({ name: PersonName, iban: Iban.optional() }).strict().optional(),
  })
  .strict();
export type PayHeldFundsInput = z.input<typeof PayHeldFundsInput>;

/**
 * Pays what a closed measure still holds (funds held at the closing, money that came
 * back after it) in one `final` order: to the person, or, for a deceased person, to the
 * notary or the heirs named with their IBAN. The measure row is locked and the key
 * names what is held, so a retry or a second click pays nothing twice.
 */
export async function payHeldFunds({ ctx, measureId, data }: { ctx: ServiceContext; measureId: string; data: z.output<typeof PayHeldFundsInput> }) {
  if (data.date > ctx.today()) throw fieldError("date", "the date is in the future", "in_the_future");
  return withTransaction(ctx.db, async (tx) => {
    const { measure } = await loadMeasure(tx, ctx, measureId, { lock: true });
    const [closing] = await tx.select().from(measureClosings).where(eq(measureClosings.measureId, measureId));
    if (!closing) throw new ConflictError("the accounts of this measure are not closed: close them first", { status: measure.status });
    const person = await loadBeneficiary(tx, ctx, measure.beneficiaryId, { lock: true });
    const deceased = measure.endReason === "deceased";
    if (deceased && !data.creditor) throw fieldError("creditor", "a deceased person's estate is paid to the notary or the heirs: name them", "estate_creditor");
    const creditorName = data.creditor?.name ?? `${person.firstName} ${person.lastName}`;
    const creditorIban = data.creditor ? (data.creditor.iban ?? null) : person.iban;
    if (data.method === "transfer" && !creditorIban) throw fieldError("creditor.iban", "a transfer needs the creditor's IBAN", "required");
    // Under the measure's lock, the count of its final orders names the next one.
    const [{ n } = { n: 0 }] = await tx
      .select({ n: count() })
      .from(paymentOrders)
      .where(and(eq(paymentOrders.measureId, measureId), eq(paymentOrders.kind, "final")));
    const paid = await payOutEnvelopes(tx, ctx, {
      beneficiaryId: measure.beneficiaryId,
      measureId,
      date: data.date,
      method: data.method,
      creditorName,
      creditorIban,
      key: `final:${measureId}:held:${n}`,
    });
    if (!paid) throw new ConflictError("nothing is held for this person", undefined, "insufficient_funds");
    await recordAudit(tx, ctx, {
      action: "measure.pay_held_funds",
      entityType: "measure",
      entityId: measureId,
      beneficiaryId: measure.beneficiaryId,
      // The creditor's name and IBAN stay in the order, not in the audit's changes.
      changes: { orderId: paid.order.id, method: data.method, toEstate: data.creditor !== undefined, date: data.date },
    });
    return paymentOrderView(paid.order);
  });
}
