import { z } from "zod";
import { MAX_OPERATION_CENTS } from "../../domain/money";
import type { ServiceContext } from "../context";
import { hashRequest } from "../idempotency";
import { CalendarDate, PositiveCents, Text } from "../schemas";
import { type CreditOutcome, creditBatcherFor } from "./credit-batcher";

export type { CreditOutcome } from "./credit-batcher";

const Code = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .regex(/^[A-Za-z0-9_ -]+$/, "letters, digits, _ and - only")
  .transform((s) => s.toUpperCase());

/**
 * Rule 9 (issue 15): the part of this payment the payer kept back to recover an indu
 * (a *retenue sur prestation*). `amount` stays what reached the bank (the net, the one
 * inflow, allocated like any credit); the deduction is recorded on the credit beside it
 * (gross = amount + deduction), never as a second movement. `prestation` is the one
 * that was overpaid: any code (the CAF also recovers indus of prestations the measure
 * does not manage, such as the prime d'activité).
 */
const CreditDeductionInput = z
  .object({
    amount: PositiveCents,
    prestation: Code,
    reference: Text({ max: 200 }).nullish(),
  })
  .strict();

export const RecordCreditInput = z
  .object({
    beneficiaryId: z.uuid(),
    payer: Code,
    prestation: Code,
    amount: PositiveCents,
    valueDate: CalendarDate,
    reference: Text({ max: 200 }).nullish(),
    deduction: CreditDeductionInput.nullish(),
  })
  // Zod may run this over a body whose fields already failed: only bigints are added.
  .refine((c) => typeof c.amount !== "bigint" || typeof c.deduction?.amount !== "bigint" || c.amount + c.deduction.amount <= MAX_OPERATION_CENTS, {
    path: ["deduction", "amount"],
    message: "absurd amount: the gross (amount + deduction) is over 100 000 000 cents",
  });
export type RecordCreditInput = z.input<typeof RecordCreditInput>;

/** The request hash a credit's idempotency key is stored with (the statement import writes credits with it too); a credit without a deduction hashes as it always did: keys stored before stay valid. */
export const creditRequestHash = (input: z.infer<typeof RecordCreditInput>): string =>
  hashRequest([
    input.beneficiaryId,
    input.payer,
    input.prestation,
    input.amount,
    input.valueDate,
    input.reference ?? null,
    ...(input.deduction ? [input.deduction.amount, input.deduction.prestation, input.deduction.reference ?? null] : []),
  ]);

/**
 * Records a prestation credit and allocates it, rent first (L.271-2 al. 2 CASF), in one
 * database transaction: the allocation, its balanced ledger transaction, the business
 * record, the idempotency key with its response and the audit row stand or fall
 * together. A key already used returns the first response; racing duplicates meet on
 * the key's primary key, so exactly one is posted. Concurrent credits are written in
 * batches (credit-batcher.ts). `data` and the key were validated at the edge (the route's
 * `c.req.valid`), once: the hot path does not parse them again.
 */
export function recordCredit({
  ctx,
  idempotencyKey,
  data,
  bankAddress,
}: {
  ctx: ServiceContext;
  idempotencyKey: string;
  data: z.infer<typeof RecordCreditInput>;
  /** A statement line's account (statement import); a credit typed by hand lands on `bank:main`. */
  bankAddress?: string;
}): Promise<CreditOutcome> {
  const { deduction, ...rest } = data;
  return creditBatcherFor(ctx.db).submit(ctx, idempotencyKey, creditRequestHash(data), {
    ...rest,
    reference: data.reference ?? null,
    ...(deduction ? { deduction: { amount: deduction.amount, prestation: deduction.prestation, reference: deduction.reference ?? null } } : {}),
    ...(bankAddress ? { bankAddress } : {}),
  });
}
