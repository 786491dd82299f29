import { v7 as uuidv7 } from "uuid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bankAccountFor, defaultBankAccount } from "../../../src/services/banking/bank-accounts";
import { createTestDatabase, type TestDatabase } from "../../support/db";

describe("bank accounts: the migrated default and the account of a beneficiary (PostgreSQL)", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ poolMax: 2 });
  });
  afterAll(async () => database?.dispose());

  const newBeneficiary = async () => {
    const id = uuidv7();
    await database.db.$raw.query(`insert into beneficiaries (id, first_name, last_name, birth_date) values ($1, 'Test', 'Banque', '1980-01-01')`, [id]);
    return id;
  };

  it("keeps bank:main as the default pooled account, and a beneficiary without an account belongs to it", async () => {
    const pooled = await defaultBankAccount(database.db);
    expect(pooled).toMatchObject({ kind: "pooled", ledgerAddress: "bank:main", isDefault: true, painVersion: "pain.001.001.09", batchBooking: true });
    const beneficiaryId = await newBeneficiary();
    expect(await bankAccountFor(database.db, beneficiaryId)).toEqual(pooled);
  });

  it("answers not found for an unknown beneficiary", async () => {
    await expect(bankAccountFor(database.db, uuidv7())).rejects.toMatchObject({ code: "not_found" });
  });

  it("gives a beneficiary their own account once they have one", async () => {
    const beneficiaryId = await newBeneficiary();
    const id = uuidv7();
    await database.db.$raw.query(
      `insert into bank_accounts (id, name, iban, kind, beneficiary_id, ledger_address) values ($1, 'Compte Banque', 'FR7630006000011234567890189', 'beneficiary', $2, $3)`,
      [id, beneficiaryId, `bank:${id}`],
    );
    await database.db.$raw.query(`update beneficiaries set bank_account_id = $1 where id = $2`, [id, beneficiaryId]);
    expect(await bankAccountFor(database.db, beneficiaryId)).toMatchObject({
      id,
      kind: "beneficiary",
      beneficiaryId,
      ledgerAddress: `bank:${id}`,
      isDefault: false,
    });
  });
});
