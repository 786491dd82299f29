import { and, eq } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import { z } from "zod";
import { idempotencyKeys } from "../../db/schema/credits";
import { runText } from "../../db/sql";
import { withTransaction } from "../../db/transaction";
import { fieldError, NotFoundError } from "../../domain/errors";
import { centsToJson } from "../../domain/money";
import { cashBoxAccount, ensureAccounts } from "../../ledger/accounts";
import { post } from "../../ledger/post";
import { recordAudit, type ServiceContext } from "../context";
import { claimKey, hashRequest, type StoredOutcome, storedOutcome } from "../idempotency";
import { CalendarDate, PositiveCents } from "../schemas";
import { defaultBankAccount } from "./bank-accounts";

export const CashWithdrawalInput = z
  .object({
    /** The account the cash is drawn from; default: the default pooled one. */
    bankAccountId: z.uuid().optional(),
    amount: PositiveCents,
    date: CalendarDate,
  })
  .strict();
export type CashWithdrawalInput = z.input<typeof CashWithdrawalInput>;

export interface CashWithdrawal {
  transactionId: string;
  bankAccountId: string;
  cashBox: string;
  amount: number;
  date: string;
}

const SCOPE = "cash_withdrawal";

/**
 * Cash drawn from a bank account into its cash box (`bank:<id>` → `cash:<id>`), from
 * which cash payments are handed over. Idempotent under its key: a retry draws nothing twice.
 */
export async function withdrawCash({
  ctx,
  idempotencyKey: key,
  data,
}: {
  ctx: ServiceContext;
  idempotencyKey: string;
  data: z.output<typeof CashWithdrawalInput>;
}): Promise<StoredOutcome<CashWithdrawal>> {
  if (data.date > ctx.today()) throw fieldError("date", "the date is in the future", "in_the_future");
  const hash = hashRequest([data.bankAccountId ?? null, data.amount, data.date]);
  const replay = await storedOutcome<CashWithdrawal>(ctx.db, SCOPE, key, hash);
  if (replay) return replay;
  return withTransaction(ctx.db, async (tx) => {
    if (!(await claimKey(tx, SCOPE, key, hash, 201, {}))) return (await storedOutcome<CashWithdrawal>(tx, SCOPE, key, hash))!;
    const account = data.bankAccountId
      ? (
          await runText<{ id: string; ledgerAddress: string; name: string }>(
            tx,
            `select id, ledger_address as "ledgerAddress", name from bank_accounts where id = $1`,
            [data.bankAccountId],
          )
        )[0]
      : await defaultBankAccount(tx);
    if (!account) throw new NotFoundError("bank account", data.bankAccountId ?? "default");
    const cashBox = cashBoxAccount(account.ledgerAddress, account.name);
    await ensureAccounts(tx, [cashBox]);
    const transactionId = uuidv7();
    await post(tx, {
      id: transactionId,
      kind: "cash.withdrawal",
      valueDate: data.date,
      description: "Retrait d'espèces pour la caisse",
      idempotencyKey: `cash-withdrawal:${transactionId}`,
      actor: ctx.actor,
      metadata: { bankAccountId: account.id },
      postings: [
        { account: cashBox.address, direction: "debit", amount: data.amount },
        { account: account.ledgerAddress, direction: "credit", amount: data.amount },
      ],
    });
    const body: CashWithdrawal = { transactionId, bankAccountId: account.id, cashBox: cashBox.address, amount: centsToJson(data.amount), date: data.date };
    await tx
      .update(idempotencyKeys)
      .set({ response: body })
      .where(and(eq(idempotencyKeys.scope, SCOPE), eq(idempotencyKeys.key, key)));
    await recordAudit(tx, ctx, {
      action: "cash.withdraw",
      entityType: "transaction",
      entityId: transactionId,
      changes: { bankAccountId: account.id, cashBox: cashBox.address, amount: data.amount.toString(), date: data.date },
    });
    return { status: 201, body, replayed: false };
  });
}
