import type { Db, Executor, Tx } from "../../db/client";
import { parseJson, pgTextArray, type RawQuery, type RawWork, rawTransaction, runText, uuidArray } from "../../db/sql";
import { DEFAULT_BANK_ADDRESS } from "../../domain/bank-accounts";
import { type CreditPlan, planCredit } from "../../domain/credit-plan";
import { ConflictError, DomainError, NotFoundError } from "../../domain/errors";
import { centsToJson } from "../../domain/money";
import { type AccountSpec, ENSURE_ACCOUNTS_SQL, envelopeAccount } from "../../ledger/accounts";
import { toLedgerError } from "../../ledger/errors";
import { ledgerTransaction } from "../../ledger/post";
import { catalogueInForce } from "../catalogue";
import type { ServiceContext } from "../context";
import type { StoredOutcome } from "../idempotency";
import { CREDIT_STATE_SQL, type CreditState, parseCreditStates } from "./credit-state";

export interface CreditRequestData {
  beneficiaryId: string;
  payer: string;
  prestation: string;
  amount: bigint;
  valueDate: string;
  reference: string | null;
  /** The bank account's ledger address the money arrived on (a statement line's account); default `bank:main`. */
  bankAddress?: string;
  /** What the payer kept back to recover an indu: `amount` is the net that arrived (record-credit.ts). */
  deduction?: { amount: bigint; prestation: string; reference: string | null };
}

interface CreditResponse {
  transactionId: string;
  beneficiaryId: string;
  measureId: string;
  payer: string;
  prestation: string;
  amount: number;
  valueDate: string;
  reference: string | null;
  allocations: ({ envelope: "rent" | "care" | "available" | "living"; amount: number } | { envelope: "charge"; chargeId: string; amount: number })[];
  /** Only on a credit the payer paid short of an indu: gross = net + deduction.amount, net = amount. */
  gross?: number;
  deduction?: { amount: number; prestation: string; reference: string | null };
  net?: number;
}

export type CreditOutcome = StoredOutcome<CreditResponse>;

interface Pending {
  ctx: ServiceContext;
  key: string;
  hash: string;
  data: CreditRequestData;
  resolve(outcome: CreditOutcome): void;
  reject(error: unknown): void;
}

const CREDIT_SCOPE = "credit";

const STORED_SQL = `select key, request_hash, response_status, response from idempotency_keys where scope = $1 and key = any($2::text[])`;

/** Claims each key, posts (ledger_post_many), records each credit and its audit row: one round trip per batch. */
const WRITE_SQL = `select out_key, out_claimed from record_credit_batch($1::jsonb)`;

/** Credits per call of `record_credit_batch` (the batcher's batches are smaller; a statement chunk is larger). */
const WRITE_SLICE = 250;

/**
 * The batch's statements (the state read, the writer's statements inside
 * `record_credit_batch`) are prepared: PostgreSQL would plan each again for its
 * parameters, which cost more than running them (the state read: ≈ 0.9 ms of planning
 * for 0.6 ms of execution), for the same plan (bench/README.md).
 */
const GENERIC_PLANS_SQL = "set local plan_cache_mode = force_generic_plan";

/** Reading a batch's state takes 2–10 ms under load (bench/README.md); longer, it is waiting on a lock. */
const READ_GATE_MS = 25;

const conflict = () => new ConflictError("this Idempotency-Key was already used with another request body", undefined, "idempotency_conflict");

/** The allocation moves money into the envelopes: later credits of the batch see it. */
function applyPlan(state: CreditState, plan: CreditPlan["plan"]): void {
  for (const a of plan) {
    const address = envelopeAccount(state.beneficiaryId, a.envelope, a.envelope === "charge" ? a.chargeId : undefined).address;
    state.balances.set(address, (state.balances.get(address) ?? 0n) + a.amount);
  }
}

/**
 * Group commit for credits (TigerBeetle's "everything is a batch"): requests that
 * arrive while a batch is being written wait for the next one, and each batch is one
 * database transaction — one state read for all its beneficiaries (locked in id
 * order, so concurrent batches never deadlock), the writes pipelined, one commit —
 * while every request still gets its own answer. Alone, a request is a batch of one:
 * no added latency. A batch that fails as a whole is retried one request at a time,
 * so one bad request never fails the others. Two batches in flight, not four: every
 * credit debits the same bank account, so more batches only queue on its row lock
 * (bench/README.md: +10–15 % credits/s, lower median latency on 2 cores).
 */
