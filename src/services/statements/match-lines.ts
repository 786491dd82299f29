import { orderIdFromEndToEndId } from "../../banking/pain001/references";
import { runText } from "../../db/sql";
import { withTransaction } from "../../db/transaction";
import { isBankFee, type LineStatus, type SuspenseReason } from "../../domain/bank-statements";
import { DomainError } from "../../domain/errors";
import { type CompiledRules, matchIncoming } from "../../domain/matching-rules";
import { BANK_FEES_ACCOUNT, ensureAccounts, SUSPENSE_ACCOUNT } from "../../ledger/accounts";
import { type PostInput, postMany } from "../../ledger/post";
import type { ServiceContext } from "../context";
import { recordCredit } from "../credits/record-credit";
import { loadCompiledRules } from "./matching-rules";
import { type OrderStep, settleOrders } from "./order-steps";

/** A line as matching reads it. */
interface StoredLine {
  id: string;
  bankAccountId: string;
  bankAddress: string;
  naturalKey: string;
  bookingDate: string;
  valueDate: string | null;
  amount: bigint;
  label: string;
  transactionCode: string | null;
  details: {
    amount: string | null;
    endToEndId: string | null;
    counterpartyName: string | null;
    counterpartyIban: string | null;
    remittance: string | null;
    returnReason: string | null;
    chequeNumber: string | null;
    batchId: string | null;
    numberOfTransactions: number | null;
  }[];
}

/** What became of a line; written with the line in one transaction. */
interface LineOutcome {
  status: Exclude<LineStatus, "new">;
  reason: string | null;
  matched: Record<string, unknown> | null;
  /** The ledger transaction that moves the line's money here (suspense, fee); the credit's and the orders' are their verbs'. */
  post?: PostInput;
  transactionId?: string | null;
}

const CHUNK = 1_000;

const LINE_COLUMNS = `l.id, l.bank_account_id as "bankAccountId", a.ledger_address as "bankAddress", l.natural_key as "naturalKey",
  l.booking_date::text as "bookingDate", l.value_date::text as "valueDate", l.amount::text as amount, l.label,
  l.transaction_code as "transactionCode", l.details`;

const parseLine = (r: Record<string, unknown>): StoredLine => ({ ...(r as unknown as StoredLine), amount: BigInt(r.amount as string) });

/** The key a line's credit is posted with: the line's natural key, so a replay never posts it again. */
const lineCreditKey = (line: Pick<StoredLine, "bankAccountId" | "naturalKey">) => `statement-line:${line.bankAccountId}:${line.naturalKey}`;

/** Moves a line's money from the bank into suspense (a credit) or out of it (a debit): class 471, never an envelope. */
function suspensePosting(ctx: ServiceContext, line: StoredLine, reason: SuspenseReason): LineOutcome {
  const credit = line.amount > 0n;
  const amount = credit ? line.amount : -line.amount;
  return {
    status: "suspense",
    reason,
    matched: null,
    post: {
      kind: "statement.suspense",
      valueDate: line.bookingDate,
      description: `Relevé : ligne en attente (${reason})`,
      idempotencyKey: `statement-line:${line.id}:suspense`,
      actor: ctx.actor,
      metadata: { statementLineId: line.id, reason },
      postings: [
        { account: line.bankAddress, direction: credit ? "debit" : "credit", amount },
        { account: SUSPENSE_ACCOUNT.address, direction: credit ? "credit" : "debit", amount },
      ],
    },
  };
}

function feePosting(ctx: ServiceContext, line: StoredLine): LineOutcome {
  const amount = -line.amount;
  return {
    status: "matched",
    reason: null,
    matched: { kind: "bank_fee", account: BANK_FEES_ACCOUNT.address },
    post: {
      kind: "statement.bank_fee",
      valueDate: line.bookingDate,
      description: "Frais bancaires",
      idempotencyKey: `statement-line:${line.id}:fee`,
      actor: ctx.actor,
      metadata: { statementLineId: line.id },
      postings: [
        { account: BANK_FEES_ACCOUNT.address, direction: "debit", amount },
        { account: line.bankAddress, direction: "credit", amount },
      ],
    },
  };
}

