import { and, desc, eq, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "../../db/client";
import { paymentBatches } from "../../db/schema/batches";
import { NotFoundError } from "../../domain/errors";
import { BATCH_STATUSES } from "../../domain/payment-batches";
import type { ServiceContext } from "../context";

export const ListBatchesInput = z.object({
  status: z.enum(BATCH_STATUSES).optional(),
  bankAccountId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const batchView = (b: typeof paymentBatches.$inferSelect) => ({
  id: b.id,
  bankAccountId: b.bankAccountId,
  bankAccountName: b.debtor.name,
  executionDate: b.executionDate,
  status: b.status,
  orders: b.orderCount,
  total: b.total,
  msgId: b.msgId,
  painVersion: b.debtor.painVersion,
  preparedBy: b.preparedBy,
  createdAt: b.createdAt.toISOString(),
  sentAt: b.sentAt?.toISOString() ?? null,
  dissolvedAt: b.dissolvedAt?.toISOString() ?? null,
});

export type BatchView = ReturnType<typeof batchView>;

export async function readBatch(executor: Executor, id: string): Promise<BatchView> {
  const [row] = await executor.select().from(paymentBatches).where(eq(paymentBatches.id, id));
  if (!row) throw new NotFoundError("payment batch", id);
  return batchView(row);
}

/** The batches, newest first (finance and managers: no personal data in a batch's row). */
export async function listBatches({ ctx, data }: { ctx: ServiceContext; data: z.output<typeof ListBatchesInput> }): Promise<BatchView[]> {
  const filters: (SQL | undefined)[] = [];
  if (data.status) filters.push(eq(paymentBatches.status, data.status));
  if (data.bankAccountId) filters.push(eq(paymentBatches.bankAccountId, data.bankAccountId));
  const rows = await ctx.db
    .select()
    .from(paymentBatches)
    .where(and(...filters))
    .orderBy(desc(paymentBatches.createdAt), desc(paymentBatches.id))
    .limit(data.limit);
  return rows.map(batchView);
}
