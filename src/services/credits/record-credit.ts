import { z } from "zod";
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

export const RecordCreditInput = z.object({
  beneficiaryId: z.uuid(),
  payer: Code,
  prestation: Code,
  amount: PositiveCents,
  valueDate: CalendarDate,
  reference: Text({ max: 200 }).nullish(),
});
export type RecordCreditInput = z.input<typeof RecordCreditInput>;

/** The request hash a credit's idempotency key is stored with (the statement import writes credits with it too). */
export const creditRequestHash = (input: z.infer<typeof RecordCreditInput>): string =>
  hashRequest([input.beneficiaryId, input.payer, input.prestation, input.amount, input.valueDate, input.reference ?? null]);

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
  return creditBatcherFor(ctx.db).submit(ctx, idempotencyKey, creditRequestHash(data), {
    ...data,
    reference: data.reference ?? null,
    ...(bankAddress ? { bankAddress } : {}),
  });
}
