import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, toBigInt } from "../../src/db/sql";
import { withTransaction } from "../../src/db/transaction";
import { DomainError } from "../../src/domain/errors";
import {
  accountBalance,
  balanceAsOf,
  ensureAccounts,
  envelopeAccount,
  type PostInput,
  type PostResult,
  payerAccount,
  post,
  reverse,
  trialBalance,
  verifyLedger,
} from "../../src/ledger";
import { ENGINES, type TestDatabase } from "../support/db";

/**
 * Random sequences of ledger operations against a model of the expected balances. An
 * operation moves the model only when it succeeds; a refused one must leave nothing
 * behind. After each sequence the ledger must verify, balance and agree with the model.
 */

type Envelope = "rent" | "available";
type Direction = "debit" | "credit";
interface Posting {
  account: string;
  direction: Direction;
  amount: bigint;
}

const DATES = ["2026-01-05", "2026-01-12", "2026-01-20", "2026-02-02"] as const;
const CAF = payerAccount("CAF").address;
const SYSTEM = ["bank:main", "payments:in-transit", CAF] as const;
const RUNS = 30;

type Op =
  | { t: "credit"; b: number; source: "bank" | "payer"; rent: bigint; available: bigint; date: number }
  | { t: "payment"; b: number; env: Envelope; amount: bigint; date: number }
  | { t: "transfer"; b: number; from: Envelope; amount: bigint; date: number }
  | { t: "unbalanced"; b: number; debit: bigint; credit: bigint }
  | { t: "invalid"; b: number; variant: "zero" | "negative" | "single" | "date" | "kind" | "unknownAccount" }
  | { t: "reverse"; pick: number; date: number }
  | { t: "reverseByPost"; pick: number }
  | { t: "replay"; pick: number; variant: "same" | "otherDescription" | "otherAmount" | "otherDate" }
  | { t: "reuseRefusedKey"; pick: number; b: number };

const beneficiaryIndex = fc.integer({ min: 0, max: 1 });
const dateIndex = fc.integer({ min: 0, max: DATES.length - 1 });
const envelope = fc.constantFrom<Envelope>("rent", "available");
/** Mostly affordable amounts, some far above any balance a sequence builds. */
const spend = fc.oneof({ arbitrary: fc.bigInt({ min: 1n, max: 20_000n }), weight: 3 }, { arbitrary: fc.bigInt({ min: 20_001n, max: 500_000n }), weight: 1 });

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant("credit" as const),
      b: beneficiaryIndex,
      source: fc.constantFrom("bank" as const, "payer" as const),
      rent: fc.bigInt({ min: 1n, max: 50_000n }),
      available: fc.bigInt({ min: 0n, max: 20_000n }),
      date: dateIndex,
    }),
  },
  { weight: 4, arbitrary: fc.record({ t: fc.constant("payment" as const), b: beneficiaryIndex, env: envelope, amount: spend, date: dateIndex }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("transfer" as const), b: beneficiaryIndex, from: envelope, amount: spend, date: dateIndex }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant("unbalanced" as const),
      b: beneficiaryIndex,
      debit: fc.bigInt({ min: 1n, max: 10_000n }),
      credit: fc.bigInt({ min: 0n, max: 10_000n }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant("invalid" as const),
      b: beneficiaryIndex,
      variant: fc.constantFrom("zero" as const, "negative" as const, "single" as const, "date" as const, "kind" as const, "unknownAccount" as const),
    }),
  },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("reverse" as const), pick: fc.nat(), date: dateIndex }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("reverseByPost" as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant("replay" as const),
      pick: fc.nat(),
      variant: fc.constantFrom("same" as const, "otherDescription" as const, "otherAmount" as const, "otherDate" as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("reuseRefusedKey" as const), pick: fc.nat(), b: beneficiaryIndex }) },
);

