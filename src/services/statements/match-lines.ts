import { orderIdFromEndToEndId } from "../../banking/pain001/references";
import type { Executor, Tx } from "../../db/client";
import { runText, uuidArray } from "../../db/sql";
import { withTransaction } from "../../db/transaction";
import { isBankFee, type LineStatus, type SuspenseReason } from "../../domain/bank-statements";
import { DomainError } from "../../domain/errors";
import { type CompiledRules, matchIncoming } from "../../domain/matching-rules";
import { BANK_FEES_ACCOUNT, ensureAccounts, SUSPENSE_ACCOUNT } from "../../ledger/accounts";
import { type PostInput, postMany } from "../../ledger/post";
import type { ServiceContext } from "../context";
import { type CreditOutcome, recordEachCreditInTransaction } from "../credits/credit-batcher";
import { creditRequestHash, recordCredit } from "../credits/record-credit";
import { loadCompiledRules } from "./matching-rules";
import { rejectOrReturnOrders, settleStatementOrders } from "./order-steps";

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

/** Lines per chunk: one read, one transaction for its credits, suspense postings and statuses. */
const CHUNK = 2_000;
/** Chunks in flight: one is matched in Node while the other is written in PostgreSQL. */
const LANES = 2;

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

/** Writes the outcomes inside the caller's transaction: suspense and fee transactions posted, each line's status set (only from `new`). */
async function writeOutcomesIn(tx: Tx, outcomes: Map<string, LineOutcome>): Promise<void> {
  if (outcomes.size === 0) return;
  const posts = [...outcomes.values()].filter((o) => o.post);
  if (posts.length) {
    await ensureAccounts(tx, [SUSPENSE_ACCOUNT, BANK_FEES_ACCOUNT]);
    const results = await postMany(
      tx,
      posts.map((o) => o.post!),
    );
    posts.forEach((o, i) => {
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
}

/**
 * Matches the statement's lines still `new`, a chunk of `CHUNK` lines at a time, two
 * chunks in flight (one is matched while the other is written; their lines are
 * disjoint and their beneficiaries are locked in id order): our orders settled through
 * the bulk settlement or returned by their verb, bank fees to the association's
 * expenses, incoming prestations posted through the very allocation and writer of `POST
 * /v1/credits` (`record_credit_batch`, the line's natural key as the idempotency key),
 * anything else into suspense. A chunk's credits, suspense postings and line statuses
 * are one transaction. Every step is idempotent, so an interrupted or concurrent run is
 * finished by the next.
 */
export async function matchStatementLines(ctx: ServiceContext, statementId: string): Promise<void> {
  const rules = await loadCompiledRules(ctx.db);
  let after = -1;
  let failed = false;
  let reading: Promise<unknown> = Promise.resolve();
  let ordersTurn: Promise<void> = Promise.resolve();
  // Chunks are read one after the other (keyset on the position), matched and written in
  // parallel; their orders move in statement order (a transfer settled by one chunk may come back in the next).
  const next = (): Promise<Chunk> => {
    const chunk = reading.then(async () => {
      if (failed) return { lines: [], turn: Promise.resolve(), release: () => {} };
      const lines = (
        await runText<Record<string, unknown>>(
          ctx.db,
          `select ${LINE_COLUMNS}, l.position from bank_statement_lines l join bank_accounts a on a.id = l.bank_account_id
            where l.statement_id = $1 and l.status = 'new' and l.position > $2 order by l.position limit ${CHUNK}`,
          [statementId, after],
        )
      ).map((r) => ({ ...parseLine(r), position: r.position as number }));
      if (lines.length) after = lines[lines.length - 1]!.position;
      const turn = ordersTurn;
      let release = () => {};
      ordersTurn = new Promise<void>((resolve) => {
        release = resolve;
      });
      return { lines, turn, release };
    });
    reading = chunk.catch(() => undefined);
    return chunk;
  };
  const lane = async () => {
    try {
      for (let chunk = await next(); chunk.lines.length > 0 && !failed; chunk = await next()) {
        try {
          await matchChunk(ctx, rules, chunk);
        } finally {
          chunk.release();
        }
      }
    } catch (error) {
      failed = true;
      throw error;
    }
  };
  await Promise.all(Array.from({ length: LANES }, lane));
}

type Incoming = { line: StoredLine; payer: string; prestation: string; numberField: "cafNumber" | "msaNumber"; number: string };

/** A chunk of lines; `turn` resolves when the previous chunk's orders have moved, `release` lets the next chunk's move. */
interface Chunk {
  lines: StoredLine[];
  turn: Promise<void>;
  release(): void;
}

async function matchChunk(ctx: ServiceContext, rules: CompiledRules, { lines, turn, release }: Chunk): Promise<void> {
  const outcomes = new Map<string, LineOutcome>();
  const incoming: Incoming[] = [];
  const ourDebits: StoredLine[] = [];
  const returns: { line: StoredLine; detail: StoredLine["details"][number] }[] = [];
  for (const line of lines) {
    if (line.amount < 0n) {
      if (isBankFee(line)) outcomes.set(line.id, feePosting(ctx, line));
      else ourDebits.push(line);
      continue;
    }
    const returned = line.details.find((d) => d.returnReason);
    if (returned) {
      returns.push({ line, detail: returned });
      continue;
    }
    const d = line.details[0];
    const text = [line.label, ...line.details.map((x) => x.remittance ?? "")].join(" ");
    const match = matchIncoming(rules, { name: d?.counterpartyName ?? null, iban: d?.counterpartyIban ?? null, text });
    if (match.kind === "suspense") outcomes.set(line.id, suspensePosting(ctx, line, match.reason));
    else incoming.push({ line, ...match });
  }
  await turn;
  await moveOrders(ctx, ourDebits, returns, outcomes);
  release();
  const resolved = await resolveBeneficiaries(ctx, incoming, outcomes);
  try {
    await withTransaction(ctx.db, async (tx) => {
      const written = new Map(outcomes);
      await creditsInTransaction(tx, ctx, resolved, written);
      await writeOutcomesIn(tx, written);
    });
  } catch (error) {
    if (resolved.length === 0) throw error;
    // One credit the writer refused as a whole (not an allocation's refusal): each line on its own, as POST /v1/credits would.
    await creditsOneByOne(ctx, resolved, outcomes);
    await withTransaction(ctx.db, (tx) => writeOutcomesIn(tx, outcomes));
  }
}

/** The chunk's debits settle our orders (bulk), then its returns return theirs (a transfer settled and returned within one statement). */
async function moveOrders(
  ctx: ServiceContext,
  ourDebits: StoredLine[],
  returns: { line: StoredLine; detail: StoredLine["details"][number] }[],
  outcomes: Map<string, LineOutcome>,
): Promise<void> {
  const debits: { line: StoredLine; orderIds: string[]; cheque: boolean }[] = [];
  for (const line of ourDebits) {
    const debit = await debitOrders(ctx, line);
    if (debit.orderIds.length === 0) outcomes.set(line.id, suspensePosting(ctx, line, "unexplained_debit"));
    else debits.push({ line, ...debit });
  }
  if (debits.length) {
    const settled = await settleStatementOrders(
      ctx,
      debits.map((d) => ({ date: d.line.bookingDate, orderIds: d.orderIds, cheque: d.cheque })),
    );
    debits.forEach((d, i) => {
      const ids = settled[i]!;
      outcomes.set(
        d.line.id,
        ids.length === 0
          ? suspensePosting(ctx, d.line, "order_not_found")
          : { status: "settled_order", reason: null, matched: { kind: "orders", orderIds: ids } },
      );
    });
  }
  for (const { line, detail } of returns) outcomes.set(line.id, await returnOutcome(ctx, line, detail));
}

/** A debit's orders: by EndToEndId, else a cheque by number, else a batch (by its id, or its total and count). */
async function debitOrders(ctx: ServiceContext, line: StoredLine): Promise<{ orderIds: string[]; cheque: boolean }> {
  const ids = line.details.map((d) => (d.endToEndId ? orderIdFromEndToEndId(d.endToEndId) : null)).filter((x): x is string => x !== null);
  if (ids.length) return { orderIds: ids, cheque: false };
  const cheque = line.details.find((d) => d.chequeNumber)?.chequeNumber;
  if (cheque) {
    const rows = await runText<{ id: string }>(
      ctx.db,
      `select id from payment_orders where method = 'cheque' and ltrim(cheque_number, '0') = ltrim($1, '0') and amount = $2::bigint
        order by created_at limit 1`,
      [cheque, (-line.amount).toString()],
    );
    return { orderIds: rows.map((r) => r.id), cheque: true };
  }
  return { orderIds: await batchOrders(ctx, line), cheque: false };
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
  const done = await rejectOrReturnOrders(ctx, [orderId], { transition: "return", date: line.bookingDate, reasonCode: detail.returnReason! });
  if (done.length === 0) return suspensePosting(ctx, line, "order_not_found");
  return { status: "returned_order", reason: detail.returnReason, matched: { kind: "orders", orderIds: done } };
}

type Resolved = { line: StoredLine; payer: string; prestation: string; beneficiaryId: string };

/** The beneficiary of each incoming line by its CAF or MSA number, in one query; a number found for none or for two goes to suspense. */
async function resolveBeneficiaries(ctx: ServiceContext, incoming: Incoming[], outcomes: Map<string, LineOutcome>): Promise<Resolved[]> {
  if (incoming.length === 0) return [];
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
  const resolved: Resolved[] = [];
  for (const i of incoming) {
    const ids = byNumber.get(`${i.numberField}:${i.number.replace(/^0+/, "")}`) ?? [];
    // Two people with one number is a data error: a person decides, never a guess.
    if (ids.length !== 1) outcomes.set(i.line.id, suspensePosting(ctx, i.line, "beneficiary_not_found"));
    else resolved.push({ line: i.line, payer: i.payer, prestation: i.prestation, beneficiaryId: ids[0]! });
  }
  return resolved;
}

const creditData = (r: Resolved) => ({
  beneficiaryId: r.beneficiaryId,
  payer: r.payer,
  prestation: r.prestation,
  amount: r.line.amount,
  valueDate: r.line.valueDate ?? r.line.bookingDate,
  reference: `Relevé ${r.line.bookingDate}`,
});

const handTypedOutcome = (r: Resolved, creditId: string): LineOutcome => ({
  status: "matched",
  reason: null,
  matched: { kind: "credit", creditId, beneficiaryId: r.beneficiaryId, payer: r.payer, prestation: r.prestation, handTyped: true },
});

function creditOutcome(ctx: ServiceContext, r: Resolved, result: PromiseSettledResult<CreditOutcome>): LineOutcome {
  if (result.status === "fulfilled") {
    const { body } = result.value;
    return {
      status: "matched",
      reason: null,
      matched: {
        kind: "credit",
        creditId: body.transactionId,
        beneficiaryId: r.beneficiaryId,
        payer: r.payer,
        prestation: r.prestation,
        allocations: body.allocations,
      },
      transactionId: body.transactionId,
    };
  }
  const error = result.reason;
  if (!(error instanceof DomainError)) throw error;
  const reason: SuspenseReason =
    error.code === "no_active_measure" || error.code === "measure_ended"
      ? "measure_ended"
      : error.code === "prestation_not_managed"
        ? "not_managed"
        : "beneficiary_not_found";
  return { ...suspensePosting(ctx, r.line, reason), matched: { beneficiaryId: r.beneficiaryId, payer: r.payer, prestation: r.prestation } };
}

/**
 * A chunk's incoming prestations inside its transaction: the beneficiaries locked in id
 * order (as every credit batch locks them), a credit typed by hand within five days
 * matched rather than posted again, the others allocated and written in one go by the
 * writer of `POST /v1/credits` with the line's natural key as the idempotency key.
 */
async function creditsInTransaction(tx: Tx, ctx: ServiceContext, resolved: Resolved[], outcomes: Map<string, LineOutcome>): Promise<void> {
  if (resolved.length === 0) return;
  await runText(tx, "select id from beneficiaries where id = any($1::uuid[]) order by id for update", [uuidArray(resolved.map((r) => r.beneficiaryId))]);
  const handTyped = await handTypedCredits(tx, resolved);
  const posting: Resolved[] = [];
  for (const r of resolved) {
    const typed = handTyped.get(r.line.id);
    if (typed) outcomes.set(r.line.id, handTypedOutcome(r, typed));
    else posting.push(r);
  }
  const results = await recordEachCreditInTransaction(
    tx,
    posting.map((r) => {
      const data = creditData(r);
      return { ctx, key: lineCreditKey(r.line), hash: creditRequestHash(data), data: { ...data, bankAddress: r.line.bankAddress } };
    }),
  );
  posting.forEach((r, i) => {
    outcomes.set(r.line.id, creditOutcome(ctx, r, results[i]!));
  });
}

/** The fallback when a chunk's writer failed as a whole: each credit through `recordCredit` (its batcher retries one by one). */
async function creditsOneByOne(ctx: ServiceContext, resolved: Resolved[], outcomes: Map<string, LineOutcome>): Promise<void> {
  const handTyped = await handTypedCredits(ctx.db, resolved);
  await Promise.all(
    resolved.map(async (r) => {
      const typed = handTyped.get(r.line.id);
      if (typed) {
        outcomes.set(r.line.id, handTypedOutcome(r, typed));
        return;
      }
      const [result] = await Promise.allSettled([
        recordCredit({ ctx, idempotencyKey: lineCreditKey(r.line), bankAddress: r.line.bankAddress, data: creditData(r) }),
      ]);
      outcomes.set(r.line.id, creditOutcome(ctx, r, result!));
    }),
  );
}

/**
 * Credits typed by hand for the same beneficiary, payer and amount within five days of the
 * line, not posted by an import and not already matched to another line: one per line.
 */
async function handTypedCredits(executor: Executor, resolved: { line: StoredLine; payer: string; beneficiaryId: string }[]): Promise<Map<string, string>> {
  const rows = await runText<{ line: string; credit: string }>(
    executor,
    // Per line through the index on credits.beneficiary_id (a join was planned as a scan of every credit).
    `select x.line::text as line, c.id::text as credit
       from jsonb_to_recordset($1::jsonb) as x(line uuid, "beneficiaryId" uuid, payer text, amount bigint, day date)
       cross join lateral (
         select c.id from credits c
           join ledger_transactions t on t.id = c.id and t.idempotency_key not like 'credit:statement-line:%'
          where c.beneficiary_id = x."beneficiaryId" and c.payer = x.payer and c.amount = x.amount
            and c.value_date between x.day - 5 and x.day + 5
            and not exists (select 1 from bank_statement_lines m where m.matched->>'creditId' = c.id::text)
          order by abs(c.value_date - x.day), c.id
          limit 1) c`,
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
