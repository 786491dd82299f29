import { v7 as uuidv7 } from "uuid";
import type { Db } from "../../db/client";
import { toBigInt } from "../../db/sql";
import type { JobFacts } from "../../domain/beneficiary-facts";
import { chargeIdOf } from "../../domain/envelopes";
import { centsToJson } from "../../domain/money";
import { type PaymentItem, planChargePayments, planRentPayments, planReversement, type ReversementSkip } from "../../domain/payment-plans";
import { envelopeAddress, PAYMENTS_IN_TRANSIT } from "../../ledger/accounts";
import { ledgerTransaction } from "../../ledger/post";
import { JOB_READS, type StateRead } from "../credits/credit-state";
import { runByChunks } from "./run-by-chunks";

const WRITE_SQL = `select out_created as created, out_amount::text as amount from create_payment_orders($1::jsonb, $2::jsonb)`;

export interface PaymentRunSummary {
  asOf: string;
  beneficiaries: number;
  ordersCreated: number;
  /** Orders that this run would have made but a previous run for the date already did. */
  ordersAlreadyDone: number;
  amount: number;
  skippedNoIban?: number;
  /** Orders not written because the bank refused their IBAN (AC01, AC04...) and it has not changed since. */
  skippedRefusedIban?: number;
  /**
   * Rule 7: reversements of `available` held back because this month's rent is not
   * covered (the measure did not opt out), and what those rents still lack in all.
   */
  heldBackRentShort?: number;
  rentShortAmount?: number;
}

/** A beneficiary's orders as its job planned them, and the IBANs the bank refused. */
interface Planned {
  items: PaymentItem[];
  skipped?: ReversementSkip;
  /** Rule 7: what this month's rent still lacks when the reversement was held back. */
  shortfall?: bigint;
  refusedIbans?: ReadonlySet<string>;
}

/** A job's planner over the state its job reads (only what the planner uses: see JOB_READS). */
const planner =
  <S extends Pick<JobFacts, "refusedIbans">>(read: StateRead<S>, plan: (state: S, asOf: string) => Omit<Planned, "refusedIbans">) =>
  (asOf: string): StateRead<Planned> => ({
    sql: read.sql,
    parse: (rows) => read.parse(rows).map((state) => ({ ...plan(state, asOf), refusedIbans: state.refusedIbans })),
  });

const PLANNERS = {
  rent: planner(JOB_READS.rent, (s, d) => ({ items: planRentPayments(s, d) })),
  charge: planner(JOB_READS.job, (s, d) => ({ items: planChargePayments(s, d) })),
  reversement: planner(JOB_READS.reversement, (s, d) => {
    const r = planReversement(s, d);
    return { items: [r.item, r.living].filter((i) => i !== null), skipped: r.skipped, shortfall: r.shortfall };
  }),
};

/**
 * One payment job for a business date: plan each beneficiary's orders from the state
 * read under lock, then write the chunk's orders and postings in one statement.
 * Running it again for the same date changes nothing (natural keys; and what was paid
 * is no longer owed).
 */
export async function runPayments({
  db,
  kind,
  asOf,
  actor,
  chunkSize,
  onProgress,
}: {
  db: Db;
  kind: keyof typeof PLANNERS;
  asOf: string;
  actor: string;
  chunkSize?: number;
  onProgress?: (done: number, total: number) => Promise<void> | void;
}): Promise<PaymentRunSummary> {
  let ordersCreated = 0;
  let planned = 0;
  let amount = 0n;
  let skippedNoIban = 0;
  let skippedRefusedIban = 0;
  let heldBackRentShort = 0;
  let rentShort = 0n;
  const { beneficiaries } = await runByChunks({ db, asOf, chunkSize, onProgress, read: PLANNERS[kind](asOf) }, async (q, chunk) => {
    const items: PaymentItem[] = [];
    for (const r of chunk) {
      for (const item of r.items) {
        if (item.creditorIban !== null && r.refusedIbans?.has(item.creditorIban)) skippedRefusedIban++;
        else items.push(item);
      }
      if (r.skipped === "no_iban") skippedNoIban++;
      if (r.skipped === "rent_short") {
        heldBackRentShort++;
        rentShort += r.shortfall ?? 0n;
      }
    }
    if (items.length === 0) return;
    // The orders, and their ledger transactions (same id) as ledger_post_many reads them.
    const posts: ReturnType<typeof ledgerTransaction>[] = [];
    const rows = items.map((i) => {
      const id = uuidv7();
      posts.push(
        ledgerTransaction({
          id,
          kind: `payment.${i.kind}`,
          valueDate: i.businessDate,
          description: i.description,
          idempotencyKey: `payment:${i.naturalKey}`,
          actor,
          beneficiaryId: i.beneficiaryId,
          metadata: { paymentOrderId: id, kind: i.kind, period: i.period, chargeId: i.chargeId },
          postings: [
            { account: envelopeAddress(i.beneficiaryId, i.envelope.envelope, chargeIdOf(i.envelope)), direction: "debit", amount: i.amount },
            { account: PAYMENTS_IN_TRANSIT, direction: "credit", amount: i.amount },
          ],
        }),
      );
      return {
        id,
        natural_key: i.naturalKey,
        beneficiary_id: i.beneficiaryId,
        measure_id: i.measureId,
        kind: i.kind,
        period: i.period,
        lease_id: i.leaseId ?? null,
        charge_id: i.chargeId,
        business_date: i.businessDate,
        amount: i.amount.toString(),
        creditor_name: i.creditorName,
        creditor_iban: i.creditorIban,
        method: i.method ?? "transfer",
      };
    });
    const [row] = await q<{ created: number; amount: string }>(WRITE_SQL, [JSON.stringify(rows), JSON.stringify(posts)]);
    ordersCreated += Number(row?.created ?? 0);
    amount += toBigInt(row?.amount ?? "0");
    planned += items.length;
  });
  return {
    asOf,
    beneficiaries,
    ordersCreated,
    ordersAlreadyDone: planned - ordersCreated,
    amount: centsToJson(amount),
    ...(kind === "reversement" ? { skippedNoIban, heldBackRentShort, rentShortAmount: centsToJson(rentShort) } : {}),
    ...(skippedRefusedIban > 0 ? { skippedRefusedIban } : {}),
  };
}