/** Writes the outcomes: suspense and fee transactions posted, each line's status set (only from `new`). */
async function writeOutcomes(ctx: ServiceContext, outcomes: Map<string, LineOutcome>): Promise<void> {
  if (outcomes.size === 0) return;
  await withTransaction(ctx.db, async (tx) => {
    const posts = [...outcomes.entries()].filter(([, o]) => o.post);
    if (posts.length) {
      await ensureAccounts(tx, [SUSPENSE_ACCOUNT, BANK_FEES_ACCOUNT]);
      const results = await postMany(
        tx,
        posts.map(([, o]) => o.post!),
      );
      posts.forEach(([, o], i) => {
        o.transactionId = results[i]!.transactionId;
      });
    }
    const rows = [...outcomes.entries()].map(([id, o]) => ({
      id,
      status: o.status,
      reason: o.reason,
      matched: o.matched,
      transactionId: o.transactionId ?? null,
    }));
    await runText(
      tx,
      `update bank_statement_lines l set status = x.status, reason = x.reason, matched = x.matched, transaction_id = x."transactionId"
         from jsonb_to_recordset($1::jsonb) as x(id uuid, status text, reason text, matched jsonb, "transactionId" uuid)
        where l.id = x.id and l.status = 'new'`,
      [JSON.stringify(rows)],
    );
  });
}

/**
 * Matches the statement's lines still `new`, a chunk at a time: our orders settled or
 * returned by their verbs, bank fees to the association's expenses, incoming
 * prestations posted through the very allocation of `POST /v1/credits` (the line's
 * natural key as the idempotency key), anything else into suspense. Every step is
 * idempotent, so an interrupted or concurrent run is finished by the next.
 */
export async function matchStatementLines(ctx: ServiceContext, statementId: string): Promise<void> {
  const rules = await loadCompiledRules(ctx.db);
  let after = -1;
  for (;;) {
    const lines = (
      await runText<Record<string, unknown>>(
        ctx.db,
        `select ${LINE_COLUMNS}, l.position from bank_statement_lines l join bank_accounts a on a.id = l.bank_account_id
          where l.statement_id = $1 and l.status = 'new' and l.position > $2 order by l.position limit ${CHUNK}`,
        [statementId, after],
      )
    ).map((r) => ({ ...parseLine(r), position: r.position as number }));
    if (lines.length === 0) return;
    after = lines[lines.length - 1]!.position;
    await writeOutcomes(ctx, await matchChunk(ctx, rules, lines));
  }
}

async function matchChunk(ctx: ServiceContext, rules: CompiledRules, lines: StoredLine[]): Promise<Map<string, LineOutcome>> {
  const outcomes = new Map<string, LineOutcome>();
  const incoming: { line: StoredLine; payer: string; prestation: string; numberField: "cafNumber" | "msaNumber"; number: string }[] = [];
  for (const line of lines) {
    if (line.amount < 0n) {
      if (isBankFee(line)) outcomes.set(line.id, feePosting(ctx, line));
      else outcomes.set(line.id, await debitOutcome(ctx, line));
      continue;
    }
    const returned = line.details.find((d) => d.returnReason);
    if (returned) {
      outcomes.set(line.id, await returnOutcome(ctx, line, returned));
      continue;
    }
    const d = line.details[0];
    const text = [line.label, ...line.details.map((x) => x.remittance ?? "")].join(" ");
    const match = matchIncoming(rules, { name: d?.counterpartyName ?? null, iban: d?.counterpartyIban ?? null, text });
    if (match.kind === "suspense") outcomes.set(line.id, suspensePosting(ctx, line, match.reason));
    else incoming.push({ line, ...match });
  }
  if (incoming.length) await creditOutcomes(ctx, incoming, outcomes);
  return outcomes;
}

