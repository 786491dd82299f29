import { and, desc, eq, lt, sql } from "drizzle-orm";
import { z } from "zod";
import { ledgerTransactions } from "../../db/schema/ledger";
import { queryRows, toBigInt } from "../../db/sql";
import { addMonthsToMonth, monthOf } from "../../domain/calendar";
import { NotFoundError, ValidationError } from "../../domain/errors";
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

const periodOf = (metadata: unknown): string | null => {
  const period = (metadata as { period?: unknown } | null)?.period;
  return typeof period === "string" && /^\d{4}-\d{2}$/.test(period) ? period : null;
};

/** An overpayment recovery keeps its reference in its metadata. */
const referenceOf = (metadata: unknown): string | null => {
  const reference = (metadata as { reference?: unknown } | null)?.reference;
  return typeof reference === "string" ? reference : null;
};

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
  const last = page.at(-1);
  return { items: await transactionViews(ctx, page), nextCursor: txns.length > data.limit && last ? last.id : null };
}

/** One of the beneficiary's transactions, as the list shows it (404 when it is not theirs). */
export async function readTransaction({ ctx, beneficiaryId, id }: { ctx: ServiceContext; beneficiaryId: string; id: string }) {
  await loadBeneficiary(ctx.db, ctx, beneficiaryId);
  const rows = z.uuid().safeParse(id).success
    ? await ctx.db
        .select()
        .from(ledgerTransactions)
        .where(and(eq(ledgerTransactions.id, id), eq(ledgerTransactions.beneficiaryId, beneficiaryId)))
    : [];
  if (rows.length === 0) throw new NotFoundError("transaction", id);
  return (await transactionViews(ctx, rows))[0]!;
}

/** Transactions with their postings, the credit's reference and the reversal that undid them, in three queries whatever their number. */
async function transactionViews(ctx: ServiceContext, page: (typeof ledgerTransactions.$inferSelect)[]) {
  if (page.length === 0) return [];
  const ids = `{${page.map((t) => t.id).join(",")}}`;
  const postings = await queryRows<{ transaction_id: string; address: string; direction: "debit" | "credit"; amount: string }>(
    ctx.db,
    sql`select p.transaction_id, a.address, p.direction, p.amount::text as amount
          from ledger_postings p join ledger_accounts a on a.id = p.account_id
         where p.transaction_id = any(${ids}::uuid[]) order by p.id`,
  );
  // A credit's reference (the payer's wording) lives beside it in `credits`; a reversal points back at what it reverses.
  const notes = await queryRows<{ id: string; reference: string | null; reversed_by: string | null }>(
    ctx.db,
    sql`select t.id, c.reference, r.id as reversed_by
          from unnest(${ids}::uuid[]) as t(id)
          left join credits c on c.id = t.id
          left join ledger_transactions r on r.reverses_id = t.id`,
  );
  const noteOf = new Map(notes.map((n) => [n.id, n]));
  return page.map((t) => ({
    id: t.id,
    kind: t.kind,
    valueDate: t.valueDate,
    description: t.description,
    createdAt: t.createdAt.toISOString(),
    reversesId: t.reversesId,
    metadata: t.metadata,
    /** The month a rent or charge payment pays (`YYYY-MM`), else null. */
    period: periodOf(t.metadata),
    reference: noteOf.get(t.id)?.reference ?? referenceOf(t.metadata),
    reversedById: noteOf.get(t.id)?.reversed_by ?? null,
    postings: postings.filter((p) => p.transaction_id === t.id).map((p) => ({ account: p.address, direction: p.direction, amount: toBigInt(p.amount) })),
  }));
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
