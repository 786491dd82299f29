import { randomUUID } from "node:crypto";
import { type SQL, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Tx } from "../../src/db/client";
import { pgError } from "../../src/db/errors";
import { queryRows, toBigInt } from "../../src/db/sql";
import { accountBalance, balanceAsOf, ensureAccounts, envelopeAccount, payerAccount, post, verifyLedger } from "../../src/ledger";
import { OWNER_ENGINES, type TestDatabase } from "../support/db";

/**
 * The ledger's invariants hold even for SQL that never goes through the TypeScript
 * code (a psql session, a future service): every statement here is raw SQL, run as the
 * owner of the tables, who holds every privilege; the service's own role is refused
 * these writes before any trigger runs (test/db/service-role.test.ts).
 */
describe.each(OWNER_ENGINES)("database enforcement of the ledger invariants on $name", ({ create }) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await create();
  });
  afterAll(async () => {
    await database?.dispose();
  });

  const run = (query: SQL) => database.db.execute(query);
  const rows = <T>(query: SQL) => queryRows<T>(database.db, query);

  interface Beneficiary {
    id: string;
    rent: string;
    available: string;
    rentId: string;
    availableId: string;
    creditId: string;
  }

  async function accountId(address: string): Promise<string> {
    const [row] = await rows<{ id: string }>(sql`select id::text as id from ledger_accounts where address = ${address}`);
    if (!row) throw new Error(`no account ${address}`);
    return row.id;
  }

  /** A beneficiary whose envelopes hold 1000 (rent) and 500 (available), credited the normal way. */
  async function fundedBeneficiary(): Promise<Beneficiary> {
    const id = randomUUID();
    const rent = envelopeAccount(id, "rent").address;
    const available = envelopeAccount(id, "available").address;
    await ensureAccounts(database.db, [envelopeAccount(id, "rent"), envelopeAccount(id, "available"), payerAccount("CAF")]);
    const credit = await post(database.db, {
      kind: "credit",
      valueDate: "2026-01-05",
      description: "setup",
      idempotencyKey: randomUUID(),
      actor: "test",
      beneficiaryId: id,
      postings: [
        { account: "bank:main", direction: "debit", amount: 1500n },
        { account: rent, direction: "credit", amount: 1000n },
        { account: available, direction: "credit", amount: 500n },
      ],
    });
    return { id, rent, available, rentId: await accountId(rent), availableId: await accountId(available), creditId: credit.transactionId };
  }

  /** Everything the ledger holds, as text: a refusal must leave it identical. */
  async function snapshot() {
    const [row] = await rows<Record<string, string>>(sql`
      select (select count(*) from ledger_transactions)::text as transactions,
             (select count(*) from ledger_postings)::text as postings,
             (select count(*) from ledger_accounts)::text as accounts,
             (select md5(coalesce(string_agg(t::text, '|' order by t.id), '')) from ledger_transactions t) as transactions_digest,
             (select md5(coalesce(string_agg(p::text, '|' order by p.id), '')) from ledger_postings p) as postings_digest,
             (select md5(coalesce(string_agg(a::text, '|' order by a.id), '')) from ledger_accounts a) as accounts_digest`);
    return row;
  }

  /** Runs `work`, expects PostgreSQL to refuse it (with `code` when given) and the ledger to be untouched. */
  async function expectRefused(work: () => Promise<unknown>, code: string | undefined, constraint?: string) {
    const before = await snapshot();
    let caught: unknown;
    let succeeded = false;
    try {
      await work();
      succeeded = true;
    } catch (error) {
      caught = error;
    }
    expect(succeeded, "the database accepted what it must refuse").toBe(false);
    const info = pgError(caught);
    expect(info, `not a PostgreSQL error: ${String(caught)}`).toBeDefined();
    if (code) expect(info?.code, `unexpected error: ${String(caught)}`).toBe(code);
    if (constraint) expect(info?.constraint).toBe(constraint);
    expect(await snapshot(), "a refusal left something behind").toEqual(before);
    return info;
  }

  /** Inserts a transaction row by hand inside `tx`; returns its id. */
  async function insertTransaction(tx: Tx, valueDate = "2026-02-01"): Promise<string> {
    const id = randomUUID();
    await tx.execute(sql`
      insert into ledger_transactions (id, kind, value_date, description, idempotency_key, content_hash, actor)
      values (${id}::uuid, 'manual', ${valueDate}::date, 'by hand', ${`manual:${id}`}, 'hand-made', 'psql')`);
    return id;
  }

  async function insertPosting(tx: Tx, transactionId: string, accountIdValue: string, direction: string, amount: bigint | number, valueDate = "2026-02-01") {
    await tx.execute(sql`
      insert into ledger_postings (transaction_id, account_id, direction, amount, value_date)
      values (${transactionId}::uuid, ${accountIdValue}::bigint, ${direction}, ${String(amount)}::bigint, ${valueDate}::date)`);
  }

  async function firstPostingId(transactionId: string): Promise<string> {
    const [row] = await rows<{ id: string }>(sql`select id::text as id from ledger_postings where transaction_id = ${transactionId}::uuid order by id limit 1`);
    if (!row) throw new Error("no posting");
    return row.id;
  }

  async function cachedBalance(address: string): Promise<bigint> {
    const [row] = await rows<{ balance: string }>(sql`select balance::text as balance from ledger_accounts where address = ${address}`);
    return toBigInt(row?.balance);
  }

  describe("append-only postings and transactions (MLAPP)", () => {
    it.each([
      ["amount", sql`amount = amount + 1`],
      ["direction", sql`direction = case direction when 'debit' then 'credit' else 'debit' end`],
      ["account", sql`account_id = account_id`],
      ["value date", sql`value_date = '2020-01-01'`],
    ])("refuses an UPDATE of a posting's %s", async (_field, assignment) => {
      const b = await fundedBeneficiary();
      const postingId = await firstPostingId(b.creditId);
      await expectRefused(() => run(sql`update ledger_postings set ${assignment} where id = ${postingId}::bigint`), "MLAPP");
    });

    it("refuses a DELETE of a posting, one or all of a transaction's", async () => {
      const b = await fundedBeneficiary();
      const postingId = await firstPostingId(b.creditId);
      await expectRefused(() => run(sql`delete from ledger_postings where id = ${postingId}::bigint`), "MLAPP");
      await expectRefused(() => run(sql`delete from ledger_postings where transaction_id = ${b.creditId}::uuid`), "MLAPP");
    });

    it("refuses an UPDATE and a DELETE of a transaction row", async () => {
      const b = await fundedBeneficiary();
      await expectRefused(() => run(sql`update ledger_transactions set description = 'rewritten' where id = ${b.creditId}::uuid`), "MLAPP");
      await expectRefused(() => run(sql`update ledger_transactions set value_date = '2020-01-01' where id = ${b.creditId}::uuid`), "MLAPP");
      await expectRefused(() => run(sql`update ledger_transactions set idempotency_key = 'other' where id = ${b.creditId}::uuid`), "MLAPP");
      await expectRefused(() => run(sql`delete from ledger_transactions where id = ${b.creditId}::uuid`), "MLAPP");
    });

    it("refuses TRUNCATE of the postings, of the transactions and of the accounts", async () => {
      await fundedBeneficiary();
      await expectRefused(() => run(sql`truncate ledger_postings`), "MLAPP");
      await expectRefused(() => run(sql`truncate ledger_transactions cascade`), "MLAPP");
      await expectRefused(() => run(sql`truncate ledger_accounts cascade`), "MLAPP");
    });
  });

  describe("balanced transactions, checked at commit (MLUNB)", () => {
    it("refuses a hand-written transaction whose postings do not balance", async () => {
      const b = await fundedBeneficiary();
      const bank = await accountId("bank:main");
      await expectRefused(
        () =>
          database.db.transaction(async (tx) => {
            const id = await insertTransaction(tx);
            await insertPosting(tx, id, bank, "debit", 100);
            await insertPosting(tx, id, b.rentId, "credit", 99);
          }),
        "MLUNB",
      );
    });

    it("refuses the imbalance at commit, not at the first posting", async () => {
      // The statements themselves succeed: the check is deferred until COMMIT.
      const b = await fundedBeneficiary();
      const bank = await accountId("bank:main");
      let statementsDone = false;
      await expectRefused(
        () =>
          database.db.transaction(async (tx) => {
            const id = await insertTransaction(tx);
            await insertPosting(tx, id, bank, "debit", 100);
            await insertPosting(tx, id, b.rentId, "credit", 60);
            statementsDone = true;
          }),
        "MLUNB",
      );
      expect(statementsDone).toBe(true);
    });

    it("refuses a transaction with debits only, even when a second posting debits as much", async () => {
      const b = await fundedBeneficiary();
      const bank = await accountId("bank:main");
      await expectRefused(
        () =>
          database.db.transaction(async (tx) => {
            const id = await insertTransaction(tx);
            await insertPosting(tx, id, bank, "debit", 100);
          }),
        "MLUNB",
      );
      await expectRefused(
        () =>
          database.db.transaction(async (tx) => {
            const id = await insertTransaction(tx);
            await insertPosting(tx, id, bank, "debit", 100);
            await insertPosting(tx, id, b.rentId, "debit", 100);
          }),
        "MLUNB",
      );
    });

    it("refuses a transaction row with no postings at all", async () => {
      await expectRefused(() => database.db.transaction(async (tx) => void (await insertTransaction(tx))), "MLUNB");
      // Outside an explicit transaction too (the statement commits on its own).
      const id = randomUUID();
      await expectRefused(
        () =>
          run(sql`insert into ledger_transactions (id, kind, value_date, description, idempotency_key, content_hash, actor)
                  values (${id}::uuid, 'manual', '2026-02-01', 'empty', ${`manual:${id}`}, 'x', 'psql')`),
        "MLUNB",
      );
    });

    it("refuses one balanced and one unbalanced transaction committed together, keeping neither", async () => {
      const b = await fundedBeneficiary();
      const bank = await accountId("bank:main");
      await expectRefused(
        () =>
          database.db.transaction(async (tx) => {
            const good = await insertTransaction(tx);
            await insertPosting(tx, good, bank, "debit", 10);
            await insertPosting(tx, good, b.rentId, "credit", 10);
            const bad = await insertTransaction(tx);
            await insertPosting(tx, bad, bank, "debit", 10);
            await insertPosting(tx, bad, b.rentId, "credit", 11);
          }),
        "MLUNB",
      );
    });
  });

  describe("posting amounts and non-negative envelopes (23514)", () => {
    it.each([0, -5])("refuses a posting of amount %d", async (amount) => {
      await fundedBeneficiary();
      const bank = await accountId("bank:main");
      const transit = await accountId("payments:in-transit");
      // Uncached accounts on both sides: only the posting's own CHECK can refuse it.
      const info = await expectRefused(
        () =>
          database.db.transaction(async (tx) => {
            const id = await insertTransaction(tx);
            await insertPosting(tx, id, bank, "debit", amount);
            await insertPosting(tx, id, transit, "credit", amount);
          }),
        "23514",
      );
      expect(info?.constraint).toBe("ledger_postings_amount_positive");
    });

    it("refuses a negative posting on an envelope (balance or amount CHECK, either way 23514)", async () => {
      const b = await fundedBeneficiary();
      const bank = await accountId("bank:main");
      await expectRefused(
        () =>
          database.db.transaction(async (tx) => {
            const id = await insertTransaction(tx);
            await insertPosting(tx, id, b.rentId, "debit", -50);
            await insertPosting(tx, id, bank, "credit", -50);
          }),
        "23514",
      );
    });

    it("refuses a posting that would make a beneficiary's envelope negative", async () => {
      const b = await fundedBeneficiary();
      const transit = await accountId("payments:in-transit");
      await expectRefused(
        () =>
          database.db.transaction(async (tx) => {
            const id = await insertTransaction(tx);
            await insertPosting(tx, id, transit, "credit", 1001);
            await insertPosting(tx, id, b.rentId, "debit", 1001);
          }),
        "23514",
        "ledger_accounts_balance_non_negative",
      );
      expect(await cachedBalance(b.rent)).toBe(1000n);
    });

    it("refuses an envelope that dips below zero inside a transaction, even if it ends at zero or above", async () => {
      // The CHECK is immediate: raw SQL that debits before crediting is refused.
      const b = await fundedBeneficiary();
      const bank = await accountId("bank:main");
      await expectRefused(
        () =>
          database.db.transaction(async (tx) => {
            const id = await insertTransaction(tx);
            await insertPosting(tx, id, b.availableId, "debit", 600);
            await insertPosting(tx, id, bank, "credit", 600);
            await insertPosting(tx, id, bank, "debit", 600);
            await insertPosting(tx, id, b.availableId, "credit", 600);
          }),
        "23514",
        "ledger_accounts_balance_non_negative",
      );
    });

    it("refuses a credit without its ledger transaction (23503: a trigger once per statement, not a foreign key)", async () => {
      const credit = (id: string) =>
        sql`insert into credits (id, beneficiary_id, measure_id, payer, prestation, amount, value_date, allocations)
            values (${id}::uuid, ${randomUUID()}::uuid, ${randomUUID()}::uuid, 'CAF', 'RSA', 100, '2026-01-05', '[]')`;
      await expectRefused(() => run(credit(randomUUID())), "23503");
      const [known] = await rows<{ id: string }>(sql`select id::text as id from ledger_transactions limit 1`);
      await expectRefused(
        () =>
          database.db.transaction(async (tx) => {
            await tx.execute(credit(known!.id));
            await tx.execute(sql`update credits set id = ${randomUUID()}::uuid where id = ${known!.id}::uuid`);
          }),
        "23503",
      );
    });

    it("refuses a posting that refers to an unknown transaction (MLAPP: the posting trigger, not a foreign key)", async () => {
      const bank = await accountId("bank:main");
      await expectRefused(() => database.db.transaction(async (tx) => insertPosting(tx, randomUUID(), bank, "debit", 1)), "MLAPP");
    });
  });

  describe("account guard", () => {
    it("refuses a direct UPDATE of a cached balance (MLBAL), also from a DO block", async () => {
      const b = await fundedBeneficiary();
      await expectRefused(() => run(sql`update ledger_accounts set balance = balance + 100 where address = ${b.rent}`), "MLBAL");
      await expectRefused(() => run(sql`update ledger_accounts set balance = 0 where address = ${b.available}`), "MLBAL");
      await expectRefused(() => run(sql.raw(`do $$ begin update ledger_accounts set balance = balance + 1 where address = '${b.rent}'; end $$`)), "MLBAL");
      expect(await cachedBalance(b.rent)).toBe(1000n);
    });

    it.each([
      ["normal_side", sql`normal_side = case normal_side when 'credit' then 'debit' else 'credit' end`],
      ["allow_negative", sql`allow_negative = not allow_negative`],
      ["balance_cached", sql`balance_cached = not balance_cached`],
      ["beneficiary_id", sql`beneficiary_id = gen_random_uuid()`],
      ["pcg_account", sql`pcg_account = '411'`],
      ["address", sql`address = address || '_x'`],
    ])("refuses a change of an account's %s (MLAPP)", async (_column, assignment) => {
      const b = await fundedBeneficiary();
      await expectRefused(() => run(sql`update ledger_accounts set ${assignment} where address = ${b.rent}`), "MLAPP");
    });

    it("refuses to turn a system account's nature (MLAPP)", async () => {
      await fundedBeneficiary();
      await expectRefused(() => run(sql`update ledger_accounts set allow_negative = false where address = 'bank:main'`), "MLAPP");
      await expectRefused(() => run(sql`update ledger_accounts set normal_side = 'credit' where address = 'bank:main'`), "MLAPP");
    });

    it("refuses a DELETE of an account, used or not (MLAPP)", async () => {
      const b = await fundedBeneficiary();
      await expectRefused(() => run(sql`delete from ledger_accounts where address = ${b.rent}`), "MLAPP");
      await expectRefused(() => run(sql`delete from ledger_accounts where address = 'bank:main'`), "MLAPP");
      const unused = envelopeAccount(b.id, "care");
      await ensureAccounts(database.db, [unused]);
      await expectRefused(() => run(sql`delete from ledger_accounts where address = ${unused.address}`), "MLAPP");
    });
  });

  describe("what the database accepts", () => {
    it("refuses postings whose value date is not their transaction's", async () => {
      const b = await fundedBeneficiary();
      const transit = await accountId("payments:in-transit");
      const before = await snapshot();
      const error = await database.db
        .transaction(async (tx) => {
          const id = await insertTransaction(tx, "2026-03-10");
          await insertPosting(tx, id, b.rentId, "debit", 400, "1999-12-31");
          await insertPosting(tx, id, transit, "credit", 400, "1999-12-31");
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(pgError(error)?.code).toBe("MLAPP");
      expect(await snapshot()).toEqual(before);
    });

    it("accepts a correct hand-written transaction and moves the cached balance by trigger", async () => {
      const b = await fundedBeneficiary();
      const transit = await accountId("payments:in-transit");
      const before = await snapshot();
      const transitBefore = (await accountBalance(database.db, "payments:in-transit")).balance;
      let transactionId = "";
      await database.db.transaction(async (tx) => {
        transactionId = await insertTransaction(tx, "2026-03-10");
        await insertPosting(tx, transactionId, b.rentId, "debit", 400, "2026-03-10");
        await insertPosting(tx, transactionId, transit, "credit", 400, "2026-03-10");
      });

      expect(await cachedBalance(b.rent)).toBe(600n);
      expect((await accountBalance(database.db, b.rent)).balance).toBe(600n);
      expect((await accountBalance(database.db, "payments:in-transit")).balance).toBe(transitBefore + 400n);
      const postings = await rows<{ value_date: string }>(
        sql`select value_date::text as value_date from ledger_postings where transaction_id = ${transactionId}::uuid`,
      );
      expect(postings.map((p) => p.value_date)).toEqual(["2026-03-10", "2026-03-10"]);
      expect(await balanceAsOf(database.db, b.rent, "2026-03-09")).toBe(1000n);
      expect(await balanceAsOf(database.db, b.rent, "2026-03-10")).toBe(600n);
      expect(await balanceAsOf(database.db, b.rent, "1999-12-31")).toBe(0n);
      const after = await snapshot();
      expect(Number(after?.transactions)).toBe(Number(before?.transactions) + 1);
      expect(Number(after?.postings)).toBe(Number(before?.postings) + 2);
      expect((await verifyLedger(database.db)).ok).toBe(true);
    });

    it("accepts an envelope that moves within one transaction when credits come first", async () => {
      const b = await fundedBeneficiary();
      await database.db.transaction(async (tx) => {
        const id = await insertTransaction(tx);
        await insertPosting(tx, id, b.availableId, "credit", 1000);
        await insertPosting(tx, id, b.rentId, "debit", 1000);
      });
      expect(await cachedBalance(b.rent)).toBe(0n);
      expect(await cachedBalance(b.available)).toBe(1500n);
      expect((await verifyLedger(database.db)).ok).toBe(true);
    });
  });

  /** Holes this suite found in the first version of the invariants, now closed. */
  describe("closed holes", () => {
    it("refuses extra postings appended to a transaction committed earlier", async () => {
      const b = await fundedBeneficiary();
      const transit = await accountId("payments:in-transit");
      // Balanced on their own, so the deferred check passes; they rewrite a posted
      // transaction (and its history: they take its value date). verifyLedger stays ok.
      await expectRefused(
        () =>
          database.db.transaction(async (tx) => {
            await insertPosting(tx, b.creditId, b.rentId, "debit", 1000);
            await insertPosting(tx, b.creditId, transit, "credit", 1000);
          }),
        undefined,
      );
    });

    it("refuses a posting whose direction is neither debit nor credit", async () => {
      const b = await fundedBeneficiary();
      const bank = await accountId("bank:main");
      await expectRefused(
        () =>
          database.db.transaction(async (tx) => {
            const id = await insertTransaction(tx);
            await insertPosting(tx, id, bank, "debit", 100);
            await insertPosting(tx, id, b.rentId, "credit", 50);
            await insertPosting(tx, id, b.rentId, "sideways", 50);
          }),
        undefined,
      );
    });

    it("refuses an account whose normal side is neither debit nor credit", async () => {
      const id = randomUUID();
      await expectRefused(
        () =>
          run(sql`insert into ledger_accounts (address, beneficiary_id, label, normal_side, pcg_account, allow_negative, balance_cached)
                  values (${`beneficiary:${id}:rent`}, ${id}::uuid, 'odd', 'sideways', '4671', false, true)`),
        undefined,
      );
    });

    it("refuses an account created with a non-zero cached balance", async () => {
      const id = randomUUID();
      await expectRefused(
        () =>
          run(sql`insert into ledger_accounts (address, beneficiary_id, label, normal_side, pcg_account, allow_negative, balance_cached, balance)
                  values (${`beneficiary:${id}:rent`}, ${id}::uuid, 'forged', 'credit', '4671', false, true, 1000000)`),
        undefined,
      );
    });
  });
});
