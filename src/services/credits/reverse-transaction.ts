import { sql } from "drizzle-orm";
import { z } from "zod";
import { queryRows, toBigInt } from "../../db/sql";
import { withTransaction } from "../../db/transaction";
import { DomainError, NotFoundError } from "../../domain/errors";
import { centsToJson } from "../../domain/money";
import { reverse } from "../../ledger/reverse";
import { loadBeneficiary } from "../access";
import { recordAudit, type ServiceContext } from "../context";
import { CalendarDate, Text } from "../schemas";

export const ReverseTransactionInput = z.object({
  reason: Text({ min: 3, max: 1000, multiline: true, tooShort: "say why (at least 3 characters)" }),
  /** The business date of the correction; default today. */
  valueDate: CalendarDate.optional(),
});
export type ReverseTransactionInput = z.input<typeof ReverseTransactionInput>;

/** What may be corrected by a reversal here; payments are corrected by their rejection. */
const REVERSIBLE = new Set(["credit", "overpayment_recovery"]);

/**
 * Reverses a credit and its allocation by the mirror transaction. Refused (409, with
 * the envelopes short) when the money has already been paid out: a reversal never
 * takes an envelope below zero.
 */
export async function reverseTransaction({
  ctx,
  transactionId,
  data,
}: {
  ctx: ServiceContext;
  transactionId: string;
  data: z.output<typeof ReverseTransactionInput>;
}) {
  return withTransaction(ctx.db, async (tx) => {
    const [txn] = await queryRows<{ kind: string; beneficiary_id: string | null; reverses_id: string | null }>(
      tx,
      sql`select kind, beneficiary_id, reverses_id from ledger_transactions where id = ${transactionId}::uuid`,
    );
    if (!txn) throw new NotFoundError("transaction", transactionId);
    if (!REVERSIBLE.has(txn.kind)) throw new DomainError("not_reversible", `a ${txn.kind} transaction is not corrected by a reversal`);
    if (txn.beneficiary_id) await loadBeneficiary(tx, ctx, txn.beneficiary_id, { lock: true });
    // Say exactly which envelopes no longer hold what the reversal would take back.
    const short = await queryRows<{ address: string; needed: string; held: string }>(
      tx,
      sql`select a.address, p.amount::text as needed, a.balance::text as held
            from ledger_postings p join ledger_accounts a on a.id = p.account_id
           where p.transaction_id = ${transactionId}::uuid and a.balance_cached and p.direction = a.normal_side
             and a.balance < p.amount
             and not exists (select 1 from ledger_transactions r where r.reverses_id = ${transactionId}::uuid)`,
    );
    if (short.length > 0) {
      throw new DomainError("funds_already_paid_out", "the money has already been paid out: the envelopes no longer hold what the reversal would take back", {
        envelopes: short.map((s) => ({ account: s.address, needed: centsToJson(toBigInt(s.needed)), held: centsToJson(toBigInt(s.held)) })),
      });
    }
    const result = await reverse(tx, { transactionId, actor: ctx.actor, reason: data.reason, valueDate: data.valueDate ?? ctx.today() });
    if (!result.replayed) {
      await recordAudit(tx, ctx, {
        action: "transaction.reverse",
        entityType: "transaction",
        entityId: transactionId,
        beneficiaryId: txn.beneficiary_id,
        changes: { reversalId: result.transactionId, reason: data.reason },
      });
    }
    return { reversalId: result.transactionId, reversesId: transactionId, replayed: result.replayed };
  });
}
