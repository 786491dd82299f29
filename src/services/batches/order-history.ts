import { and, asc, eq } from "drizzle-orm";
import { auditLog } from "../../db/schema/audit";
import { beneficiaries } from "../../db/schema/beneficiaries";
import { paymentOrders } from "../../db/schema/payments";
import { runText } from "../../db/sql";
import { NotFoundError } from "../../domain/errors";
import type { BatchStatus } from "../../domain/payment-batches";
import { caseloadFilter } from "../access";
import { traceAccess } from "../audit/access-log";
import type { ServiceContext } from "../context";
import { paymentOrderView } from "../payments/payment-orders";

interface OrderEvent {
  at: string;
  /** `created`, `batched` (in a remise), or the audit action of a step of its life. */
  what: string;
  actor: string | null;
  details: Record<string, unknown>;
}

/**
 * An order and its history: written, each remise it went into (with the remise's own
 * status), each step of its life from the business audit (who, when, the bank's date and
 * reason). A finance read of personal data: traced.
 */
export async function readOrderHistory({ ctx, id }: { ctx: ServiceContext; id: string }) {
  const [row] = await ctx.db
    .select({ order: paymentOrders, firstName: beneficiaries.firstName, lastName: beneficiaries.lastName })
    .from(paymentOrders)
    .innerJoin(beneficiaries, eq(beneficiaries.id, paymentOrders.beneficiaryId))
    .where(and(eq(paymentOrders.id, id), caseloadFilter(ctx)));
  if (!row) throw new NotFoundError("payment order", id);
  const batches = await runText<{ id: string; status: BatchStatus; execution_date: string; created_at: string; prepared_by: string }>(
    ctx.db,
    `select b.id, b.status, b.execution_date::text as execution_date, b.created_at::text as created_at, b.prepared_by
       from payment_batch_orders l join payment_batches b on b.id = l.batch_id where l.order_id = $1::uuid`,
    [id],
  );
  const steps = await ctx.db
    .select()
    .from(auditLog)
    // By the beneficiary first: the audit log's index (it has none by entity).
    .where(and(eq(auditLog.beneficiaryId, row.order.beneficiaryId), eq(auditLog.entityType, "payment_order"), eq(auditLog.entityId, id)))
    .orderBy(asc(auditLog.at));
  const events: OrderEvent[] = [
    { at: row.order.createdAt.toISOString(), what: "created", actor: null, details: {} },
    ...batches.map((b) => ({
      at: new Date(b.created_at).toISOString(),
      what: "batched",
      actor: b.prepared_by,
      details: { batchId: b.id, batchStatus: b.status, executionDate: b.execution_date },
    })),
    ...steps.map((s) => ({ at: s.at.toISOString(), what: s.action, actor: s.actor, details: s.changes })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  await traceAccess(ctx, { action: "payment_order.list", beneficiaryId: row.order.beneficiaryId, details: { orderId: id, results: 1 } });
  return { order: paymentOrderView(row.order), beneficiaryName: `${row.lastName} ${row.firstName}`, events };
}