/** A debit: our orders by EndToEndId, a batch (by its id, or its total and count), a cheque by number; else suspense. */
async function debitOutcome(ctx: ServiceContext, line: StoredLine): Promise<LineOutcome> {
  const steps: OrderStep[] = [];
  const ids = line.details.map((d) => (d.endToEndId ? orderIdFromEndToEndId(d.endToEndId) : null)).filter((x): x is string => x !== null);
  if (ids.length) steps.push(...ids.map((id) => ({ orderId: id })));
  else {
    const cheque = line.details.find((d) => d.chequeNumber)?.chequeNumber;
    if (cheque) {
      const rows = await runText<{ id: string }>(
        ctx.db,
        `select id from payment_orders where method = 'cheque' and ltrim(cheque_number, '0') = ltrim($1, '0') and amount = $2::bigint
          order by created_at limit 1`,
        [cheque, (-line.amount).toString()],
      );
      steps.push(...rows.map((r) => ({ orderId: r.id })));
    } else {
      steps.push(...(await batchOrders(ctx, line)).map((id) => ({ orderId: id })));
    }
  }
  if (steps.length === 0) return suspensePosting(ctx, line, "unexplained_debit");
  const settled = await settleOrders(ctx, steps, { transition: "settle", date: line.bookingDate });
  if (settled.length === 0) return suspensePosting(ctx, line, "order_not_found");
  return { status: "settled_order", reason: null, matched: { kind: "orders", orderIds: settled } };
}

/** A batch booked as one debit: by its MsgId (or PmtInfId), else the one sent batch of that account with this total (and count). */
async function batchOrders(ctx: ServiceContext, line: StoredLine): Promise<string[]> {
  const d = line.details[0];
  const batchId = d?.batchId ?? null;
  const count = line.details.length === 1 ? (d?.numberOfTransactions ?? null) : null;
  const [batch] = await runText<{ id: string }>(
    ctx.db,
    `select b.id from payment_batches b
      where b.bank_account_id = $1 and b.status = 'sent'
        and (($2::text is not null and ($2 = b.msg_id or $2 like left(b.msg_id, 26) || '-%'))
             or ($2::text is null and b.total = $3::bigint and ($4::int is null or b.order_count = $4)))
        and exists (select 1 from payment_batch_orders bo join payment_orders o on o.id = bo.order_id where bo.batch_id = b.id and o.status = 'sent')
      order by b.execution_date, b.id limit 1`,
    [line.bankAccountId, batchId, (-line.amount).toString(), count],
  );
  if (!batch) return [];
  const rows = await runText<{ id: string }>(
    ctx.db,
    `select o.id from payment_batch_orders bo join payment_orders o on o.id = bo.order_id where bo.batch_id = $1 and o.status in ('sent', 'settled') order by o.id`,
    [batch.id],
  );
  return rows.map((r) => r.id);
}

/** A transfer of ours that came back: its order `returned` (the money back in its envelope). */
async function returnOutcome(ctx: ServiceContext, line: StoredLine, detail: StoredLine["details"][number]): Promise<LineOutcome> {
  const orderId = detail.endToEndId ? orderIdFromEndToEndId(detail.endToEndId) : null;
  if (!orderId) return suspensePosting(ctx, line, "order_not_found");
  const done = await settleOrders(ctx, [{ orderId }], { transition: "return", date: line.bookingDate, reasonCode: detail.returnReason! });
  if (done.length === 0) return suspensePosting(ctx, line, "order_not_found");
  return { status: "returned_order", reason: detail.returnReason, matched: { kind: "orders", orderIds: done } };
}

/**
 * Incoming prestations: the beneficiary by number, a credit typed by hand within five
 * days matched rather than posted again, otherwise `recordCredit` with the line's key.
 */
