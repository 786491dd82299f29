import { runText, toBigInt } from "../../db/sql";
import type { ServiceContext } from "../context";

export interface CashBoxView {
  bankAccountId: string;
  bankAccountName: string;
  isDefault: boolean;
  /** What the cash box holds, in cents (0 before the first withdrawal created it). */
  balance: bigint;
}

/**
 * Every bank account with what its cash box holds (`bank:<x>` → `cash:<x>`, the pairing
 * of `cashBoxAccount`): what finance staff check before handing cash over.
 */
export async function listCashBoxes({ ctx }: { ctx: ServiceContext }): Promise<CashBoxView[]> {
  const rows = await runText<{ id: string; name: string; is_default: boolean; balance: string }>(
    ctx.db,
    `select b.id, b.name, b.is_default, coalesce(a.balance, 0)::text as balance
       from bank_accounts b
       left join ledger_accounts a on a.address = 'cash:' || substr(b.ledger_address, length('bank:') + 1)
      order by b.is_default desc, b.name, b.id`,
  );
  return rows.map((r) => ({ bankAccountId: r.id, bankAccountName: r.name, isDefault: r.is_default, balance: toBigInt(r.balance) }));
}
