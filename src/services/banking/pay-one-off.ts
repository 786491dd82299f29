import { and, eq } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import { z } from "zod";
import type { Executor } from "../../db/client";
import { charges } from "../../db/schema/charges";
import { idempotencyKeys } from "../../db/schema/credits";
import { paymentOrders } from "../../db/schema/payments";
import { runText, toBigInt } from "../../db/sql";
import { withTransaction } from "../../db/transaction";
import { ENVELOPE_KINDS } from "../../domain/envelopes";
import { DomainError, fieldError, NotFoundError } from "../../domain/errors";
import { centsToJson } from "../../domain/money";
import { PAYMENT_METHODS } from "../../domain/payment-plans";
import type { PostalAddress } from "../../domain/postal-address";
import { envelopeAddress, PAYMENTS_IN_TRANSIT } from "../../ledger/accounts";
import { post } from "../../ledger/post";
import { loadBeneficiary } from "../access";
import { recordAudit, type ServiceContext } from "../context";
import { claimKey, hashRequest, type StoredOutcome, storedOutcome } from "../idempotency";
import { masp2InForceSql } from "../measures/in-force-sql";
import { paymentOrderView } from "../payments/payment-orders";
import { CalendarDate, Iban, Label, PositiveCents, PostalAddressInput, Text } from "../schemas";

export const OneOffPaymentInput = z
  .object({
    envelope: z.enum(ENVELOPE_KINDS),
    /** The charge whose envelope pays (envelope `charge` only). */
    chargeId: z.uuid().optional(),
    amount: PositiveCents,
    /** Who is paid; without it, the beneficiary themself (their IBAN for a transfer). */
    creditor: z.object({ name: Label, iban: Iban.optional(), address: PostalAddressInput.optional() }).strict().optional(),
    method: z.enum(PAYMENT_METHODS),
    /** What it pays for: the remittance text the creditor reads (≤ 140 in a SEPA file). */
    reason: Text({ min: 1, max: 140 }),
    executionDate: CalendarDate,
  })
  .strict();
export type OneOffPaymentInput = z.input<typeof OneOffPaymentInput>;
type Data = z.output<typeof OneOffPaymentInput>;

export type PaymentOrderJson = ReturnType<typeof orderJson>;
const orderJson = (row: typeof paymentOrders.$inferSelect) => {
  const view = paymentOrderView(row);
  return { ...view, amount: centsToJson(view.amount) };
};

const SCOPE = "one_off_payment";

/** The envelope as a ledger address, its charge checked to be the beneficiary's. */
async function envelopeOf(executor: Executor, beneficiaryId: string, data: Data): Promise<string> {
  if (data.envelope !== "charge") {
    if (data.chargeId) throw fieldError("chargeId", "only the charge envelope names a charge", "charge_not_allowed");
    return envelopeAddress(beneficiaryId, data.envelope);
  }
  if (!data.chargeId) throw fieldError("chargeId", "the charge envelope needs the charge it belongs to", "required");
  const [charge] = await executor
    .select({ id: charges.id })
    .from(charges)
    .where(and(eq(charges.id, data.chargeId), eq(charges.beneficiaryId, beneficiaryId)));
  if (!charge) throw new NotFoundError("charge", data.chargeId);
  return envelopeAddress(beneficiaryId, "charge", data.chargeId);
}

/** Who is paid, and where: the creditor given, or the beneficiary. A transfer needs an IBAN. */
function creditorOf(beneficiary: { firstName: string; lastName: string; iban: string | null; address: PostalAddress | null }, data: Data) {
  const name = data.creditor?.name ?? `${beneficiary.firstName} ${beneficiary.lastName}`;
  const iban = data.method === "transfer" ? (data.creditor ? (data.creditor.iban ?? null) : beneficiary.iban) : null;
  if (data.method === "transfer" && !iban) {
    throw data.creditor
      ? fieldError("creditor.iban", "a transfer needs the creditor's IBAN", "required")
      : fieldError("creditor", "the beneficiary has no IBAN: give a creditor, or pay by cash or cheque", "no_iban");
  }
  if (data.method !== "transfer" && data.creditor?.iban) {
    throw fieldError("creditor.iban", "cash and cheques go to no IBAN", "iban_not_for_cash");
  }
  return { name, iban, address: data.creditor ? (data.creditor.address ?? null) : beneficiary.address };
}

/** The IBANs already approved for this beneficiary: their own, their landlords', their creditors', earlier one-offs' and final payments'. */
export async function approvedIbans(executor: Executor, beneficiaryId: string): Promise<Set<string>> {
  const rows = await runText<{ iban: string }>(
    executor,
    `select iban from beneficiaries where id = $1 and iban is not null
     union select landlord_iban from leases where beneficiary_id = $1
     union select creditor_iban from charges where beneficiary_id = $1
     union select creditor_iban from payment_orders where beneficiary_id = $1 and kind in ('one_off', 'final') and creditor_iban is not null`,
    [beneficiaryId],
  );
  return new Set(rows.map((r) => r.iban));
}

