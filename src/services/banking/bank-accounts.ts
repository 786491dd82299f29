import type { Executor } from "../../db/client";
import { runText } from "../../db/sql";
import type { BankAccountKind, PainVersion } from "../../domain/bank-accounts";
import { NotFoundError } from "../../domain/errors";

/** A bank account as the verbs and the pain.001 file need it. */
export interface BankAccount {
  id: string;
  name: string;
  /** Null only for the default account until an admin gives it its IBAN. */
  iban: string | null;
  bic: string | null;
  kind: BankAccountKind;
  beneficiaryId: string | null;
  painVersion: PainVersion;
  batchBooking: boolean;
  /** `bank:main` for the default pooled account, `bank:<id>` for the others. */
  ledgerAddress: string;
  isDefault: boolean;
}

const BANK_ACCOUNT_COLUMNS = `a.id, a.name, a.iban, a.bic, a.kind, a.beneficiary_id as "beneficiaryId", a.pain_version as "painVersion",
  a.batch_booking as "batchBooking", a.ledger_address as "ledgerAddress", a.is_default as "isDefault"`;

/**
 * The rule "a beneficiary's money is held in their own account, else the default pooled
 * one", as SQL over `b` (beneficiaries): one definition for one beneficiary here and for
 * 100 000 orders at once in the batch queries.
 */
export const ACCOUNT_OF_BENEFICIARY_SQL = "coalesce(b.bank_account_id, (select d.id from bank_accounts d where d.is_default))";

/** The account a beneficiary's money is held in. Unknown beneficiary: NotFoundError. */
export async function bankAccountFor(executor: Executor, beneficiaryId: string): Promise<BankAccount> {
  const [row] = await runText<BankAccount>(
    executor,
    `select ${BANK_ACCOUNT_COLUMNS} from beneficiaries b
       join bank_accounts a on a.id = ${ACCOUNT_OF_BENEFICIARY_SQL}
      where b.id = $1`,
    [beneficiaryId],
  );
  if (!row) throw new NotFoundError("beneficiary", beneficiaryId);
  return row;
}

/** The default pooled account (the migration made it from `bank:main`). */
export async function defaultBankAccount(executor: Executor): Promise<BankAccount> {
  const [row] = await runText<BankAccount>(executor, `select ${BANK_ACCOUNT_COLUMNS} from bank_accounts a where a.is_default`);
  if (!row) throw new NotFoundError("bank account", "default");
  return row;
}
