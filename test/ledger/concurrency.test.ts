import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Tx } from "../../src/db/client";
import { queryRows, toBigInt } from "../../src/db/sql";
import { withTransaction } from "../../src/db/transaction";
import { DomainError } from "../../src/domain/errors";
import { accountBalance, ensureAccounts, envelopeAccount, type PostInput, type PostResult, payerAccount, post, reverse, verifyLedger } from "../../src/ledger";
import { createTestDatabase, type TestDatabase } from "../support/db";

/**
 * Many connections posting at once on the same rows. PostgreSQL only: PGlite has a
 * single connection, so nothing there ever runs concurrently.
 */
describe("ledger under concurrent posts on postgresql", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ poolMax: 20 });
  });
  afterAll(async () => {
    await database?.dispose();
  });

  type Direction = "debit" | "credit";
  interface Posting {
    account: string;
    direction: Direction;
    amount: bigint;
  }
  interface Beneficiary {
    id: string;
    rent: string;
    available: string;
  }

  const CAF = payerAccount("CAF").address;

  async function newBeneficiary(): Promise<Beneficiary> {
    const id = randomUUID();
    await ensureAccounts(database.db, [envelopeAccount(id, "rent"), envelopeAccount(id, "available"), payerAccount("CAF")]);
    return { id, rent: envelopeAccount(id, "rent").address, available: envelopeAccount(id, "available").address };
  }

  function input(kind: string, postings: Posting[], extra: Partial<PostInput> = {}): PostInput {
    return { kind, valueDate: "2026-01-10", description: kind, idempotencyKey: randomUUID(), actor: "concurrency-test", postings, ...extra };
  }

  async function fund(b: Beneficiary, rent: bigint, available: bigint): Promise<PostResult> {
    const postings: Posting[] = [{ account: "bank:main", direction: "debit", amount: rent + available }];
    if (rent > 0n) postings.push({ account: b.rent, direction: "credit", amount: rent });
    if (available > 0n) postings.push({ account: b.available, direction: "credit", amount: available });
    return post(database.db, input("credit", postings, { beneficiaryId: b.id }));
  }

  async function balance(address: string): Promise<bigint> {
    return (await accountBalance(database.db, address)).balance;
  }

  async function countWhere(condition: ReturnType<typeof sql>): Promise<number> {
    const [row] = await queryRows<{ n: string }>(database.db, sql`select count(*)::text as n from ledger_transactions where ${condition}`);
    return Number(row?.n);
  }

  function codeOf(reason: unknown): string {
    return reason instanceof DomainError ? reason.code : `unexpected: ${reason instanceof Error ? reason.message : String(reason)}`;
  }

  /** Starts every call at once; counts the attempts `withTransaction` made for each. */
  async function inParallel<T>(works: ((tx: Tx) => Promise<T>)[]) {
    const attempts = works.map(() => 0);
    const settled = await Promise.allSettled(
      works.map((work, i) =>
        withTransaction(database.db, (tx) => {
          attempts[i]! += 1;
          return work(tx);
        }),
      ),
    );
    return { settled, attempts };
  }

  function fulfilled<T>(settled: PromiseSettledResult<T>[]): T[] {
    return settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  }

  function rejectionCodes(settled: PromiseSettledResult<unknown>[]): string[] {
    return settled.flatMap((s) => (s.status === "rejected" ? [codeOf(s.reason)] : []));
  }

  it("runs 50 parallel posts on the same envelopes without deadlock, losing nothing", { timeout: 30_000 }, async () => {
    const [a, b, c] = [await newBeneficiary(), await newBeneficiary(), await newBeneficiary()] as [Beneficiary, Beneficiary, Beneficiary];
    // Enough up front that every payment is covered whatever the order.
    for (const x of [a, b, c]) await fund(x, 100_000n, 100_000n);
    const envelopes = [a.rent, a.available, b.rent, b.available, c.rent, c.available];
    const cafBefore = await balance(CAF);
    const transitBefore = await balance("payments:in-transit");

    // Postings list their accounts in many orders: without the function's id-ordered
    // locks, the row updates would take the same locks in opposite orders and deadlock.
    const inOrder = (accounts: string[], i: number) => {
      const turn = Math.floor(i / 5) % accounts.length;
      const rotated = [...accounts.slice(turn), ...accounts.slice(0, turn)];
      return i % 2 ? rotated.reverse() : rotated;
    };
    const ops: PostInput[] = [];
    const all = [a, b, c];
    for (let i = 0; i < 50; i++) {
      const x = all[i % 3]!;
      const y = all[(i + 1) % 3]!;
      const amount = BigInt(100 + i * 7);
      switch (i % 5) {
        case 0: // one payer credit split over every envelope of the three beneficiaries
          ops.push(
            input("credit", [
              { account: CAF, direction: "debit", amount: amount * 6n },
              ...inOrder(envelopes, i).map((account) => ({ account, direction: "credit" as const, amount })),
            ]),
          );
          break;
        case 1: // a payment out of one envelope
          ops.push(
            input(
              "payment",
              [
                { account: x.rent, direction: "debit", amount },
                { account: "payments:in-transit", direction: "credit", amount },
              ],
              { beneficiaryId: x.id },
            ),
          );
          break;
        case 2: // rent -> available
          ops.push(
            input(
              "transfer",
              [
                { account: x.rent, direction: "debit", amount },
                { account: x.available, direction: "credit", amount },
              ],
              { beneficiaryId: x.id },
            ),
          );
          break;
        case 3: // available -> rent: the opposite order
          ops.push(
            input(
              "transfer",
              [
                { account: x.available, direction: "debit", amount },
                { account: x.rent, direction: "credit", amount },
              ],
              { beneficiaryId: x.id },
            ),
          );
          break;
        case 4: // one payment run out of every envelope of two beneficiaries
          ops.push(
            input("payment", [
              ...inOrder([x.rent, x.available, y.rent, y.available], i).map((account) => ({ account, direction: "debit" as const, amount })),
              { account: "payments:in-transit", direction: "credit", amount: amount * 4n },
            ]),
          );
          break;
      }
    }
    const expected = new Map<string, bigint>(envelopes.map((e) => [e, 100_000n]));
    let transitDelta = 0n;
    let cafDelta = 0n;
    for (const op of ops) {
      for (const p of op.postings as Posting[]) {
        if (expected.has(p.account)) expected.set(p.account, expected.get(p.account)! + (p.direction === "credit" ? p.amount : -p.amount));
        if (p.account === "payments:in-transit") transitDelta += p.amount;
        if (p.account === CAF) cafDelta += p.amount;
      }
    }

    const before = await countWhere(sql`true`);
    const { settled, attempts } = await inParallel(ops.map((op) => (tx) => post(tx, op)));

    expect(rejectionCodes(settled)).toEqual([]);
    // Not one deadlock or serialization failure, not even one retried silently.
    expect(attempts).toEqual(ops.map(() => 1));
    const results = fulfilled(settled);
    expect(results).toHaveLength(50);
    expect(results.every((r) => !r.replayed)).toBe(true);
    expect(new Set(results.map((r) => r.transactionId)).size).toBe(50);
    expect(await countWhere(sql`true`)).toBe(before + 50);
    for (const e of envelopes) expect(await balance(e), e).toBe(expected.get(e));
    expect(await balance("payments:in-transit")).toBe(transitBefore + transitDelta);
    expect(await balance(CAF)).toBe(cafBefore + cafDelta);
    expect(await verifyLedger(database.db)).toMatchObject({ ok: true, drift: [], negative: [], unbalancedTransactions: [] });
  });

  describe.each([
    { route: "through a beneficiary's envelope (locked)", cached: true },
    { route: "between system accounts only (no lock, the unique key decides)", cached: false },
  ])("one idempotency key raced $route", ({ cached }) => {
    async function target() {
      const b = await newBeneficiary();
      const credited = cached ? b.rent : CAF;
      // bank:main is debit-normal, payer:CAF too: crediting the payer lowers its balance.
      const content = (amount: bigint, key: string): PostInput =>
        input(
          "credit",
          [
            { account: "bank:main", direction: "debit", amount },
            { account: credited, direction: "credit", amount },
          ],
          { idempotencyKey: key, beneficiaryId: cached ? b.id : undefined },
        );
      return { credited, content };
    }

    it("posts 20 identical parallel requests once", async () => {
      const { credited, content } = await target();
      const key = `race:${randomUUID()}`;
      const before = await balance(credited);
      const { settled } = await inParallel(Array.from({ length: 20 }, () => (tx) => post(tx, content(1_234n, key))));

      expect(rejectionCodes(settled)).toEqual([]);
      const results = fulfilled(settled);
      expect(results).toHaveLength(20);
      expect(await countWhere(sql`idempotency_key = ${key}`)).toBe(1);
      const [row] = await queryRows<{ id: string }>(database.db, sql`select id from ledger_transactions where idempotency_key = ${key}`);
      expect(new Set(results.map((r) => r.transactionId))).toEqual(new Set([row!.id]));
      expect(results.filter((r) => !r.replayed)).toHaveLength(1);
      const moved = (await balance(credited)) - before;
      expect(moved).toBe(cached ? 1_234n : -1_234n);
    });

    it("keeps one of two contents raced under one key and refuses the other", async () => {
      const { credited, content } = await target();
      const key = `race:${randomUUID()}`;
      const before = await balance(credited);
      const amountOf = (i: number) => (i % 2 === 0 ? 1_000n : 2_000n);
      const { settled } = await inParallel(Array.from({ length: 20 }, (_, i) => (tx) => post(tx, content(amountOf(i), key))));

      expect(await countWhere(sql`idempotency_key = ${key}`)).toBe(1);
      const [row] = await queryRows<{ id: string; amount: string }>(
        database.db,
        sql`select t.id, (select max(p.amount) from ledger_postings p where p.transaction_id = t.id)::text as amount
              from ledger_transactions t where t.idempotency_key = ${key}`,
      );
      const winner = toBigInt(row!.amount);
      expect([1_000n, 2_000n]).toContain(winner);
      settled.forEach((s, i) => {
        if (amountOf(i) === winner) {
          expect(s.status, `caller ${i}`).toBe("fulfilled");
          if (s.status === "fulfilled") expect(s.value.transactionId).toBe(row!.id);
        } else {
          expect(s.status, `caller ${i}`).toBe("rejected");
          if (s.status === "rejected") expect(codeOf(s.reason)).toBe("idempotency_conflict");
        }
      });
      expect(fulfilled(settled).filter((r) => !r.replayed)).toHaveLength(1);
      expect((await balance(credited)) - before).toBe(cached ? winner : -winner);
    });

    it("reverses a transaction once when 10 callers reverse it together", async () => {
      const { credited, content } = await target();
      const before = await balance(credited);
      const original = await post(database.db, content(777n, randomUUID()));
      // Two value dates: the same reversal content for half of them, another for the rest.
      const { settled } = await inParallel(
        Array.from(
          { length: 10 },
          (_, i) => (tx) =>
            reverse(tx, {
              transactionId: original.transactionId,
              actor: `caller-${i}`,
              reason: "double entry",
              valueDate: i % 2 ? "2026-01-11" : "2026-01-12",
            }),
        ),
      );

      const reversals = await queryRows<{ id: string }>(
        database.db,
        sql`select id from ledger_transactions where reverses_id = ${original.transactionId}::uuid`,
      );
      expect(reversals).toHaveLength(1);
      const reversalId = reversals[0]!.id;
      for (const s of settled) {
        if (s.status === "fulfilled") expect(s.value.transactionId).toBe(reversalId);
        else expect(codeOf(s.reason)).toBe("already_reversed");
      }
      expect(fulfilled(settled).filter((r) => !r.replayed)).toHaveLength(1);
      expect(await balance(credited)).toBe(before);
      expect((await verifyLedger(database.db)).ok).toBe(true);
    });
  });

  it("lets exactly 10 of 30 parallel payments through an envelope that holds 10, never below zero", async () => {
    const b = await newBeneficiary();
    await fund(b, 1_000n, 0n);
    const before = await countWhere(sql`beneficiary_id = ${b.id}::uuid and kind = 'payment'`);

    let done = false;
    let lowest: bigint | undefined;
    let samples = 0;
    const watcher = (async () => {
      while (!done) {
        const [row] = await queryRows<{ balance: string }>(database.db, sql`select balance::text as balance from ledger_accounts where address = ${b.rent}`);
        const value = toBigInt(row!.balance);
        lowest = lowest === undefined || value < lowest ? value : lowest;
        samples += 1;
      }
    })();
    const { settled, attempts } = await inParallel(
      Array.from(
        { length: 30 },
        () => (tx) =>
          post(
            tx,
            input(
              "payment",
              [
                { account: b.rent, direction: "debit", amount: 100n },
                { account: "payments:in-transit", direction: "credit", amount: 100n },
              ],
              { beneficiaryId: b.id },
            ),
          ),
      ),
    );
    done = true;
    await watcher;

    expect(fulfilled(settled)).toHaveLength(10);
    expect(rejectionCodes(settled)).toEqual(Array.from({ length: 20 }, () => "insufficient_funds"));
    expect(attempts).toEqual(attempts.map(() => 1));
    expect(await balance(b.rent)).toBe(0n);
    expect(await countWhere(sql`beneficiary_id = ${b.id}::uuid and kind = 'payment'`)).toBe(before + 10);
    expect(samples).toBeGreaterThan(0);
    expect(lowest! >= 0n).toBe(true);
    expect(await verifyLedger(database.db)).toMatchObject({ ok: true, negative: [] });
  });
});
