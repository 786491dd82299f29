import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/sql";
import { ensureAccounts, envelopeAccount, post } from "../../src/ledger";
import { PAYMENTS_IN_TRANSIT } from "../../src/ledger/accounts";
import { ledgerTransaction } from "../../src/ledger/post";
import { ENGINES, type TestDatabase } from "../support/db";

/**
 * create_payment_orders(orders, transactions) straight in SQL: the chunk's transactions
 * go to the ledger writer as they came, unless the chunk meets an order already written
 * (or names one twice): then only the new orders are posted, and an order already
 * written is never refused for a different amount, nor paid twice.
 */
describe.each(ENGINES)("the payment-order writer on $name", ({ create }) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await create();
  });
  afterAll(async () => {
    await database?.dispose();
  });

  function order(beneficiaryId: string, rent: string, period: string, amount: bigint) {
    const id = randomUUID();
    const naturalKey = `rent:${beneficiaryId}:${period}:2026-03-05`;
    return {
      item: {
        id,
        natural_key: naturalKey,
        beneficiary_id: beneficiaryId,
        measure_id: randomUUID(),
        kind: "rent",
        period,
        charge_id: null,
        business_date: "2026-03-05",
        amount: amount.toString(),
        creditor_name: "Bailleur",
        creditor_iban: "FR7630006000011234567890189",
      },
      post: ledgerTransaction({
        id,
        kind: "payment.rent",
        valueDate: "2026-03-05",
        description: `Loyer ${period}`,
        idempotencyKey: `payment:${naturalKey}`,
        actor: "test",
        beneficiaryId,
        metadata: { paymentOrderId: id, kind: "rent", period, chargeId: null },
        postings: [
          { account: rent, direction: "debit", amount },
          { account: PAYMENTS_IN_TRANSIT, direction: "credit", amount },
        ],
      }),
    };
  }

  const write = async (orders: ReturnType<typeof order>[]) =>
    (
      await queryRows<{ created: number; amount: string }>(
        database.db,
        sql`select out_created as created, out_amount::text as amount
              from create_payment_orders(${JSON.stringify(orders.map((o) => o.item))}::jsonb, ${JSON.stringify(orders.map((o) => o.post))}::jsonb)`,
      )
    )[0]!;

  const state = async (beneficiaryId: string, rent: string) => ({
    orders: await queryRows<{ period: string; amount: string }>(
      database.db,
      sql`select period, amount::text from payment_orders where beneficiary_id = ${beneficiaryId}::uuid order by period`,
    ),
    rent: (await queryRows<{ balance: string }>(database.db, sql`select balance::text from ledger_accounts where address = ${rent}`))[0]!.balance,
  });

  it("posts a new chunk as it came, then skips an order already written whatever its amount, and an order named twice", async () => {
    const beneficiaryId = randomUUID();
    const rent = envelopeAccount(beneficiaryId, "rent");
    await ensureAccounts(database.db, [rent]);
    await post(database.db, {
      kind: "credit",
      valueDate: "2026-03-02",
      description: "CAF RSA",
      idempotencyKey: randomUUID(),
      actor: "test",
      beneficiaryId,
      postings: [
        { account: "bank:main", direction: "debit", amount: 1000n },
        { account: rent.address, direction: "credit", amount: 1000n },
      ],
    });

    expect(await write([order(beneficiaryId, rent.address, "2026-02", 300n)])).toEqual({ created: 1, amount: "300" });

    // The same natural key with another amount (money came in since), a new order, and that new order named twice.
    const again = await write([
      order(beneficiaryId, rent.address, "2026-02", 200n),
      order(beneficiaryId, rent.address, "2026-03", 100n),
      order(beneficiaryId, rent.address, "2026-03", 100n),
    ]);
    expect(again).toEqual({ created: 1, amount: "100" });
    expect(await state(beneficiaryId, rent.address)).toEqual({
      orders: [
        { period: "2026-02", amount: "300" },
        { period: "2026-03", amount: "100" },
      ],
      rent: "600",
    });

    // Nothing new: nothing written, nothing posted.
    expect(await write([order(beneficiaryId, rent.address, "2026-03", 100n)])).toEqual({ created: 0, amount: "0" });
    expect((await state(beneficiaryId, rent.address)).rent).toBe("600");
  });
});