export class CreditBatcher {
  private queue: Pending[] = [];
  private inFlight = 0;
  /**
   * A batch is reading (replays, lock, state) and planning: the next one starts only when
   * it sends its writes, with every request that arrived meanwhile. Starting it at once
   * left one slot to batches of one or two while the other carried the rest (bench/README.md).
   */
  private reading = false;
  /** Keys being processed in this process: a duplicate waits for the first instead of racing it. */
  private readonly running = new Map<string, { hash: string; outcome: Promise<CreditOutcome> }>();

  constructor(
    private readonly db: Db,
    private readonly options: { maxBatch: number; maxInFlight: number } = { maxBatch: 128, maxInFlight: 2 },
  ) {}

  submit(ctx: ServiceContext, key: string, hash: string, data: CreditRequestData): Promise<CreditOutcome> {
    const first = this.running.get(key);
    if (first) {
      return first.outcome.then(
        (o) => {
          if (first.hash !== hash) throw conflict();
          return { ...o, replayed: true };
        },
        // The first failed and stored nothing: this one is tried on its own merits.
        () => this.submit(ctx, key, hash, data),
      );
    }
    const outcome = new Promise<CreditOutcome>((resolve, reject) => {
      this.queue.push({ ctx, key, hash, data, resolve, reject });
      this.pump();
    });
    this.running.set(key, { hash, outcome });
    const forget = () => {
      if (this.running.get(key)?.outcome === outcome) this.running.delete(key);
    };
    outcome.then(forget, forget);
    return outcome;
  }

  private pump(): void {
    while (!this.reading && this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight++;
      this.reading = true;
      let read = false;
      const onWriting = () => {
        if (read) return;
        read = true;
        clearTimeout(held);
        this.reading = false;
        this.pump();
      };
      // A batch held up on a lock (a job's chunk, another process's credit for the same
      // person) does not hold up the others: past READ_GATE_MS the next batch starts.
      const held = setTimeout(onWriting, READ_GATE_MS);
      void this.run(batch, onWriting).finally(() => {
        this.inFlight--;
        onWriting();
        this.pump();
      });
    }
  }

  private async run(batch: Pending[], onWriting: () => void): Promise<void> {
    try {
      await this.write(batch, onWriting);
    } catch (error) {
      // The requests are written again one at a time: the next batch need not wait for them.
      onWriting();
      if (batch.length === 1) {
        batch[0]!.reject(toLedgerError(error));
        return;
      }
      for (const item of batch) {
        try {
          await this.write([item]);
        } catch (single) {
          item.reject(toLedgerError(single));
        }
      }
    }
  }

  /** Settles every request of the batch, or throws with none settled. */
  private write(batch: Pending[], onWriting?: () => void): Promise<void> {
    return writeCredits(
      this.db,
      (work) =>
        rawTransaction(this.db.$raw, async (q, finish) => {
          // Sent with BEGIN and the batch's reads, no round trip of its own.
          const [, done] = await Promise.all([q(GENERIC_PLANS_SQL), work(q, finish)]);
          return done;
        }),
      (text, params) => this.db.$raw.query(text, params),
      batch,
      onWriting,
    );
  }
}

/**
 * The batch's one transaction (`transaction` runs `work` in it, retried) and the replay
 * lookup after it (`lookup`): the batcher's pool, or a caller's own transaction
 * (`recordCreditsInTransaction`). The catalogue is read through `executor`.
 */
