import { and, desc, eq, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { beneficiaries } from "../../db/schema/beneficiaries";
import { reversementPlans } from "../../db/schema/jobs";
import { paymentOrders } from "../../db/schema/payments";
import { withTransaction } from "../../db/transaction";
import { ValidationError } from "../../domain/errors";
import { DEFAULT_REVERSEMENT_PLAN, PAYMENT_KINDS, PAYMENT_METHODS, PAYMENT_STATUSES } from "../../domain/payment-plans";
import { reasonLabel } from "../../domain/payment-reasons";
import { caseloadFilter, loadBeneficiary } from "../access";
import { traceAccess } from "../audit/access-log";
import { recordAudit, type ServiceContext } from "../context";
import { CalendarDate, CentsOr, PositiveCents } from "../schemas";

export const ListPaymentOrdersInput = z.object({
  beneficiaryId: z.uuid().optional(),
  kind: z.enum(PAYMENT_KINDS).optional(),
  status: z.enum(PAYMENT_STATUSES).optional(),
  businessDate: CalendarDate.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});

export const paymentOrderView = (o: typeof paymentOrders.$inferSelect) => ({
  id: o.id,
  beneficiaryId: o.beneficiaryId,
  kind: o.kind,
  method: o.method,
  amount: o.amount,
  creditorName: o.creditorName,
  creditorIban: o.creditorIban,
  chequeNumber: o.chequeNumber,
  receiptNumber: o.receiptNumber,
  reason: o.reason,
  period: o.period,
  chargeId: o.chargeId,
  businessDate: o.businessDate,
  status: o.status,
  bankAccountId: o.bankAccountId,
  statusDate: o.statusDate,
  reasonCode: o.reasonCode,
  reasonLabel: o.reasonCode ? reasonLabel(o.reasonCode) : null,
  ledgerTransactionId: o.ledgerTransactionId,
  createdAt: o.createdAt.toISOString(),
});

export async function listPaymentOrders({ ctx, data }: { ctx: ServiceContext; data: z.output<typeof ListPaymentOrdersInput> }) {
  const filters: (SQL | undefined)[] = [caseloadFilter(ctx)];
  if (data.beneficiaryId) filters.push(eq(paymentOrders.beneficiaryId, data.beneficiaryId));
  if (data.kind) filters.push(eq(paymentOrders.kind, data.kind));
  if (data.status) filters.push(eq(paymentOrders.status, data.status));
  if (data.businessDate) filters.push(eq(paymentOrders.businessDate, data.businessDate));
  const rows = await ctx.db
    .select({ order: paymentOrders })
    .from(paymentOrders)
    .innerJoin(beneficiaries, eq(beneficiaries.id, paymentOrders.beneficiaryId))
    .where(and(...filters))
    .orderBy(desc(paymentOrders.businessDate), desc(paymentOrders.id))
    .limit(data.limit);
  const { beneficiaryId, ...asked } = data;
  await traceAccess(ctx, { action: "payment_order.list", beneficiaryId, details: { ...asked, results: rows.length } });
  return rows.map((r) => paymentOrderView(r.order));
}

export const ReversementPlanInput = z
  .object({
    frequency: z.enum(["weekly", "monthly"]),
    weekday: z.number().int().min(1).max(7).optional(),
    day: z.number().int().min(1).max(31).optional(),
    mode: z.enum(["all_available", "fixed"]).default("all_available"),
    amount: PositiveCents.optional(),
    buffer: CentsOr(0),
    /** Cash and cheque pay a person who has no bank account (IBAN) of their own. */
    method: z.enum(PAYMENT_METHODS).default("transfer"),
  })
  .strict();

const DEFAULT_PLAN_VIEW = { ...DEFAULT_REVERSEMENT_PLAN, isDefault: true };

/** The beneficiary's reversement plan: weekly on a weekday or monthly on a day; all available or a fixed amount; a buffer kept back. */
export async function setReversementPlan({
  ctx,
  beneficiaryId,
  data,
}: {
  ctx: ServiceContext;
  beneficiaryId: string;
  data: z.output<typeof ReversementPlanInput>;
}) {
  const issues = [];
  if (data.frequency === "weekly" && !data.weekday)
    issues.push({ field: "weekday", message: "a weekly plan needs its weekday (1 = Monday … 7 = Sunday)", code: "required" });
  if (data.frequency === "weekly" && data.day) issues.push({ field: "day", message: "a weekly plan has no day of the month", code: "not_allowed" });
  if (data.frequency === "monthly" && data.weekday) issues.push({ field: "weekday", message: "a monthly plan has no weekday", code: "not_allowed" });
  if (data.mode === "fixed" && data.amount === undefined) issues.push({ field: "amount", message: "a fixed reversement needs its amount", code: "required" });
  if (data.mode === "all_available" && data.amount !== undefined)
    issues.push({ field: "amount", message: "`all_available` pays what is available: give no amount", code: "not_allowed" });
  if (issues.length) throw new ValidationError("the reversement plan is invalid", issues);
  const row = {
    beneficiaryId,
    frequency: data.frequency,
    weekday: data.frequency === "weekly" ? data.weekday! : null,
    day: data.frequency === "monthly" ? (data.day ?? 10) : null,
    mode: data.mode,
    amount: data.mode === "fixed" ? data.amount! : null,
    buffer: data.buffer,
    method: data.method,
  };
  return withTransaction(ctx.db, async (tx) => {
    await loadBeneficiary(tx, ctx, beneficiaryId, { lock: true });
    await tx
      .insert(reversementPlans)
      .values(row)
      .onConflictDoUpdate({ target: reversementPlans.beneficiaryId, set: { ...row, updatedAt: sql`now()` } });
    await recordAudit(tx, ctx, {
      action: "reversement_plan.set",
      entityType: "beneficiary",
      entityId: beneficiaryId,
      beneficiaryId,
      changes: { ...row, amount: row.amount?.toString() ?? null, buffer: row.buffer.toString() },
    });
    return { ...row, isDefault: false };
  });
}

export async function getReversementPlan({ ctx, beneficiaryId }: { ctx: ServiceContext; beneficiaryId: string }) {
  await loadBeneficiary(ctx.db, ctx, beneficiaryId);
  const [row] = await ctx.db.select().from(reversementPlans).where(eq(reversementPlans.beneficiaryId, beneficiaryId));
  if (!row) return { beneficiaryId, ...DEFAULT_PLAN_VIEW };
  return {
    beneficiaryId,
    frequency: row.frequency,
    weekday: row.weekday,
    day: row.day,
    mode: row.mode,
    amount: row.amount,
    buffer: row.buffer,
    method: row.method,
    isDefault: false,
  };
}
