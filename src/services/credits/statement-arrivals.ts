import { sql } from "drizzle-orm";
import { queryRows } from "../../db/sql";
import { loadBeneficiary } from "../access";
import type { ServiceContext } from "../context";

/** How far apart (days) a typed credit and a statement's credit may be and still be the same money. */
const SAME_CREDIT_DAYS = 5;

export interface StatementArrival {
  creditId: string;
  valueDate: string;
  bookingDate: string;
  amount: bigint;
  reference: string | null;
}

/**
 * The credits that already arrived by bank statement for the same person, payer and
 * amount within five days of `valueDate`: what the credit form warns about before a
 * second, hand-typed copy is recorded (the import does the same check the other way
 * round, `handTypedCredits` in statements/match-lines.ts). Read-only; the caseload
 * rules apply (404 outside it).
 */
export async function statementArrivals({
  ctx,
  data,
}: {
  ctx: ServiceContext;
  data: { beneficiaryId: string; payer: string; amount: bigint; valueDate: string };
}): Promise<StatementArrival[]> {
  await loadBeneficiary(ctx.db, ctx, data.beneficiaryId);
  const rows = await queryRows<{ credit_id: string; value_date: string; booking_date: string; amount: string; reference: string | null }>(
    ctx.db,
    sql`select c.id::text as credit_id, c.value_date::text as value_date, l.booking_date::text as booking_date, c.amount::text as amount, c.reference
          from bank_statement_lines l
          join credits c on c.id::text = l.matched->>'creditId'
         where l.status = 'matched' and l.matched->>'kind' = 'credit'
           and c.beneficiary_id = ${data.beneficiaryId}::uuid and c.payer = ${data.payer} and c.amount = ${data.amount.toString()}::bigint
           and c.value_date between ${data.valueDate}::date - ${SAME_CREDIT_DAYS}::int and ${data.valueDate}::date + ${SAME_CREDIT_DAYS}::int
         order by c.value_date, c.id`,
  );
  return rows.map((r) => ({ creditId: r.credit_id, valueDate: r.value_date, bookingDate: r.booking_date, amount: BigInt(r.amount), reference: r.reference }));
}
