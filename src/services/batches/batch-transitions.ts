import type { Executor, Tx } from "../../db/client";
import { runText } from "../../db/sql";
import { withTransaction } from "../../db/transaction";
import { ConflictError, NotFoundError } from "../../domain/errors";
import type { BatchStatus } from "../../domain/payment-batches";
import { recordAudit, type ServiceContext } from "../context";
import { type BatchView, readBatch } from "./list-batches";

/** The batch, locked: two transitions at once end with one winner, the other a 409. */
async function lockBatch(tx: Tx, id: string): Promise<{ status: BatchStatus }> {
  const [row] = await runText<{ status: BatchStatus }>(tx, "select status from payment_batches where id = $1::uuid for update", [id]);
  if (!row) throw new NotFoundError("payment batch", id);
  return row;
}

/**
 * A prepared batch whose orders are no longer all `batched` (one was cancelled since)
 * would pay them anyway: its file is frozen. It can only be dissolved and prepared again.
 */
export async function assertBatchIntact(executor: Executor, id: string): Promise<void> {
  const [row] = await runText<{ n: number }>(
    executor,
    `select count(*)::int as n from payment_batch_orders l join payment_orders o on o.id = l.order_id
      where l.batch_id = $1::uuid and o.status <> 'batched'`,
    [id],
  );
  if (row && row.n > 0) {
    throw new ConflictError("an order of the batch was cancelled since it was prepared: dissolve the batch and prepare it again", {
      ordersNotBatched: row.n,
    });
  }
}

/**
 * Moves the batch's orders that are still `batched` (one cancelled meanwhile stays
 * cancelled) and the batch itself, from `prepared` only.
 */
async function transition(
  ctx: ServiceContext,
  id: string,
  move: { batch: Exclude<BatchStatus, "prepared">; orders: "sent" | "pending"; stamp: "sent_at" | "dissolved_at"; action: string },
): Promise<BatchView> {
  return withTransaction(ctx.db, async (tx) => {
    const batch = await lockBatch(tx, id);
    if (batch.status !== "prepared") {
      throw new ConflictError(`the batch is ${batch.status}: only a prepared batch can be ${move.batch}`, { status: batch.status });
    }
    if (move.batch === "sent") await assertBatchIntact(tx, id);
    const moved = await runText<{ n: number }>(
      tx,
      `with moved as (
         update payment_orders o set status = $2 from payment_batch_orders l
          where l.batch_id = $1::uuid and o.id = l.order_id and o.status = 'batched'
         returning 1)
       select count(*)::int as n from moved`,
      [id, move.orders],
    );
    await runText(tx, `update payment_batches set status = $2, ${move.stamp} = now() where id = $1::uuid`, [id, move.batch]);
    await recordAudit(tx, ctx, { action: move.action, entityType: "payment_batch", entityId: id, changes: { status: move.batch, orders: moved[0]?.n ?? 0 } });
    return readBatch(tx, id);
  });
}

/** Marquer comme envoyée: the file went to the bank; its orders are `sent`. */
export const markBatchSent = ({ ctx, id }: { ctx: ServiceContext; id: string }) =>
  transition(ctx, id, { batch: "sent", orders: "sent", stamp: "sent_at", action: "payment_batch.sent" });

/** Dissoudre: before it is sent, the batch releases its orders back to `pending`. */
export const dissolveBatch = ({ ctx, id }: { ctx: ServiceContext; id: string }) =>
  transition(ctx, id, { batch: "dissolved", orders: "pending", stamp: "dissolved_at", action: "payment_batch.dissolve" });
