import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTransaction } from "../../src/db/transaction";
import { accountBalance, balanceAsOf, ensureAccounts, envelopeAccount, payerAccount, post, reverse, trialBalance, verifyLedger } from "../../src/ledger";
import { ENGINES, type TestDatabase } from "../support/db";

describe.each(ENGINES)("ledger post and reverse on $name", ({ create }) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await create();
  });
  afterAll(async () => {
    await database?.dispose();
  });

  async function newBeneficiary() {
    const id = randomUUID();
    const rent = envelopeAccount(id, "rent");
    const available = envelopeAccount(id, "available");
    await ensureAccounts(database.db, [rent, available, payerAccount("CAF")]);
    return { id, rent: rent.address, available: available.address };
  }

  function credit(b: { id: string; rent: string; available: string }, key: string, rent: bigint, available: bigint) {
    return {
      kind: "credit",
      valueDate: "2026-01-05",
      description: "CAF RSA",
      idempotencyKey: key,
      actor: "test",
      beneficiaryId: b.id,
      postings: [
        { account: "bank:main", direction: "debit" as const, amount: rent + available },
        { account: b.rent, direction: "credit" as const, amount: rent },
        { account: b.available, direction: "credit" as const, amount: available },
      ],
    };
  }

  it("posts a balanced transaction and moves the cached balances", async () => {
    const b = await newBeneficiary();
    const result = await withTransaction(database.db, (tx) => post(tx, credit(b, randomUUID(), 50_000n, 10_775n)));
    expect(result.replayed).toBe(false);
    expect((await accountBalance(database.db, b.rent)).balance).toBe(50_000n);
    expect((await accountBalance(database.db, b.available)).balance).toBe(10_775n);
    expect(await balanceAsOf(database.db, b.rent, "2026-01-04")).toBe(0n);
    expect(await balanceAsOf(database.db, b.rent, "2026-01-05")).toBe(50_000n);
  });

  it("replays the same key and content, refuses the same key with other content", async () => {
    const b = await newBeneficiary();
    const key = randomUUID();
    const first = await post(database.db, credit(b, key, 100n, 200n));
    const again = await post(database.db, credit(b, key, 100n, 200n));
    expect(again).toEqual({ transactionId: first.transactionId, replayed: true });
    await expect(post(database.db, credit(b, key, 100n, 201n))).rejects.toMatchObject({ code: "idempotency_conflict" });
    expect((await accountBalance(database.db, b.available)).balance).toBe(200n);
  });

  it("refuses a debit that would make an envelope negative, and leaves nothing behind", async () => {
    const b = await newBeneficiary();
    await post(database.db, credit(b, randomUUID(), 100n, 100n));
    const overdraw = {
      kind: "payment",
      valueDate: "2026-01-06",
      description: "too much",
      idempotencyKey: randomUUID(),
      actor: "test",
      postings: [
        { account: b.rent, direction: "debit" as const, amount: 101n },
        { account: "payments:in-transit", direction: "credit" as const, amount: 101n },
      ],
    };
    await expect(withTransaction(database.db, (tx) => post(tx, overdraw))).rejects.toMatchObject({ code: "insufficient_funds" });
    expect((await accountBalance(database.db, b.rent)).balance).toBe(100n);
  });

  it("reverses once, with the mirror postings", async () => {
    const b = await newBeneficiary();
    const original = await post(database.db, credit(b, randomUUID(), 300n, 1n));
    const reversal = await reverse(database.db, { transactionId: original.transactionId, actor: "test", reason: "erreur de saisie", valueDate: "2026-01-07" });
    expect(reversal.replayed).toBe(false);
    expect((await accountBalance(database.db, b.rent)).balance).toBe(0n);
    const again = await reverse(database.db, { transactionId: original.transactionId, actor: "test", reason: "bis", valueDate: "2026-01-08" });
    expect(again).toEqual({ transactionId: reversal.transactionId, replayed: true });
    await expect(reverse(database.db, { transactionId: reversal.transactionId, actor: "t", reason: "r", valueDate: "2026-01-08" })).rejects.toMatchObject({
      code: "not_reversible",
    });
  });

  it("keeps the trial balance balanced and verify clean", async () => {
    const tb = await trialBalance(database.db);
    expect(tb.balanced).toBe(true);
    expect(tb.totalDebits).toBeGreaterThan(0n);
    const report = await verifyLedger(database.db);
    expect(report).toMatchObject({ ok: true, drift: [], negative: [], unbalancedTransactions: [] });
  });
});
