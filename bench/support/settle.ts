import type { Db } from "../../src/db/client";
import { runText } from "../../src/db/sql";
import { transitionOrder } from "../../src/services/banking/transition-order";
import { systemContext } from "../../src/services/context";
import { runConcurrent } from "./stats";

/**
 * Every order of a sent batch settled through the verb the statement import calls
 * (`POST /v1/payment-orders/{id}/settlement`): one transaction per order, a few at once
 * as several requests would. Returns how many were settled.
 */
export async function settleSentOrders(db: Db, batchId: string, date: string, concurrency = 8): Promise<number> {
  const ids = (await runText<{ id: string }>(db, "select order_id as id from payment_batch_orders where batch_id = $1::uuid order by order_id", [batchId])).map(
    (r) => r.id,
  );
  const ctx = { ...systemContext(db, "bench"), today: () => date };
  await runConcurrent(ids.length, concurrency, (i) => transitionOrder(ctx, ids[i]!, "settle", { date }));
  return ids.length;
}