/** Every outcome path must be taken at least once across a property's runs. */
const REQUIRED_OUTCOMES = [
  "credit:posted",
  "payment:posted",
  "payment:insufficient_funds",
  "transfer:posted",
  "unbalanced:unbalanced_transaction",
  "invalid:validation_failed",
  "invalid:unknown_account",
  "reverse:posted",
  "reverse:replayed",
  "reverse:insufficient_funds",
  "reverse:not_reversible",
  "reverseByPost:already_reversed",
  "replay:replayed",
  "replay:idempotency_conflict",
  "reuseRefusedKey:posted",
];

/** A hand-written sequence that takes every path, run first on each engine. */
const EVERY_PATH: Op[] = [
  { t: "credit", b: 0, source: "bank", rent: 1000n, available: 500n, date: 0 }, // history 0
  { t: "payment", b: 0, env: "rent", amount: 600n, date: 1 }, // history 1
  { t: "reverse", pick: 0, date: 2 }, // rent holds 400 < 1000: insufficient_funds
  { t: "payment", b: 0, env: "available", amount: 10_000n, date: 1 }, // insufficient_funds
  { t: "transfer", b: 0, from: "available", amount: 200n, date: 1 }, // history 2
  { t: "unbalanced", b: 0, debit: 10n, credit: 9n },
  { t: "invalid", b: 0, variant: "zero" },
  { t: "invalid", b: 1, variant: "unknownAccount" },
  { t: "replay", pick: 0, variant: "same" },
  { t: "replay", pick: 0, variant: "otherDescription" },
  { t: "replay", pick: 0, variant: "otherAmount" },
  { t: "replay", pick: 1, variant: "otherDate" },
  { t: "reuseRefusedKey", pick: 0, b: 1 }, // history 3
  { t: "credit", b: 1, source: "payer", rent: 300n, available: 0n, date: 3 }, // history 4
  { t: "reverse", pick: 4, date: 3 }, // history 5, the reversal
  { t: "reverse", pick: 4, date: 0 }, // already reversed: the same reversal back
  { t: "reverse", pick: 5, date: 0 }, // a reversal: not_reversible
  { t: "reverseByPost", pick: 0 }, // another key, same reverses_id: already_reversed
];

interface Entry {
  id: string;
  /** Set for what `post` created; a reversal is replayed through `reverse`. */
  input?: PostInput;
  postings: Posting[];
  beneficiaryId: string;
  isReversal: boolean;
  reversedBy?: string;
}

interface Beneficiary {
  id: string;
  rent: string;
  available: string;
}

type Outcome = { ok: true; result: PostResult } | { ok: false; code: string };
type Expected = { ok: true; replayOf?: string } | { ok: false; code: string };

function normalSide(address: string): Direction {
  return address.startsWith("beneficiary:") || address === "payments:in-transit" ? "credit" : "debit";
}

function signed(p: Posting): bigint {
  return p.direction === normalSide(p.account) ? p.amount : -p.amount;
}

function mirror(postings: readonly Posting[]): Posting[] {
  return postings.map((p) => ({ ...p, direction: p.direction === "debit" ? "credit" : "debit" }));
}

/** What the ledger should hold, for the accounts of one sequence (system accounts as deltas). */
class Model {
  readonly balances = new Map<string, bigint>();
  readonly dated: { account: string; amount: bigint; date: string }[] = [];
  readonly history: Entry[] = [];
  readonly refusedKeys: string[] = [];

  constructor(
    public transactions: number,
    accounts: readonly string[],
  ) {
    for (const a of accounts) this.balances.set(a, 0n);
  }

  balance(account: string): bigint {
    return this.balances.get(account) ?? 0n;
  }

  /** Whether no envelope would end below zero (the database orders increases first). */
  feasible(postings: readonly Posting[]): boolean {
    const next = new Map<string, bigint>();
    for (const p of postings) next.set(p.account, (next.get(p.account) ?? this.balance(p.account)) + signed(p));
    return [...next].every(([account, balance]) => !account.startsWith("beneficiary:") || balance >= 0n);
  }

  apply(postings: readonly Posting[], date: string): void {
    for (const p of postings) {
      this.balances.set(p.account, this.balance(p.account) + signed(p));
      this.dated.push({ account: p.account, amount: signed(p), date });
    }
    this.transactions += 1;
  }

