import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { charges } from "../../db/schema/charges";
import { queryRows } from "../../db/sql";
import { maskIban } from "../../domain/iban";
import { centsToJson } from "../../domain/money";
import { DEFAULT_FOUR_EYES_THRESHOLD_CENTS, secondPersonReasons } from "../../domain/one-off-payments";
import { loadBeneficiary } from "../access";
import { approvedIbans, creditorIbanOf, OneOffPaymentInput, payOneOff } from "../banking/pay-one-off";
import { UpdateBeneficiaryInput, updateBeneficiary } from "../beneficiaries/update-beneficiary";
import { UpdateChargeInput, updateCharge } from "../charges/update-charge";
import { RecoverOverpaymentInput, recoverOverpayment } from "../credits/recover-overpayment";
import { ReverseTransactionInput, reverseTransaction } from "../credits/reverse-transaction";
import { IdempotencyKey } from "../idempotency";
import { loadLeases } from "../leases/lease-view";
import { SetLeaseInput, setLease } from "../leases/set-lease";
import { loadMeasure } from "../measures/load-measure";
import { PayHeldFundsInput, payHeldFunds } from "../measures/pay-held-funds";
import { AssignmentInput, assignSuspenseLine } from "../statements/suspense";
import { fourEyes } from "./four-eyes";

const masked = (iban: string | null | undefined) => (iban ? maskIban(iban) : null);
/** An IBAN change as the list shows it. */
const ibanChange = (from: string | null | undefined, to: string | null | undefined) => ({ iban: { from: masked(from), to: masked(to) } });

/**
 * The verbs that need four eyes today (issue 12, control 6). A later verb (one-off
 * payment above `FOUR_EYES_THRESHOLD_CENTS`, suspense decisions) adds its entry here and
 * routes its request through `submit`; nothing else changes.
 */
