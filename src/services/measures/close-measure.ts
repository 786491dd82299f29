import { and, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { credits } from "../../db/schema/credits";
import { measureClosings, measureEvents } from "../../db/schema/measures";
import { paymentOrders } from "../../db/schema/payments";
import { runText } from "../../db/sql";
import { nestedDb, withTransaction } from "../../db/transaction";
import { ConflictError, fieldError, ValidationError } from "../../domain/errors";
import { managedOn } from "../../domain/in-force";
import { FINAL_PAYMENTS, finalPaymentProblems, PENDING_ORDER_CHOICES } from "../../domain/measure-closing";
import { centsToJson } from "../../domain/money";
import type { PaymentMethod } from "../../domain/payment-plans";
import { loadBeneficiary } from "../access";
import { cancelOrder } from "../banking/order-verbs";
import { dissolveBatch } from "../batches/batch-transitions";
import { catalogueVersion } from "../catalogue";
import { recordAudit, type ServiceContext } from "../context";
import { CalendarDate } from "../schemas";
import { finalStatement } from "./final-statement";
import { loadMeasure } from "./load-measure";
import { heldEnvelopes, payOutEnvelopes } from "./pay-out-envelopes";

export const CloseMeasureInput = z
  .object({
    date: CalendarDate,
    /** Orders not yet handed to the bank: cancelled (their money back to the envelopes) or kept. */
    pendingOrders: z.enum(PENDING_ORDER_CHOICES),
    finalPayment: z.enum(FINAL_PAYMENTS),
  })
  .strict();
export type CloseMeasureInput = z.input<typeof CloseMeasureInput>;

/** The natural key of the closing's final order: one per measure. */
const finalKey = (measureId: string) => `final:${measureId}:closing`;

/**
 * Closes the accounts of an ended measure, in one transaction: the orders not yet sent
 * cancelled (a prepared batch holding one is dissolved, so the order leaves it) or kept;
 * every envelope paid back to the person by one `final` order, or held (always held for
 * a deceased person's estate); the payers to notify; the final statement, frozen.
 * Sent orders follow their course: what comes back lands in the envelopes, held.
 */
export async function closeMeasure({ ctx, measureId, data }: { ctx: ServiceContext; measureId: string; data: z.output<typeof CloseMeasureInput> }) {
  if (data.date > ctx.today()) throw fieldError("date", "the closing date is in the future", "in_the_future");
  return withTransaction(ctx.db, async (tx) => {
    const loaded = await loadMeasure(tx, ctx, measureId, { lock: true });
    const { measure } = loaded;
    const [already] = await tx.select({ closedOn: measureClosings.closedOn }).from(measureClosings).where(eq(measureClosings.measureId, measureId));
    if (already) throw new ConflictError(`the accounts of this measure were closed on ${already.closedOn}`, { closedOn: already.closedOn });
    if (measure.status !== "ended" || !measure.endedOn) {
      throw new ConflictError("only an ended measure can be closed: end it first", { status: measure.status });
    }
    if (data.date < measure.endedOn) throw fieldError("date", `the accounts are closed on or after the end date (${measure.endedOn})`, "before_end");
    const person = await loadBeneficiary(tx, ctx, measure.beneficiaryId, { lock: true });
    const issues = finalPaymentProblems(measure.endReason, data.finalPayment, person.iban !== null);
    if (issues.length > 0) throw new ValidationError("the final payment cannot be made so", issues);

    const inner = { ...ctx, db: nestedDb(tx) };
    let cancelledOrders = 0;
    if (data.pendingOrders === "cancel") {
      const batches = await runText<{ id: string }>(
        tx,
        `select distinct l.batch_id as id from payment_batch_orders l
           join payment_batches b on b.id = l.batch_id
           join payment_orders o on o.id = l.order_id
          where o.beneficiary_id = $1::uuid and o.status = 'batched' and b.status = 'prepared'
          order by 1`,
        [measure.beneficiaryId],
      );
      // A prepared file is frozen: the order leaves its batch by the batch's dissolution
      // (the other orders go back to pending and into the next batch).
      for (const b of batches) await dissolveBatch({ ctx: inner, id: b.id });
      const open = await tx
        .select({ id: paymentOrders.id })
        .from(paymentOrders)
        .where(and(eq(paymentOrders.beneficiaryId, measure.beneficiaryId), inArray(paymentOrders.status, ["pending", "batched"])))
        .orderBy(paymentOrders.id);
      for (const o of open) await cancelOrder({ ctx: inner, id: o.id, data: { reason: "Clôture de la mesure" } });
      cancelledOrders = open.length;
    }

    const paidOut =
      data.finalPayment === "hold"
        ? null
        : await payOutEnvelopes(tx, ctx, {
            beneficiaryId: measure.beneficiaryId,
            measureId,
            date: data.date,
            method: data.finalPayment,
            creditorName: `${person.firstName} ${person.lastName}`,
            creditorIban: person.iban,
            key: finalKey(measureId),
          });
    const before = paidOut?.envelopes ?? (await heldEnvelopes(tx, measure.beneficiaryId));
    const held = paidOut ? 0n : before.reduce((sum, e) => sum + e.amount, 0n);

    const payers = await payersToNotify(tx, loaded, measure.endedOn);
    const statement = await finalStatement(tx, {
      measure,
      person: { firstName: person.firstName, lastName: person.lastName },
      closedOn: data.date,
      envelopes: before,
      finalPaid: paidOut?.order.amount ?? 0n,
      held,
    });
    await tx.insert(measureClosings).values({
      measureId,
      beneficiaryId: measure.beneficiaryId,
      closedOn: data.date,
      pendingOrders: data.pendingOrders,
      finalPayment: data.finalPayment,
      cancelledOrders,
      held,
      payers,
      statement,
      actor: ctx.actor,
    });
    await tx.insert(measureEvents).values({
      measureId,
      type: "closed",
      effectiveDate: data.date,
      status: measure.status,
      actor: ctx.actor,
      data: { cancelledOrders, finalOrderId: paidOut?.order.id ?? null, held: held.toString() },
    });
    await recordAudit(tx, ctx, {
      action: "measure.close",
      entityType: "measure",
      entityId: measureId,
      beneficiaryId: measure.beneficiaryId,
      changes: {
        date: data.date,
        pendingOrders: data.pendingOrders,
        finalPayment: data.finalPayment,
        cancelledOrders,
        finalOrderId: paidOut?.order.id ?? null,
        finalAmount: centsToJson(paidOut?.order.amount ?? 0n),
        held: centsToJson(held),
        payers,
      },
    });
    return closingView(measureId, {
      cancelledOrders,
      finalOrders: paidOut ? [{ id: paidOut.order.id, amount: paidOut.order.amount, method: paidOut.order.method }] : [],
      held,
      payers,
    });
  });
}

/** The payers to tell that the measure ended: those of the prestations managed at the end, and any that paid under the measure. */
async function payersToNotify(tx: Parameters<typeof finalStatement>[0], loaded: Awaited<ReturnType<typeof loadMeasure>>, endedOn: string): Promise<string[]> {
  const { measure, amendments } = loaded;
  const catalogue = await catalogueVersion(tx, measure.catalogueVersion);
  const managed = managedOn(amendments, measure, endedOn);
  const fromCatalogue = catalogue.items.filter((p) => managed.includes(p.code)).map((p) => p.payer);
  const paid = await tx.selectDistinct({ payer: credits.payer }).from(credits).where(eq(credits.beneficiaryId, measure.beneficiaryId));
  return [...new Set([...fromCatalogue, ...paid.map((p) => p.payer)])].sort();
}

export function closingView(
  measureId: string,
  c: { cancelledOrders: number; finalOrders: { id: string; amount: bigint; method: PaymentMethod }[]; held: bigint; payers: readonly string[] },
) {
  return {
    measureId,
    cancelledOrders: c.cancelledOrders,
    finalOrders: c.finalOrders.map((o) => ({ id: o.id, amount: centsToJson(o.amount), method: o.method })),
    held: centsToJson(c.held),
    payerNotices: c.payers.map((payer) => ({ payer, url: `/mesures/${measureId}/avis/${encodeURIComponent(payer)}` })),
    statementUrl: `/mesures/${measureId}/releve-final`,
  };
}