  asOf(account: string, date: string): bigint {
    return this.dated.filter((d) => d.account === account && d.date <= date).reduce((s, d) => s + d.amount, 0n);
  }
}

describe.each(ENGINES)("ledger invariants under random operations on $name", ({ create }) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await create();
  });
  afterAll(async () => {
    await database?.dispose();
  });

  async function countTransactions(): Promise<number> {
    const [row] = await queryRows<{ n: string }>(database.db, sql`select count(*)::text as n from ledger_transactions`);
    return Number(row?.n);
  }

  async function keyUsed(key: string): Promise<boolean> {
    const [row] = await queryRows<{ n: string }>(database.db, sql`select count(*)::text as n from ledger_transactions where idempotency_key = ${key}`);
    return Number(row?.n) > 0;
  }

  async function attempt(work: () => Promise<PostResult>): Promise<Outcome> {
    try {
      return { ok: true, result: await work() };
    } catch (error) {
      if (error instanceof DomainError) return { ok: false, code: error.code };
      return { ok: false, code: `unexpected error: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  function label(outcome: Outcome): string {
    if (!outcome.ok) return outcome.code;
    return outcome.result.replayed ? "replayed" : "posted";
  }

  function expectOutcome(op: Op, outcome: Outcome, expected: Expected): void {
    const context = JSON.stringify(op, (_k, v) => (typeof v === "bigint" ? `${v}n` : v));
    if (!expected.ok) {
      expect(outcome, context).toEqual({ ok: false, code: expected.code });
      return;
    }
    expect(outcome.ok ? "ok" : outcome.code, context).toBe("ok");
    if (!outcome.ok) return;
    if (expected.replayOf) {
      expect(outcome.result, context).toEqual({ transactionId: expected.replayOf, replayed: true });
    } else {
      expect(outcome.result.replayed, context).toBe(false);
    }
  }

  async function runSequence(ops: readonly Op[], seen: Map<string, number>): Promise<void> {
    const db = database.db;
    const beneficiaries: Beneficiary[] = [0, 1].map(() => {
      const id = randomUUID();
      return { id, rent: envelopeAccount(id, "rent").address, available: envelopeAccount(id, "available").address };
    });
    await ensureAccounts(db, [...beneficiaries.flatMap((b) => [envelopeAccount(b.id, "rent"), envelopeAccount(b.id, "available")]), payerAccount("CAF")]);
    const envelopes = beneficiaries.flatMap((b) => [b.rent, b.available]);
    const systemStart = new Map<string, bigint>();
    for (const address of SYSTEM) systemStart.set(address, (await accountBalance(db, address)).balance);
    const model = new Model(await countTransactions(), [...envelopes, ...SYSTEM]);

    const postIt = (input: PostInput) => attempt(() => withTransaction(db, (tx) => post(tx, input)));

    /** Posts `input`, expecting success exactly when the model says the envelopes can afford it. */
    async function postNew(op: Op, input: PostInput, beneficiaryId: string): Promise<Outcome> {
      const postings = input.postings as Posting[];
      const feasible = model.feasible(postings);
      const outcome = await postIt(input);
      expectOutcome(op, outcome, feasible ? { ok: true } : { ok: false, code: "insufficient_funds" });
      if (outcome.ok) {
        model.apply(postings, input.valueDate);
        model.history.push({ id: outcome.result.transactionId, input, postings, beneficiaryId, isReversal: input.reversesId !== undefined });
      } else {
        model.refusedKeys.push(input.idempotencyKey);
      }
      return outcome;
    }

    async function postRefused(op: Op, input: PostInput, code: string): Promise<Outcome> {
      const outcome = await postIt(input);
      expectOutcome(op, outcome, { ok: false, code });
      if (input.idempotencyKey) model.refusedKeys.push(input.idempotencyKey);
      return outcome;
    }

    function base(b: Beneficiary, kind: string, date: number | string): Omit<PostInput, "postings"> {
      return {
        kind,
        valueDate: typeof date === "string" ? date : DATES[date]!,
        description: `${kind} (property test)`,
        idempotencyKey: randomUUID(),
        actor: "property-test",
        beneficiaryId: b.id,
      };
    }

    function creditInput(b: Beneficiary, source: string, rent: bigint, available: bigint, date: number): PostInput {
      const postings: Posting[] = [
        { account: source, direction: "debit", amount: rent + available },
        { account: b.rent, direction: "credit", amount: rent },
      ];
      if (available > 0n) postings.push({ account: b.available, direction: "credit", amount: available });
      return { ...base(b, "credit", date), postings };
    }

    async function step(op: Op): Promise<Outcome | undefined> {
      switch (op.t) {
        case "credit": {
          const b = beneficiaries[op.b]!;
          return postNew(op, creditInput(b, op.source === "bank" ? "bank:main" : CAF, op.rent, op.available, op.date), b.id);
        }
        case "payment": {
          const b = beneficiaries[op.b]!;
          return postNew(
            op,
            {
              ...base(b, "payment", op.date),
              postings: [
                { account: b[op.env], direction: "debit", amount: op.amount },
                { account: "payments:in-transit", direction: "credit", amount: op.amount },
              ],
            },
            b.id,
          );
        }
        case "transfer": {
          const b = beneficiaries[op.b]!;
          const to: Envelope = op.from === "rent" ? "available" : "rent";
          return postNew(
            op,
            {
              ...base(b, "transfer", op.date),
              postings: [
                { account: b[op.from], direction: "debit", amount: op.amount },
                { account: b[to], direction: "credit", amount: op.amount },
              ],
            },
            b.id,
          );
        }
        case "unbalanced": {
          const b = beneficiaries[op.b]!;
          const postings: Posting[] =
            op.credit === op.debit || op.credit === 0n
              ? // Debits only: as balanced as it gets in sum, still refused.
                [
                  { account: "bank:main", direction: "debit", amount: op.debit },
                  { account: b.rent, direction: "debit", amount: op.debit },
                ]
              : [
                  { account: "bank:main", direction: "debit", amount: op.debit },
                  { account: b.rent, direction: "credit", amount: op.credit },
                ];
          return postRefused(op, { ...base(b, "credit", 0), postings }, "unbalanced_transaction");
        }
        case "invalid": {
          const b = beneficiaries[op.b]!;
          const good = creditInput(b, "bank:main", 100n, 0n, 0);
          switch (op.variant) {
            case "zero":
              return postRefused(
                op,
                {
                  ...good,
                  postings: [
                    { account: "bank:main", direction: "debit", amount: 0n },
                    { account: b.rent, direction: "credit", amount: 0n },
                  ],
                },
                "validation_failed",
              );
            case "negative":
              return postRefused(
                op,
                {
                  ...good,
                  postings: [
                    { account: "bank:main", direction: "debit", amount: -5n },
                    { account: b.rent, direction: "credit", amount: -5n },
                  ],
                },
                "validation_failed",
              );
            case "single":
              return postRefused(op, { ...good, postings: [{ account: b.rent, direction: "credit", amount: 5n }] }, "validation_failed");
            case "date":
              return postRefused(op, { ...good, valueDate: "2026-02-30" }, "validation_failed");
            case "kind":
              return postRefused(op, { ...good, kind: "Not A Kind" }, "validation_failed");
            case "unknownAccount":
              return postRefused(
                op,
                {
                  ...good,
                  postings: [
                    { account: "bank:main", direction: "debit", amount: 5n },
                    { account: envelopeAccount(b.id, "care").address, direction: "credit", amount: 5n },
                  ],
                },
                "unknown_account",
              );
          }
          return undefined;
        }
        case "reverse": {
          if (model.history.length === 0) return undefined;
          const target = model.history[op.pick % model.history.length]!;
          const valueDate = DATES[op.date]!;
          const outcome = await attempt(() =>
            withTransaction(db, (tx) => reverse(tx, { transactionId: target.id, actor: "property-test", reason: "correction", valueDate })),
          );
          if (target.isReversal) {
            expectOutcome(op, outcome, { ok: false, code: "not_reversible" });
          } else if (target.reversedBy) {
            expectOutcome(op, outcome, { ok: true, replayOf: target.reversedBy });
          } else {
            const postings = mirror(target.postings);
            const feasible = model.feasible(postings);
            expectOutcome(op, outcome, feasible ? { ok: true } : { ok: false, code: "insufficient_funds" });
            if (outcome.ok) {
              model.apply(postings, valueDate);
              target.reversedBy = outcome.result.transactionId;
              model.history.push({ id: outcome.result.transactionId, postings, beneficiaryId: target.beneficiaryId, isReversal: true });
            } else {
              expect(await keyUsed(`reversal:${target.id}`)).toBe(false);
            }
          }
          return outcome;
        }
        case "reverseByPost": {
          const reversed = model.history.filter((e) => !e.isReversal && e.reversedBy);
          if (reversed.length === 0) return undefined;
          const target = reversed[op.pick % reversed.length]!;
          // Another idempotency key, so only the unique reverses_id can refuse it.
          return postRefused(
            op,
            {
              kind: "reversal",
              valueDate: DATES[0],
              description: "second reversal",
              idempotencyKey: randomUUID(),
              actor: "property-test",
              beneficiaryId: target.beneficiaryId,
              reversesId: target.id,
              postings: mirror(target.postings),
            },
            "already_reversed",
          );
        }
        case "replay": {
          const posted = model.history.filter((e) => e.input);
          if (posted.length === 0) return undefined;
          const entry = posted[op.pick % posted.length]!;
          const input = entry.input!;
          let changed: PostInput;
          let expected: Expected;
          switch (op.variant) {
            case "same":
              changed = input;
              expected = { ok: true, replayOf: entry.id };
              break;
            case "otherDescription":
              // Not part of what the transaction moves: still the same transaction.
              changed = { ...input, description: "described otherwise", actor: "someone-else", metadata: { retry: true } };
              expected = { ok: true, replayOf: entry.id };
              break;
            case "otherAmount": {
              const postings = (input.postings as Posting[]).map((p) => ({ ...p }));
              postings.find((p) => p.direction === "debit")!.amount += 1n;
              postings.find((p) => p.direction === "credit")!.amount += 1n;
              changed = { ...input, postings };
              expected = { ok: false, code: "idempotency_conflict" };
              break;
            }
            case "otherDate":
              changed = { ...input, valueDate: input.valueDate === DATES[3] ? DATES[0] : DATES[3] };
              expected = { ok: false, code: "idempotency_conflict" };
              break;
          }
          const outcome = await postIt(changed);
          expectOutcome(op, outcome, expected);
          return outcome;
        }
        case "reuseRefusedKey": {
          if (model.refusedKeys.length === 0) return undefined;
          const index = op.pick % model.refusedKeys.length;
          const key = model.refusedKeys[index]!;
          model.refusedKeys.splice(index, 1);
          const b = beneficiaries[op.b]!;
          // A refused operation left its key free: it now posts, as new.
          return postNew(op, { ...creditInput(b, "bank:main", 7n, 3n, 1), idempotencyKey: key }, b.id);
        }
      }
    }

    async function expectEnvelopesMatchModel(context: string): Promise<void> {
      const rows = await queryRows<{ address: string; balance: string }>(
        db,
        sql`select address, balance::text as balance from ledger_accounts
             where beneficiary_id in (${beneficiaries[0]!.id}::uuid, ${beneficiaries[1]!.id}::uuid) order by address`,
      );
      const actual = Object.fromEntries(rows.map((r) => [r.address, toBigInt(r.balance)]));
      const expected = Object.fromEntries([...envelopes].sort().map((a) => [a, model.balance(a)]));
      expect(actual, context).toEqual(expected);
    }

    for (const op of ops) {
      const outcome = await step(op);
      if (outcome) {
        const key = `${op.t}:${label(outcome)}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
      // Whatever happened, the ledger holds exactly what the model says: a refusal left nothing.
      const context = `after ${JSON.stringify(op, (_k, v) => (typeof v === "bigint" ? `${v}n` : v))}`;
      expect(await countTransactions(), context).toBe(model.transactions);
      await expectEnvelopesMatchModel(context);
    }

    for (const key of model.refusedKeys) expect(await keyUsed(key), `refused key ${key}`).toBe(false);

    const report = await verifyLedger(db);
    expect(report).toMatchObject({ ok: true, drift: [], negative: [], unbalancedTransactions: [] });
    const trial = await trialBalance(db);
    expect(trial.balanced).toBe(true);
    expect(trial.totalDebits).toBe(trial.totalCredits);

    for (const address of envelopes) {
      const cached = (await accountBalance(db, address)).balance;
      expect(cached, address).toBe(model.balance(address));
      expect(cached >= 0n, address).toBe(true);
      expect(await balanceAsOf(db, address, "9999-12-31"), address).toBe(cached);
      for (const date of DATES) expect(await balanceAsOf(db, address, date), `${address} as of ${date}`).toBe(model.asOf(address, date));
    }
    for (const address of SYSTEM) {
      const balance = (await accountBalance(db, address)).balance;
      expect(balance - systemStart.get(address)!, address).toBe(model.balance(address));
      expect(await balanceAsOf(db, address, "9999-12-31"), address).toBe(balance);
    }
  }

  it("keeps every invariant through random sequences of valid and refused operations", { timeout: 120_000 }, async () => {
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 24 }), (ops) => runSequence(ops, seen)),
      { numRuns: RUNS, examples: [[EVERY_PATH]] },
    );
    const missing = REQUIRED_OUTCOMES.filter((o) => !seen.has(o));
    expect(missing, `outcomes never reached: ${JSON.stringify(Object.fromEntries(seen))}`).toEqual([]);
  });

  it("refuses a reversal once the money it would take back has moved on", { timeout: 120_000 }, async () => {
    // Credit, then spend or move part of it, then reverse the credit: refused exactly
    // when an envelope no longer holds what the credit put in.
    const spendOp = fc.oneof(
      fc.record({ t: fc.constant("payment" as const), b: fc.constant(0), env: envelope, amount: fc.bigInt({ min: 1n, max: 1_500n }), date: dateIndex }),
      fc.record({ t: fc.constant("transfer" as const), b: fc.constant(0), from: envelope, amount: fc.bigInt({ min: 1n, max: 1_500n }), date: dateIndex }),
    );
    const scenario = fc
      .tuple(fc.bigInt({ min: 1n, max: 1_000n }), fc.bigInt({ min: 0n, max: 1_000n }), fc.array(spendOp, { minLength: 0, maxLength: 4 }), fc.boolean())
      .map(([rent, available, spends, topUpFirst]): Op[] => [
        // An earlier credit may top the envelopes up, so a reversal can also pass after spending.
        ...(topUpFirst ? [{ t: "credit" as const, b: 0, source: "payer" as const, rent: 500n, available: 500n, date: 0 }] : []),
        { t: "credit", b: 0, source: "bank", rent, available, date: 1 },
        ...spends,
        { t: "reverse", pick: topUpFirst ? 1 : 0, date: 3 },
        { t: "reverse", pick: topUpFirst ? 1 : 0, date: 2 },
      ]);
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(scenario, (ops) => runSequence(ops, seen)),
      {
        numRuns: RUNS,
        examples: [
          [
            [
              { t: "credit", b: 0, source: "bank", rent: 100n, available: 0n, date: 0 },
              { t: "payment", b: 0, env: "rent", amount: 1n, date: 1 },
              { t: "reverse", pick: 0, date: 2 },
            ],
          ],
        ],
      },
    );
    expect(seen.get("reverse:insufficient_funds") ?? 0).toBeGreaterThan(0);
    expect(seen.get("reverse:posted") ?? 0).toBeGreaterThan(0);
  });
});
