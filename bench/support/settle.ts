import type { Db } from "../../src/db/client";
import { runText } from "../../src/db/sql";
import { settleOrders } from "../../src/services/banking/settle-orders";
import { systemContext } from "../../src/services/context";

/**
 * Every order of a sent batch settled through the bulk settlement the statement import
 * calls (`settleOrders`: one transaction per chunk, set-based inside). Returns how many
 * were settled.
 */
export async function settleSentOrders(db: Db, batchId: string, date: string): Promise<number> {
  const ids = await runText<{ id: string }>(db, "select order_id as id from payment_batch_orders where batch_id = $1::uuid order by order_id", [batchId]);
  const ctx = { ...systemContext(db, "bench"), today: () => date };
  const outcomes = await settleOrders(
    ctx,
    ids.map((r) => ({ orderId: r.id, date })),
  );
  return outcomes.filter((o) => o.outcome === "settled").length;
}
