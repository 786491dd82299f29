import { createHash, randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/sql";
import { withTransaction } from "../../src/db/transaction";
import { ensureAccounts, envelopeAccount, type PostInput, post, postMany } from "../../src/ledger";
import { ENGINES, type TestDatabase } from "../support/db";

/**
 * One content hash, computed by the database (ledger_content_hash, 'v2:'). Databases
 * hold hashes of the older formats (SHA-256 of a canonical JSON made by the
 * application; md5 of the natural key and amount for payment orders): a replay under
 * such a key is still recognised by its content, and other content still refused.
 */
describe.each(ENGINES)("content hash and replays on $name", ({ create }) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await create();
  });
  afterAll(async () => {
    await database?.dispose();
  });

  async function beneficiary() {
    const id = randomUUID();
    const rent = envelopeAccount(id, "rent");
    const available = envelopeAccount(id, "available");
    await ensureAccounts(database.db, [rent, available]);
    return { id, rent: rent.address, available: available.address };
  }

  const credit = (b: { id: string; rent: string; available: string }, key: string, rent: bigint, available: bigint): PostInput => ({
    kind: "credit",
    valueDate: "2026-03-02",
    description: "CAF RSA",
    idempotencyKey: key,
    actor: "test",
    beneficiaryId: b.id,
    postings: [
      { account: "bank:main", direction: "debit", amount: rent + available },
      { account: b.rent, direction: "credit", amount: rent },
      { account: b.available, direction: "credit", amount: available },
    ],
  });

  const storedHash = async (id: string) =>
    (await queryRows<{ content_hash: string }>(database.db, sql`select content_hash from ledger_transactions where id = ${id}::uuid`))[0]!.content_hash;

  it("stores a v2 hash that does not depend on the order of the postings", async () => {
    const b = await beneficiary();
    const input = credit(b, randomUUID(), 300n, 200n);
    const first = await post(database.db, input);
    expect(await storedHash(first.transactionId)).toMatch(/^v2:[0-9a-f]{64}$/);
    const again = await post(database.db, { ...input, postings: [...input.postings].reverse() });
    expect(again).toEqual({ transactionId: first.transactionId, replayed: true });
  });

  /** A transaction as the first wave wrote it: its hash computed by the application. */
  async function legacyTransaction(b: { id: string; rent: string; available: string }, key: string, hash: string) {
    const id = randomUUID();
    await withTransaction(database.db, async (tx) => {
      await tx.execute(sql`insert into ledger_transactions (id, kind, value_date, description, idempotency_key, content_hash, actor, beneficiary_id)
        values (${id}::uuid, 'credit', '2026-03-02', 'CAF RSA', ${key}, ${hash}, 'test', ${b.id}::uuid)`);
      await tx.execute(sql`insert into ledger_postings (transaction_id, account_id, direction, amount, value_date)
        select ${id}::uuid, a.id, p.direction, p.amount, '2026-03-02'
          from (values ('bank:main', 'debit', 500::bigint), (${b.rent}, 'credit', 300::bigint), (${b.available}, 'credit', 200::bigint)) p(address, direction, amount)
          join ledger_accounts a on a.address = p.address`);
    });
    return id;
  }

  it.each([
    ["SHA-256 computed by the application", (key: string) => createHash("sha256").update(key).digest("hex")],
    ["md5 of a payment order", (key: string) => createHash("md5").update(`${key}:500`).digest("hex")],
  ])("recognises a replay against a stored hash of an older format (%s), and refuses other content", async (_format, hashOf) => {
    const b = await beneficiary();
    const key = randomUUID();
    const legacyId = await legacyTransaction(b, key, hashOf(key));
    expect(await post(database.db, credit(b, key, 300n, 200n))).toEqual({ transactionId: legacyId, replayed: true });
    await expect(post(database.db, credit(b, key, 301n, 199n))).rejects.toMatchObject({ code: "idempotency_conflict" });
    await expect(post(database.db, { ...credit(b, key, 300n, 200n), valueDate: "2026-03-03" })).rejects.toMatchObject({ code: "idempotency_conflict" });
  });

  it("posts a set in one call: new ones posted, a replay answered with the first id, and refuses an unknown account", async () => {
    const b = await beneficiary();
    const known = await post(database.db, credit(b, randomUUID(), 10n, 10n));
    const [stored] = await queryRows<{ idempotency_key: string }>(
      database.db,
      sql`select idempotency_key from ledger_transactions where id = ${known.transactionId}::uuid`,
    );
    const results = await postMany(database.db, [
      credit(b, randomUUID(), 1n, 2n),
      credit(b, stored!.idempotency_key, 10n, 10n),
      credit(b, randomUUID(), 3n, 4n),
    ]);
    expect(results.map((r) => r.replayed)).toEqual([false, true, false]);
    expect(results[1]!.transactionId).toBe(known.transactionId);
    const unknown = { ...credit(b, randomUUID(), 1n, 1n) };
    unknown.postings = [...unknown.postings.slice(0, 2), { account: `beneficiary:${b.id}:nowhere`, direction: "credit", amount: 1n }];
    await expect(post(database.db, unknown)).rejects.toMatchObject({ code: "unknown_account" });
  });
});