async function writeCredits(
  executor: Executor,
  transaction: (work: RawWork<void>) => Promise<void>,
  lookup: RawQuery,
  batch: Pending[],
  onWriting: () => void = () => {},
): Promise<void> {
  const settle: (() => void)[] = [];
  const afterCommit: Pending[] = [];
  await transaction(async (q, finish) => {
    settle.length = 0;
    afterCommit.length = 0;
    // One round trip: the replays, the lock and the state read go out together (a replay's
    // beneficiary is locked and read for nothing: rare, and harmless).
    const ids = uuidArray(batch.map((p) => p.data.beneficiaryId));
    const [todo, , stateRows] = await Promise.all([
      dropReplays(q, batch, settle),
      q(CREDIT_STATE_SQL.lock, [ids]),
      q<Record<string, unknown>>(CREDIT_STATE_SQL.state, [ids]),
    ]);
    if (todo.length === 0) return;
    const states = parseCreditStates(stateRows);
    const writes: { item: Pending; row: Record<string, unknown>; body: CreditResponse }[] = [];
    const opened = new Map<string, AccountSpec>();
    for (const item of todo) {
      const state = states.get(item.data.beneficiaryId);
      if (!state) {
        settle.push(() => item.reject(new NotFoundError("beneficiary", item.data.beneficiaryId)));
        continue;
      }
      let planned: CreditPlan;
      try {
        planned = planCredit(state, item.data, await catalogueInForce(executor, item.data.valueDate));
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        settle.push(() => item.reject(error));
        continue;
      }
      applyPlan(state, planned.plan);
      // The care and living (reste à vivre) envelopes are opened on first use.
      for (const kind of ["care", "living"] as const) {
        if (!planned.plan.some((a) => a.envelope === kind)) continue;
        const spec = envelopeAccount(item.data.beneficiaryId, kind);
        opened.set(spec.address, spec);
      }
      writes.push(prepare(item, planned));
    }
    if (opened.size) await q(ENSURE_ACCOUNTS_SQL, [JSON.stringify([...opened.values()])]);
    // Keys claimed in one order by every batch: two batches never wait on each other's keys.
    writes.sort((a, b) => (a.item.key < b.item.key ? -1 : a.item.key > b.item.key ? 1 : 0));
    if (writes.length === 0) return;
    onWriting();
    const claimed = new Map<string, boolean>();
    // A statement chunk brings thousands: the writer matches claimed keys with `= ANY` of an array, quadratic in the call's size.
    for (let i = 0; i < writes.length; i += WRITE_SLICE) {
      const slice = writes.slice(i, i + WRITE_SLICE).map((w) => w.row);
      // The last slice goes out with the COMMIT: one round trip less.
      const run = i + WRITE_SLICE >= writes.length ? finish : q;
      for (const r of await run<{ out_key: string; out_claimed: boolean }>(WRITE_SQL, [JSON.stringify(slice)])) claimed.set(r.out_key, r.out_claimed);
    }
    for (const { item, body } of writes) {
      if (claimed.get(item.key) === true) settle.push(() => item.resolve({ status: 201, body, replayed: false }));
      else afterCommit.push(item);
    }
  });
  for (const s of settle) s();
  // Racing requests with these keys committed first: answer as they did, or refuse.
  for (const item of afterCommit) {
    const [stored] = await lookup<{ request_hash: string; response_status: number; response: unknown }>(STORED_SQL, [CREDIT_SCOPE, pgTextArray([item.key])]);
    if (!stored) item.reject(new Error("idempotency key neither claimed nor stored"));
    else if (stored.request_hash !== item.hash) item.reject(conflict());
    else item.resolve({ status: stored.response_status, body: parseJson<CreditResponse>(stored.response), replayed: true });
  }
}

/** Requests whose key already answered are settled without work. */
async function dropReplays(q: RawQuery, batch: Pending[], settle: (() => void)[]): Promise<Pending[]> {
  const stored = await q<{ key: string; request_hash: string; response_status: number; response: unknown }>(STORED_SQL, [
    CREDIT_SCOPE,
    pgTextArray(batch.map((p) => p.key)),
  ]);
  const byKey = new Map(stored.map((s) => [s.key, s]));
  return batch.filter((item) => {
    const s = byKey.get(item.key);
    if (!s) return true;
    if (s.request_hash !== item.hash) settle.push(() => item.reject(conflict()));
    else settle.push(() => item.resolve({ status: s.response_status, body: parseJson<CreditResponse>(s.response), replayed: true }));
    return false;
  });
}