export const FOUR_EYES_VERBS = {
  /** A changed (or new) beneficiary IBAN: the whole change waits. The IBAN given at creation applies at once. */
  "beneficiary.update": fourEyes({
    payload: z.object({ id: z.uuid(), data: UpdateBeneficiaryInput }),
    async assess(ctx, { id, data }) {
      if (data.iban === undefined) return null;
      const before = await loadBeneficiary(ctx.db, ctx, id);
      if (before.iban === data.iban) return null;
      return { beneficiaryId: id, summary: { ...ibanChange(before.iban, data.iban), fields: Object.keys(data).sort() } };
    },
    apply: (ctx, { id, data }) => updateBeneficiary({ ctx, id, data }),
  }),
  /** A lease whose landlord IBAN differs from the latest lease's (an update or a move); the first lease applies at once. */
  "lease.set": fourEyes({
    payload: z.object({ beneficiaryId: z.uuid(), data: SetLeaseInput }),
    async assess(ctx, { beneficiaryId, data }) {
      await loadBeneficiary(ctx.db, ctx, beneficiaryId);
      const [latest] = await loadLeases(ctx.db, beneficiaryId);
      if (!latest || latest.lease.landlordIban === data.landlord.iban) return null;
      return {
        beneficiaryId,
        summary: { ...ibanChange(latest.lease.landlordIban, data.landlord.iban), landlord: data.landlord.name, startDate: data.startDate },
      };
    },
    apply: (ctx, { beneficiaryId, data }) => setLease({ ctx, beneficiaryId, data }),
  }),
  /** A charge whose creditor IBAN changes; the IBAN given when the charge is added applies at once. */
  "charge.update": fourEyes({
    payload: z.object({ beneficiaryId: z.uuid(), chargeId: z.uuid(), data: UpdateChargeInput }),
    async assess(ctx, { beneficiaryId, chargeId, data }) {
      if (!data.creditor) return null;
      await loadBeneficiary(ctx.db, ctx, beneficiaryId);
      const [before] = await ctx.db
        .select({ iban: charges.creditorIban, label: charges.label })
        .from(charges)
        .where(and(eq(charges.id, chargeId), eq(charges.beneficiaryId, beneficiaryId)));
      // An unknown charge goes straight to the verb, which answers its own 404.
      if (!before || before.iban === data.creditor.iban) return null;
      return { beneficiaryId, summary: { ...ibanChange(before.iban, data.creditor.iban), charge: before.label, creditor: data.creditor.name } };
    },
    apply: (ctx, { beneficiaryId, chargeId, data }) => updateCharge({ ctx, beneficiaryId, chargeId, data }),
  }),
  /** A reversal of a credit or a recovery: always. */
  "transaction.reverse": fourEyes({
    payload: z.object({ transactionId: z.uuid(), data: ReverseTransactionInput }),
    async assess(ctx, { transactionId, data }) {
      const [txn] = await queryRows<{ beneficiary_id: string | null; kind: string; description: string }>(
        ctx.db,
        sql`select beneficiary_id, kind, description from ledger_transactions where id = ${transactionId}::uuid`,
      );
      return {
        beneficiaryId: txn?.beneficiary_id ?? null,
        summary: { transactionId, kind: txn?.kind ?? null, description: txn?.description ?? null, reason: data.reason },
      };
    },
    apply: (ctx, { transactionId, data }) => reverseTransaction({ ctx, transactionId, data }),
    replayed: (result) => result.replayed,
  }),
  /** An overpayment recovery (indu): always. */
  "overpayment.recover": fourEyes({
    payload: z.object({ beneficiaryId: z.uuid(), idempotencyKey: IdempotencyKey, data: RecoverOverpaymentInput }),
    assess: async (_ctx, { beneficiaryId, data }) => ({
      beneficiaryId,
      summary: { amount: centsToJson(data.amount), payer: data.payer, prestation: data.prestation ?? null, valueDate: data.valueDate },
    }),
    apply: (ctx, { beneficiaryId, idempotencyKey, data }) => recoverOverpayment({ ctx, beneficiaryId, idempotencyKey, data }),
    replayed: (result) => result.replayed,
  }),
  /** A one-off payment above `FOUR_EYES_THRESHOLD_CENTS`, or by transfer to an IBAN not yet approved for the beneficiary. */
  "payment.one_off": fourEyes({
    payload: z.object({ beneficiaryId: z.uuid(), idempotencyKey: IdempotencyKey, data: OneOffPaymentInput }),
    async assess(ctx, { beneficiaryId, data }) {
      const beneficiary = await loadBeneficiary(ctx.db, ctx, beneficiaryId);
      const creditorIban = creditorIbanOf(beneficiary, data);
      const reasons = secondPersonReasons({
        amount: data.amount,
        threshold: ctx.fourEyesThresholdCents ?? DEFAULT_FOUR_EYES_THRESHOLD_CENTS,
        creditorIban,
        approvedIbans: creditorIban ? await approvedIbans(ctx.db, beneficiaryId) : new Set(),
      });
      if (reasons.length === 0) return null;
      return {
        beneficiaryId,
        summary: {
          amount: centsToJson(data.amount),
          envelope: data.envelope,
          method: data.method,
          creditor: data.creditor?.name ?? null,
          creditorIban: masked(creditorIban),
          reason: data.reason,
          executionDate: data.executionDate,
          needs: reasons,
        },
      };
    },
    apply: (ctx, { beneficiaryId, idempotencyKey, data }) => payOneOff({ ctx, beneficiaryId, idempotencyKey, data }),
    replayed: (result) => result.replayed,
  }),
  /** Every decision on a suspense line (assign, split, forward, return, expense): always. */
  "suspense.assign": fourEyes({
    payload: z.object({ lineId: z.uuid(), data: AssignmentInput }),
    async assess(ctx, { lineId, data }) {
      const [line] = await queryRows<{ amount: string; booking_date: string }>(
        ctx.db,
        sql`select amount::text as amount, booking_date::text as booking_date from bank_statement_lines where id = ${lineId}::uuid`,
      );
      const beneficiaryId = "parts" in data ? data.parts[0]!.beneficiaryId : "beneficiaryId" in data ? (data.beneficiaryId ?? null) : null;
      return {
        beneficiaryId,
        summary: {
          lineId,
          decision: "parts" in data ? "assign" : data.action,
          amount: line ? centsToJson(BigInt(line.amount)) : null,
          bookingDate: line?.booking_date ?? null,
          ...("parts" in data ? { parts: data.parts.map((p) => ({ payer: p.payer, prestation: p.prestation, amount: centsToJson(p.amount) })) } : {}),
        },
      };
    },
    apply: (ctx, { lineId, data }) => assignSuspenseLine({ ctx, lineId, data }),
  }),
  /**
   * What a closed measure still holds, paid by transfer to an IBAN not yet approved for
   * the person (the notary's or the heirs' after a death): like every new IBAN.
   */
  "measure.pay_held_funds": fourEyes({
    payload: z.object({ measureId: z.uuid(), data: PayHeldFundsInput }),
    async assess(ctx, { measureId, data }) {
      const iban = data.method === "transfer" ? data.creditor?.iban : undefined;
      if (!iban) return null;
      const { measure } = await loadMeasure(ctx.db, ctx, measureId);
      if ((await approvedIbans(ctx.db, measure.beneficiaryId)).has(iban)) return null;
      return {
        beneficiaryId: measure.beneficiaryId,
        summary: { ...ibanChange(null, iban), heldFundsTo: data.creditor?.name ?? null, method: data.method, date: data.date },
      };
    },
    apply: (ctx, { measureId, data }) => payHeldFunds({ ctx, measureId, data }),
  }),
};

export type FourEyesKind = keyof typeof FOUR_EYES_VERBS;