async function creditOutcomes(
  ctx: ServiceContext,
  incoming: { line: StoredLine; payer: string; prestation: string; numberField: "cafNumber" | "msaNumber"; number: string }[],
  outcomes: Map<string, LineOutcome>,
): Promise<void> {
  const numbers = (field: "cafNumber" | "msaNumber") => [...new Set(incoming.filter((i) => i.numberField === field).map((i) => i.number.replace(/^0+/, "")))];
  const found = await runText<{ id: string; caf: string | null; msa: string | null }>(
    ctx.db,
    `select id, ltrim(caf_number, '0') as caf, ltrim(msa_number, '0') as msa from beneficiaries
      where archived_at is null and (ltrim(caf_number, '0') = any($1::text[]) or ltrim(msa_number, '0') = any($2::text[]))`,
    [`{${numbers("cafNumber").join(",")}}`, `{${numbers("msaNumber").join(",")}}`],
  );
  const byNumber = new Map<string, string[]>();
  for (const b of found) {
    for (const [field, n] of [
      ["cafNumber", b.caf],
      ["msaNumber", b.msa],
    ] as const) {
      if (!n) continue;
      const k = `${field}:${n}`;
      byNumber.set(k, [...(byNumber.get(k) ?? []), b.id]);
    }
  }
  const resolved: { line: StoredLine; payer: string; prestation: string; beneficiaryId: string }[] = [];
  for (const i of incoming) {
    const ids = byNumber.get(`${i.numberField}:${i.number.replace(/^0+/, "")}`) ?? [];
    // Two people with one number is a data error: a person decides, never a guess.
    if (ids.length !== 1) outcomes.set(i.line.id, suspensePosting(ctx, i.line, "beneficiary_not_found"));
    else resolved.push({ line: i.line, payer: i.payer, prestation: i.prestation, beneficiaryId: ids[0]! });
  }
  if (resolved.length === 0) return;
  const handTyped = await handTypedCredits(ctx, resolved);
  await Promise.all(
    resolved.map(async (r) => {
      const typed = handTyped.get(r.line.id);
      if (typed) {
        outcomes.set(r.line.id, {
          status: "matched",
          reason: null,
          matched: { kind: "credit", creditId: typed, beneficiaryId: r.beneficiaryId, payer: r.payer, prestation: r.prestation, handTyped: true },
        });
        return;
      }
      try {
        const outcome = await recordCredit({
          ctx,
          idempotencyKey: lineCreditKey(r.line),
          bankAddress: r.line.bankAddress,
          data: {
            beneficiaryId: r.beneficiaryId,
            payer: r.payer,
            prestation: r.prestation,
            amount: r.line.amount,
            valueDate: r.line.valueDate ?? r.line.bookingDate,
            reference: `Relevé ${r.line.bookingDate}`,
          },
        });
        outcomes.set(r.line.id, {
          status: "matched",
          reason: null,
          matched: {
            kind: "credit",
            creditId: outcome.body.transactionId,
            beneficiaryId: r.beneficiaryId,
            payer: r.payer,
            prestation: r.prestation,
            allocations: outcome.body.allocations,
          },
          transactionId: outcome.body.transactionId,
        });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        const reason: SuspenseReason =
          error.code === "no_active_measure" ? "measure_ended" : error.code === "prestation_not_managed" ? "not_managed" : "beneficiary_not_found";
        outcomes.set(r.line.id, {
          ...suspensePosting(ctx, r.line, reason),
          matched: { beneficiaryId: r.beneficiaryId, payer: r.payer, prestation: r.prestation },
        });
      }
    }),
  );
}

/**
 * Credits typed by hand for the same beneficiary, payer and amount within five days of the
 * line, not posted by an import and not already matched to another line: one per line.
 */
async function handTypedCredits(ctx: ServiceContext, resolved: { line: StoredLine; payer: string; beneficiaryId: string }[]): Promise<Map<string, string>> {
  const rows = await runText<{ line: string; credit: string }>(
    ctx.db,
    `select distinct on (x.line) x.line::text as line, c.id::text as credit
       from jsonb_to_recordset($1::jsonb) as x(line uuid, "beneficiaryId" uuid, payer text, amount bigint, day date)
       join credits c on c.beneficiary_id = x."beneficiaryId" and c.payer = x.payer and c.amount = x.amount
                     and c.value_date between x.day - 5 and x.day + 5
       join ledger_transactions t on t.id = c.id and t.idempotency_key not like 'credit:statement-line:%'
      where not exists (select 1 from bank_statement_lines m where m.matched->>'creditId' = c.id::text)
      order by x.line, abs(c.value_date - x.day), c.id`,
    [
      JSON.stringify(
        resolved.map((r) => ({ line: r.line.id, beneficiaryId: r.beneficiaryId, payer: r.payer, amount: r.line.amount.toString(), day: r.line.bookingDate })),
      ),
    ],
  );
  // Two lines of one chunk never take the same hand-typed credit.
  const taken = new Set<string>();
  const result = new Map<string, string>();
  for (const r of rows) {
    if (taken.has(r.credit)) continue;
    taken.add(r.credit);
    result.set(r.line, r.credit);
  }
  return result;
}
