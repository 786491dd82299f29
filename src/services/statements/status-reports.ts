import { v7 as uuidv7 } from "uuid";
import { orderIdFromEndToEndId } from "../../banking/pain001/references";
import type { PaymentStatusReport } from "../../banking/statements/types";
import { runText } from "../../db/sql";
import { withTransaction } from "../../db/transaction";
import { recordAudit, type ServiceContext } from "../context";
import { rejectOrReturnOrders } from "./order-steps";

/**
 * A pain.002: the bank refused a whole file (group RJCT) or single transfers (RJCT) before
 * the money left: each order `rejected` by its verb (back to its envelope, finance alert).
 * Accepted ones change nothing (the statement settles them).
 */
export async function applyStatusReports(ctx: ServiceContext, reports: readonly PaymentStatusReport[]) {
  let rejected = 0;
  let unknown = 0;
  let unchanged = 0;
  for (const report of reports) {
    const date = ctx.today();
    const byId = new Map<string, { reason: string | null; date: string | null }>();
    if (report.groupStatus === "RJCT") {
      const rows = await runText<{ id: string }>(
        ctx.db,
        `select bo.order_id::text as id from payment_batches b join payment_batch_orders bo on bo.batch_id = b.id where b.msg_id = $1`,
        [report.originalMessageId],
      );
      for (const r of rows) byId.set(r.id, { reason: report.groupReason, date: null });
    }
    for (const t of report.transactions) {
      const id = orderIdFromEndToEndId(t.endToEndId);
      if (t.status !== "RJCT") {
        unchanged++;
        continue;
      }
      if (!id) {
        unknown++;
        continue;
      }
      byId.set(id, { reason: t.reasonCode ?? report.groupReason, date: t.date });
    }
    for (const [orderId, r] of byId) {
      const done = await rejectOrReturnOrders(ctx, [orderId], {
        transition: "reject",
        date: r.date && r.date <= date ? r.date : date,
        reasonCode: r.reason ?? undefined,
      });
      if (done.length) rejected++;
      else unknown++;
    }
    const [batch] = await runText<{ id: string }>(ctx.db, "select id from payment_batches where msg_id = $1", [report.originalMessageId]);
    await withTransaction(ctx.db, (tx) =>
      recordAudit(tx, ctx, {
        action: "payment_status_report.import",
        entityType: batch ? "payment_batch" : "payment_status_report",
        entityId: batch?.id ?? uuidv7(),
        changes: { msgId: report.originalMessageId, groupStatus: report.groupStatus, transactions: report.transactions.length },
      }),
    );
  }
  return { rejected, unknown, unchanged };
}
