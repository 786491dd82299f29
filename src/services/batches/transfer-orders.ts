import { z } from "zod";
import { runText, toBigInt } from "../../db/sql";
import { PAYMENT_KINDS, PAYMENT_METHODS, PAYMENT_STATUSES } from "../../domain/payment-plans";
import { traceAccess } from "../audit/access-log";
import type { ServiceContext } from "../context";
import { CalendarDate } from "../schemas";
import { ORDER_ACCOUNT_SQL } from "./batch-accounts";

export const ListTransferOrdersInput = z.object({
  kind: z.enum(PAYMENT_KINDS).optional(),
  method: z.enum(PAYMENT_METHODS).optional(),
  status: z.enum(PAYMENT_STATUSES).default("pending"),
  /** Due on or before this date (what a batch for that execution date would take). */
  until: CalendarDate.optional(),
  /** Part of the beneficiary's last or first name. */
  beneficiary: z.string().trim().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(2000).default(1000),
});

export interface TransferOrderRow {
  id: string;
  kind: string;
  method: string;
  status: string;
  businessDate: string;
  period: string | null;
  amount: bigint;
  creditorName: string;
  creditorIban: string | null;
  beneficiaryId: string;
  beneficiaryName: string;
  bankAccountId: string | null;
  bankAccountName: string | null;
}

const LIST_SQL = `select o.id, o.kind, o.method, o.status, o.business_date::text as business_date, o.period, o.amount::text as amount,
       o.creditor_name, o.creditor_iban, o.beneficiary_id, b.last_name || ' ' || b.first_name as beneficiary_name,
       a.id as bank_account_id, a.name as bank_account_name
  from payment_orders o
  join beneficiaries b on b.id = o.beneficiary_id
  left join bank_accounts a on a.id = coalesce(o.bank_account_id, ${ORDER_ACCOUNT_SQL.accountOf})
 where o.status = $1 and ($2::text is null or o.kind = $2) and ($3::date is null or o.business_date <= $3::date)
   and ($4::text is null or b.last_name ilike $4 or b.first_name ilike $4)
   and ($6::text is null or o.method = $6)
 order by a.name nulls first, o.business_date, o.creditor_name, o.id
 limit $5`;

/** `%` and `_` typed in a name are letters, not patterns. */
const contains = (text: string) => `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

/**
 * The orders of the Virements page: each with its beneficiary and the bank account its
 * money leaves from, by account, due date and creditor. A finance read of personal
 * data: traced.
 */
export async function listTransferOrders({ ctx, data }: { ctx: ServiceContext; data: z.output<typeof ListTransferOrdersInput> }): Promise<TransferOrderRow[]> {
  const rows = await runText<{
    id: string;
    kind: string;
    method: string;
    status: string;
    business_date: string;
    period: string | null;
    amount: string;
    creditor_name: string;
    creditor_iban: string | null;
    beneficiary_id: string;
    beneficiary_name: string;
    bank_account_id: string | null;
    bank_account_name: string | null;
  }>(ctx.db, LIST_SQL, [
    data.status,
    data.kind ?? null,
    data.until ?? null,
    data.beneficiary ? contains(data.beneficiary) : null,
    data.limit,
    data.method ?? null,
  ]);
  const { beneficiary, ...asked } = data;
  await traceAccess(ctx, { action: "payment_order.list", details: { ...asked, byName: beneficiary !== undefined, results: rows.length } });
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    method: r.method,
    status: r.status,
    businessDate: r.business_date,
    period: r.period,
    amount: toBigInt(r.amount),
    creditorName: r.creditor_name,
    creditorIban: r.creditor_iban,
    beneficiaryId: r.beneficiary_id,
    beneficiaryName: r.beneficiary_name,
    bankAccountId: r.bank_account_id,
    bankAccountName: r.bank_account_name,
  }));
}
