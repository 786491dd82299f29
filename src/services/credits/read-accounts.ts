import { and, desc, eq, lt, sql } from "drizzle-orm";
import { z } from "zod";
import { ledgerTransactions } from "../../db/schema/ledger";
import { queryRows, toBigInt } from "../../db/sql";
import { addMonthsToMonth, monthOf } from "../../domain/calendar";
import { ValidationError } from "../../domain/errors";
import { activeMasp2, allPeriodsOf } from "../../domain/in-force";
import { parseEnvelopeAddress } from "../../ledger/accounts";
import { beneficiaryBalances } from "../../ledger/balances";
import { loadBeneficiary } from "../access";
import type { ServiceContext } from "../context";
import { CalendarDate, Token } from "../schemas";
import { loadCreditStates } from "./credit-state";

/** The beneficiary's envelopes: rent, charges (all together and each), care, available, living (reste à vivre). */
export async function getBalances({ ctx, beneficiaryId }: { ctx: ServiceContext; beneficiaryId: string }) {
  await loadBeneficiary(ctx.db, ctx, beneficiaryId);
  let rent = 0n,
    charges = 0n,
    available = 0n,
    care = 0n,
    living = 0n;
  const byCharge: { chargeId: string; balance: bigint }[] = [];
  for (const [address, balance] of await beneficiaryBalances(ctx.db, beneficiaryId)) {
    const e = parseEnvelopeAddress(address);
    if (e?.envelope === "rent") rent += balance;
    else if (e?.envelope === "available") available += balance;
    else if (e?.envelope === "care") care += balance;
    else if (e?.envelope === "living") living += balance;
    else if (e?.envelope === "charge") {
      charges += balance;
      byCharge.push({ chargeId: e.chargeId, balance });
    }
  }
  return { beneficiaryId, rent, charges, available, care, living, total: rent + charges + available + care + living, byCharge };
}

export const ListTransactionsInput = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: Token(200).optional(),
});

/**
 * Newest first, with postings. Ids are UUIDv7 (time-ordered), so the id alone is a
 * stable keyset cursor.
 */
export async function listTransactions({
  ctx,
  beneficiaryId,
  data,
}: {
  ctx: ServiceContext;
  beneficiaryId: string;
  data: z.output<typeof ListTransactionsInput>;
}) {
  await loadBeneficiary(ctx.db, ctx, beneficiaryId);
  if (data.cursor && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(data.cursor)) {
    throw new ValidationError("invalid cursor", [{ field: "cursor", message: "not a cursor returned by this list" }]);
  }
  const txns = await ctx.db
    .select()
    .from(ledgerTransactions)
    .where(and(eq(ledgerTransactions.beneficiaryId, beneficiaryId), data.cursor ? lt(ledgerTransactions.id, data.cursor) : undefined))
    .orderBy(desc(ledgerTransactions.id))
    .limit(data.limit + 1);
  const page = txns.slice(0, data.limit);
  const postings = page.length
    ? await queryRows<{ transaction_id: string; address: string; direction: "debit" | "credit"; amount: string }>(
        ctx.db,
        sql`select p.transaction_id, a.address, p.direction, p.amount::text as amount
              from ledger_postings p join ledger_accounts a on a.id = p.account_id
             where p.transaction_id = any(${`{${page.map((t) => t.id).join(",")}}`}::uuid[]) order by p.id`,
      )
    : [];
  const last = page.at(-1);
  return {
    items: page.map((t) => ({
      id: t.id,
      kind: t.kind,
      valueDate: t.valueDate,
      description: t.description,
      createdAt: t.createdAt.toISOString(),
      reversesId: t.reversesId,
      metadata: t.metadata,
      postings: postings.filter((p) => p.transaction_id === t.id).map((p) => ({ account: p.address, direction: p.direction, amount: toBigInt(p.amount) })),
    })),
    nextCursor: txns.length > data.limit && last ? last.id : null,
  };
}

export const RentPeriodsInput = z.object({ asOf: CalendarDate.optional() });

/** The lease's periods since the MASP began, through the month after `asOf`. */
export async function getRentPeriods({ ctx, beneficiaryId, asOf }: { ctx: ServiceContext; beneficiaryId: string; asOf?: string }) {
  await loadBeneficiary(ctx.db, ctx, beneficiaryId);
  const date = asOf ?? ctx.today();
  const state = (await loadCreditStates(ctx.db, [beneficiaryId], { lock: false })).get(beneficiaryId)!;
  const measure = activeMasp2(state.measures, date) ?? state.measures.filter((m) => m.level === "MASP2" && m.startDate <= date).at(-1);
  if (!measure) return { asOf: date, items: [] };
  // Every lease's periods (rule 2): after a move, the old lease's arrears stay listed.
  return {
    asOf: date,
    items: allPeriodsOf(state, measure, addMonthsToMonth(monthOf(date), 1), date).map(({ lease, ...p }) => ({
      ...p,
      leaseId: lease.id,
      landlordName: lease.landlordName,
    })),
  };
}
