import { v7 as uuidv7 } from "uuid";
import type { Tx } from "../../db/client";
import { paymentOrders } from "../../db/schema/payments";
import { envelopeAddress, PAYMENTS_IN_TRANSIT, parseEnvelopeAddress } from "../../ledger/accounts";
import { beneficiaryBalances } from "../../ledger/balances";
import { post } from "../../ledger/post";
import type { ServiceContext } from "../context";

export interface EnvelopeBalance {
  address: string;
  envelope: string;
  amount: bigint;
}

/** The person's envelopes that hold money (read with the beneficiary locked: nothing moves them meanwhile). */
export async function heldEnvelopes(tx: Tx, beneficiaryId: string): Promise<EnvelopeBalance[]> {
  const balances = await beneficiaryBalances(tx, beneficiaryId);
  const held: EnvelopeBalance[] = [];
  for (const [address, amount] of balances) {
    const parsed = parseEnvelopeAddress(address);
    if (parsed && amount > 0n) held.push({ address, envelope: parsed.envelope, amount });
  }
  return held;
}

export interface FinalOrderInput {
  beneficiaryId: string;
  measureId: string;
  date: string;
  method: "transfer" | "cash" | "cheque";
  creditorName: string;
  creditorIban: string | null;
  /** Names this payment once: a retry finds the key taken and posts nothing twice. */
  key: string;
}

/**
 * Pays every envelope out in one `final` order. The envelopes are first gathered into
 * `available`, so that money coming back (a rejection, a return) lands in one known
 * envelope, then the order moves it to payments in transit. Null when nothing is held.
 */
export async function payOutEnvelopes(tx: Tx, ctx: ServiceContext, input: FinalOrderInput) {
  const held = await heldEnvelopes(tx, input.beneficiaryId);
  const total = held.reduce((sum, e) => sum + e.amount, 0n);
  if (total === 0n) return null;
  const available = envelopeAddress(input.beneficiaryId, "available");
  const others = held.filter((e) => e.address !== available);
  if (others.length > 0) {
    await post(tx, {
      kind: "measure.final_gathering",
      valueDate: input.date,
      description: "Clôture : enveloppes regroupées avant le versement final",
      idempotencyKey: `${input.key}:gathering`,
      actor: ctx.actor,
      beneficiaryId: input.beneficiaryId,
      metadata: { measureId: input.measureId },
      postings: [
        ...others.map((e) => ({ account: e.address, direction: "debit" as const, amount: e.amount })),
        { account: available, direction: "credit", amount: others.reduce((sum, e) => sum + e.amount, 0n) },
      ],
    });
  }
  const id = uuidv7();
  await post(tx, {
    id,
    kind: "payment.final",
    valueDate: input.date,
    description: `Versement final ${input.date}`,
    idempotencyKey: `payment:${input.key}`,
    actor: ctx.actor,
    beneficiaryId: input.beneficiaryId,
    metadata: { paymentOrderId: id, kind: "final", method: input.method },
    postings: [
      { account: available, direction: "debit", amount: total },
      { account: PAYMENTS_IN_TRANSIT, direction: "credit", amount: total },
    ],
  });
  const [order] = await tx
    .insert(paymentOrders)
    .values({
      id,
      naturalKey: input.key,
      beneficiaryId: input.beneficiaryId,
      measureId: input.measureId,
      kind: "final",
      businessDate: input.date,
      amount: total,
      creditorName: input.creditorName,
      creditorIban: input.method === "transfer" ? input.creditorIban : null,
      method: input.method,
      ledgerTransactionId: id,
    })
    .returning();
  return { order: order!, envelopes: held };
}