function prepare(item: Pending, planned: CreditPlan): { item: Pending; row: Record<string, unknown>; body: CreditResponse } {
  const { data, ctx } = item;
  const post = ledgerTransaction({
    kind: "credit",
    valueDate: data.valueDate,
    description: `${data.payer} ${data.prestation}`,
    idempotencyKey: `credit:${item.key}`,
    actor: ctx.actor,
    beneficiaryId: data.beneficiaryId,
    metadata: {
      payer: data.payer,
      prestation: data.prestation,
      measureId: planned.measure.id,
      ...(data.deduction
        ? {
            gross: (data.amount + data.deduction.amount).toString(),
            deduction: { amount: data.deduction.amount.toString(), prestation: data.deduction.prestation, reference: data.deduction.reference },
            net: data.amount.toString(),
          }
        : {}),
    },
    postings: [
      { account: data.bankAddress ?? DEFAULT_BANK_ADDRESS, direction: "debit", amount: data.amount },
      ...planned.plan.map((a) => ({
        account: envelopeAccount(data.beneficiaryId, a.envelope, a.envelope === "charge" ? a.chargeId : undefined).address,
        direction: "credit" as const,
        amount: a.amount,
      })),
    ],
  });
  const body: CreditResponse = {
    transactionId: post.id,
    beneficiaryId: data.beneficiaryId,
    measureId: planned.measure.id,
    payer: data.payer,
    prestation: data.prestation,
    amount: centsToJson(data.amount),
    valueDate: data.valueDate,
    reference: data.reference,
    allocations: planned.plan.map((a) =>
      a.envelope === "charge"
        ? { envelope: a.envelope, chargeId: a.chargeId, amount: centsToJson(a.amount) }
        : { envelope: a.envelope, amount: centsToJson(a.amount) },
    ),
    ...(data.deduction
      ? {
          gross: centsToJson(data.amount + data.deduction.amount),
          deduction: { amount: centsToJson(data.deduction.amount), prestation: data.deduction.prestation, reference: data.deduction.reference },
          net: centsToJson(data.amount),
        }
      : {}),
  };
  const row = {
    key: item.key,
    hash: item.hash,
    response: JSON.stringify(body),
    post,
    beneficiaryId: data.beneficiaryId,
    measureId: planned.measure.id,
    payer: data.payer,
    prestation: data.prestation,
    amount: data.amount.toString(),
    valueDate: data.valueDate,
    reference: data.reference,
    allocations: planned.plan.map((a) => ({ ...a, amount: a.amount.toString() })),
    actor: ctx.actor,
    role: ctx.role,
    requestId: ctx.requestId ?? null,
    audit: {
      amount: data.amount.toString(),
      prestation: data.prestation,
      payer: data.payer,
      ...(data.deduction ? { deduction: data.deduction.amount.toString(), deductionPrestation: data.deduction.prestation } : {}),
    },
  };
  return { item, row, body };
}

const batchers = new WeakMap<Db, CreditBatcher>();
export function creditBatcherFor(db: Db): CreditBatcher {
  let b = batchers.get(db);
  if (!b) {
    b = new CreditBatcher(db);
    batchers.set(db, b);
  }
  return b;
}

/**
 * The same allocation and writer as `recordCredit`, inside a transaction the caller holds
 * (a suspense line assigned on a four-eyes approval): settled with it, or not at all.
 */
export async function recordCreditsInTransaction(
  tx: Tx,
  items: { ctx: ServiceContext; key: string; hash: string; data: CreditRequestData }[],
): Promise<CreditOutcome[]> {
  const settled = await recordEachCreditInTransaction(tx, items);
  for (const s of settled) if (s.status === "rejected") throw s.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<CreditOutcome>).value);
}

/**
 * As `recordCreditsInTransaction`, each credit with its own answer: one refused by the
 * allocation (no measure in force, a prestation not managed...) leaves the others
 * written (a statement chunk: the refused lines go to suspense).
 */
export async function recordEachCreditInTransaction(
  tx: Tx,
  items: { ctx: ServiceContext; key: string; hash: string; data: CreditRequestData }[],
): Promise<PromiseSettledResult<CreditOutcome>[]> {
  const q: RawQuery = (text, params) => runText(tx, text, params ?? []);
  const pending: Pending[] = [];
  const outcomes = items.map(
    (item) =>
      new Promise<CreditOutcome>((resolve, reject) => {
        pending.push({ ...item, resolve, reject });
      }),
  );
  await writeCredits(tx, (work) => work(q, q), q, pending);
  return Promise.allSettled(outcomes);
}