/** The creditor's IBAN a request would pay, without writing anything (four eyes' assessment). */
export function creditorIbanOf(beneficiary: { iban: string | null }, data: Data): string | null {
  if (data.method !== "transfer") return null;
  return data.creditor ? (data.creditor.iban ?? null) : beneficiary.iban;
}

/**
 * A one-off payment: one order (kind `one_off`) and its posting (the envelope →
 * payments in transit) in one transaction, never more than the envelope holds (409
 * with what it holds). Idempotent under its key, like a credit: the same request
 * answers the same order; another body under the same key is a 409.
 */
export async function payOneOff({
  ctx,
  beneficiaryId,
  idempotencyKey: key,
  data,
}: {
  ctx: ServiceContext;
  beneficiaryId: string;
  idempotencyKey: string;
  data: Data;
}): Promise<StoredOutcome<PaymentOrderJson>> {
  if (data.executionDate < ctx.today()) throw fieldError("executionDate", "the execution date is in the past", "past_date");
  const scopedKey = `${beneficiaryId}:${key}`;
  const hash = hashRequest([beneficiaryId, data]);
  const replay = await storedOutcome<PaymentOrderJson>(ctx.db, SCOPE, scopedKey, hash);
  if (replay) return replay;
  return withTransaction(ctx.db, async (tx) => {
    // Credits, jobs and other payments lock the beneficiary too: the balance read below stays true until commit.
    const beneficiary = await loadBeneficiary(tx, ctx, beneficiaryId, { lock: true });
    if (!(await claimKey(tx, SCOPE, scopedKey, hash, 201, {}))) {
      return (await storedOutcome<PaymentOrderJson>(tx, SCOPE, scopedKey, hash))!;
    }
    const envelope = await envelopeOf(tx, beneficiaryId, data);
    const creditor = creditorOf(beneficiary, data);
    const [measure] = await runText<{ id: string }>(
      tx,
      `select m.id from measures m where m.beneficiary_id = $1 and ${masp2InForceSql("m", "$2::date")} order by m.start_date desc limit 1`,
      [beneficiaryId, ctx.today()],
    );
    if (!measure) throw new DomainError("no_active_measure", "no MASP 2 measure is in force today: nothing can be paid out for this beneficiary");
    const [account] = await runText<{ balance: string }>(tx, "select balance::text as balance from ledger_accounts where address = $1", [envelope]);
    const held = toBigInt(account?.balance ?? "0");
    if (held < data.amount) {
      throw new DomainError("insufficient_funds", `the ${data.envelope} envelope holds ${held} cents, less than the ${data.amount} to pay`, {
        envelope: data.envelope,
        ...(data.chargeId ? { chargeId: data.chargeId } : {}),
        held: centsToJson(held),
        amount: centsToJson(data.amount),
      });
    }
    const id = uuidv7();
    await post(tx, {
      id,
      kind: "payment.one_off",
      valueDate: ctx.today(),
      description: `Paiement ponctuel : ${data.reason}`.slice(0, 500),
      idempotencyKey: `one-off:${id}`,
      actor: ctx.actor,
      beneficiaryId,
      metadata: { paymentOrderId: id, kind: "one_off", method: data.method, envelope: data.envelope, chargeId: data.chargeId ?? null },
      postings: [
        { account: envelope, direction: "debit", amount: data.amount },
        { account: PAYMENTS_IN_TRANSIT, direction: "credit", amount: data.amount },
      ],
    });
    const [row] = await tx
      .insert(paymentOrders)
      .values({
        id,
        naturalKey: `one_off:${id}`,
        beneficiaryId,
        measureId: measure.id,
        kind: "one_off",
        period: null,
        chargeId: data.chargeId ?? null,
        businessDate: data.executionDate,
        amount: data.amount,
        creditorName: creditor.name,
        creditorIban: creditor.iban,
        creditorAddress: creditor.address,
        method: data.method,
        reason: data.reason,
        ledgerTransactionId: id,
      })
      .returning();
    const body = orderJson(row!);
    await tx
      .update(idempotencyKeys)
      .set({ response: body })
      .where(and(eq(idempotencyKeys.scope, SCOPE), eq(idempotencyKeys.key, scopedKey)));
    await recordAudit(tx, ctx, {
      action: "payment_order.one_off",
      entityType: "payment_order",
      entityId: id,
      beneficiaryId,
      // The IBAN in full: the audit is where a payment's destination is traced (never in logs).
      changes: {
        amount: data.amount.toString(),
        envelope: data.envelope,
        chargeId: data.chargeId ?? null,
        method: data.method,
        creditorName: creditor.name,
        creditorIban: creditor.iban,
        reason: data.reason,
        executionDate: data.executionDate,
      },
    });
    return { status: 201, body, replayed: false };
  });
}
