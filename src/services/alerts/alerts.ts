import { and, desc, eq, ne, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { mayHandleAlert } from "../../auth/permissions";
import { beneficiaries } from "../../db/schema/beneficiaries";
import { alerts } from "../../db/schema/jobs";
import { withTransaction } from "../../db/transaction";
import { ConflictError, DomainError, NotFoundError } from "../../domain/errors";
import { ALERT_AUDIENCES, ALL_ALERT_TYPES } from "../../domain/finance-alerts";
import { ALERT_STATUSES, personLabel } from "../../domain/unpaid-rent-alerts";
import { caseloadFilter } from "../access";
import { traceAccess } from "../audit/access-log";
import { recordAudit, type ServiceContext } from "../context";
import { Text } from "../schemas";

export const ListAlertsInput = z.object({
  beneficiaryId: z.uuid().optional(),
  type: z.enum(ALL_ALERT_TYPES).optional(),
  audience: z.enum(ALERT_AUDIENCES).optional(),
  /** `active`: open or acknowledged. */
  status: z.enum([...ALERT_STATUSES, "active"]).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});

/** A finance alert may be about no beneficiary: then it names no one. */
const alertView = (a: typeof alerts.$inferSelect, person?: { firstName: string | null; lastName: string | null }) => ({
  id: a.id,
  type: a.type,
  audience: a.audience,
  beneficiaryId: a.beneficiaryId,
  /** Rule 10: the person named (first name and initial) wherever the alert is shown. */
  person: person?.firstName != null && person.lastName != null ? personLabel({ firstName: person.firstName, lastName: person.lastName }) : null,
  measureId: a.measureId,
  periods: a.periods,
  evidence: a.evidence,
  status: a.status,
  createdAt: a.createdAt.toISOString(),
  updatedAt: a.updatedAt.toISOString(),
  acknowledgedAt: a.acknowledgedAt?.toISOString() ?? null,
  acknowledgedBy: a.acknowledgedBy,
  closedAt: a.closedAt?.toISOString() ?? null,
  closedBy: a.closedBy,
  closeReason: a.closeReason,
  closeComment: a.closeComment,
});

/** MASP 3 triggers first, then newest; a caseworker sees only their caseload. */
export async function listAlerts({ ctx, data }: { ctx: ServiceContext; data: z.output<typeof ListAlertsInput> }) {
  const filters: (SQL | undefined)[] = [caseloadFilter(ctx)];
  if (data.beneficiaryId) filters.push(eq(alerts.beneficiaryId, data.beneficiaryId));
  if (data.type) filters.push(eq(alerts.type, data.type));
  if (data.audience) filters.push(eq(alerts.audience, data.audience));
  if (data.status === "active") filters.push(ne(alerts.status, "closed"));
  else if (data.status) filters.push(eq(alerts.status, data.status));
  const rows = await ctx.db
    .select({ alert: alerts, firstName: beneficiaries.firstName, lastName: beneficiaries.lastName })
    .from(alerts)
    .leftJoin(beneficiaries, eq(beneficiaries.id, alerts.beneficiaryId))
    .where(and(...filters))
    .orderBy(sql`case when ${alerts.type} = 'masp3_trigger' then 0 else 1 end`, desc(alerts.createdAt))
    .limit(data.limit);
  await traceAccess(ctx, { action: "alert.list", beneficiaryId: data.beneficiaryId, details: { type: data.type, status: data.status, results: rows.length } });
  return rows.map((r) => alertView(r.alert, r));
}

async function loadAlert(ctx: ServiceContext, tx: Parameters<Parameters<ServiceContext["db"]["transaction"]>[0]>[0], id: string) {
  const [row] = await tx
    .select({ alert: alerts, firstName: beneficiaries.firstName, lastName: beneficiaries.lastName })
    .from(alerts)
    .leftJoin(beneficiaries, eq(beneficiaries.id, alerts.beneficiaryId))
    .where(and(eq(alerts.id, id), caseloadFilter(ctx)))
    .for("update", { of: alerts });
  if (!row) throw new NotFoundError("alert", id);
  if (!mayHandleAlert(ctx.role, row.alert.audience)) {
    throw new DomainError(
      "forbidden",
      row.alert.audience === "finance" ? "an alert about money is handled by finance staff" : "an alert about a beneficiary is handled by their caseworker",
      { audience: row.alert.audience },
    );
  }
  return { ...row.alert, person: { firstName: row.firstName, lastName: row.lastName } };
}

export async function acknowledgeAlert({ ctx, id }: { ctx: ServiceContext; id: string }) {
  return withTransaction(ctx.db, async (tx) => {
    const alert = await loadAlert(ctx, tx, id);
    if (alert.status === "closed") throw new ConflictError("this alert is closed");
    if (alert.status === "acknowledged") return alertView(alert, alert.person);
    const [row] = await tx
      .update(alerts)
      .set({ status: "acknowledged", acknowledgedAt: sql`now()`, acknowledgedBy: ctx.actor, updatedAt: sql`now()` })
      .where(eq(alerts.id, id))
      .returning();
    await recordAudit(tx, ctx, { action: "alert.acknowledge", entityType: "alert", entityId: id, beneficiaryId: alert.beneficiaryId });
    return alertView(row!, alert.person);
  });
}

export const CloseAlertInput = z.object({ comment: Text({ min: 3, max: 4000, multiline: true, tooShort: "say what was done (at least 3 characters)" }) });

export async function closeAlert({ ctx, id, data }: { ctx: ServiceContext; id: string; data: z.output<typeof CloseAlertInput> }) {
  return withTransaction(ctx.db, async (tx) => {
    const alert = await loadAlert(ctx, tx, id);
    if (alert.status === "closed") throw new ConflictError("this alert is already closed");
    const [row] = await tx
      .update(alerts)
      .set({
        status: "closed",
        closedAt: sql`now()`,
        closedBy: ctx.actor,
        closeReason: alert.audience === "finance" ? "closed_by_finance" : "closed_by_caseworker",
        closeComment: data.comment,
        updatedAt: sql`now()`,
      })
      .where(eq(alerts.id, id))
      .returning();
    await recordAudit(tx, ctx, {
      action: "alert.close",
      entityType: "alert",
      entityId: id,
      beneficiaryId: alert.beneficiaryId,
      changes: { comment: data.comment },
    });
    return alertView(row!, alert.person);
  });
}
