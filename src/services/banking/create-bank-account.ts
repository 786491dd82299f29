import { eq } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import { z } from "zod";
import { bankAccounts } from "../../db/schema/banking";
import { beneficiaries } from "../../db/schema/beneficiaries";
import { withTransaction } from "../../db/transaction";
import { BANK_ACCOUNT_KINDS, bankAddress, PAIN_VERSIONS } from "../../domain/bank-accounts";
import { ConflictError, fieldError } from "../../domain/errors";
import { bankLedgerAccount, ensureAccounts, OPENING_ACCOUNT } from "../../ledger/accounts";
import { post } from "../../ledger/post";
import { recordAudit, type ServiceContext } from "../context";
import { CalendarDate, Cents, Iban, Label } from "../schemas";
import { bankAccountView } from "./list-bank-accounts";

/** ISO 9362: 8 or 11 characters. */
const Bic = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/, "must be a BIC of 8 or 11 characters");

export const CreateBankAccountInput = z
  .object({
    name: Label,
    iban: Iban,
    bic: Bic.optional(),
    kind: z.enum(BANK_ACCOUNT_KINDS),
    beneficiaryId: z.uuid().optional(),
    painVersion: z.enum(PAIN_VERSIONS).default("pain.001.001.09"),
    batchBooking: z.boolean().default(true),
    /** The balance at go-live, posted once against the opening account. */
    openingBalance: Cents.optional(),
    openingDate: CalendarDate.optional(),
  })
  .refine((a) => (a.kind === "beneficiary") === (a.beneficiaryId !== undefined), {
    path: ["beneficiaryId"],
    message: "a beneficiary account names its beneficiary, and only it",
  })
  .refine((a) => (a.openingBalance === undefined) === (a.openingDate === undefined), {
    path: ["openingDate"],
    message: "an opening balance goes with its date",
  });
export type CreateBankAccountInput = z.input<typeof CreateBankAccountInput>;

/**
 * A new bank account and its ledger account (`bank:<id>`). The first pooled account
 * given completes the default one the migration made from `bank:main` (its history
 * stays where it is); a beneficiary account becomes that beneficiary's account.
 */
export async function createBankAccount({ ctx, data }: { ctx: ServiceContext; data: z.output<typeof CreateBankAccountInput> }) {
  if (data.openingDate && data.openingDate > ctx.today()) throw fieldError("openingDate", "the opening date is in the future", "in_the_future");
  return withTransaction(ctx.db, async (tx) => {
    const [taken] = await tx.select({ id: bankAccounts.id }).from(bankAccounts).where(eq(bankAccounts.iban, data.iban));
    if (taken) throw new ConflictError("a bank account with this IBAN exists already", { id: taken.id });
    if (data.beneficiaryId) {
      const [owner] = await tx
        .select({ bankAccountId: beneficiaries.bankAccountId })
        .from(beneficiaries)
        .where(eq(beneficiaries.id, data.beneficiaryId))
        .for("update");
      if (!owner) throw fieldError("beneficiaryId", "unknown beneficiary", "not_found");
      if (owner.bankAccountId) throw new ConflictError("this beneficiary has an account of their own already", { id: owner.bankAccountId });
    }
    const [incomplete] = data.kind === "pooled" ? await tx.select().from(bankAccounts).where(eq(bankAccounts.isDefault, true)).for("update") : [];
    const fields = {
      name: data.name,
      iban: data.iban,
      bic: data.bic ?? null,
      painVersion: data.painVersion,
      batchBooking: data.batchBooking,
      openingBalance: data.openingBalance ?? null,
      openingDate: data.openingDate ?? null,
    };
    let account: typeof bankAccounts.$inferSelect;
    if (incomplete && incomplete.iban === null) {
      [account] = (await tx.update(bankAccounts).set(fields).where(eq(bankAccounts.id, incomplete.id)).returning()) as [typeof account];
    } else {
      const id = uuidv7();
      [account] = (await tx
        .insert(bankAccounts)
        .values({ id, ...fields, kind: data.kind, beneficiaryId: data.beneficiaryId ?? null, ledgerAddress: bankAddress(id) })
        .returning()) as [typeof account];
      if (data.beneficiaryId) await tx.update(beneficiaries).set({ bankAccountId: id }).where(eq(beneficiaries.id, data.beneficiaryId));
    }
    await ensureAccounts(tx, [bankLedgerAccount(account.ledgerAddress, account.name), OPENING_ACCOUNT]);
    if (data.openingBalance && data.openingBalance > 0n && data.openingDate) {
      const { transactionId } = await post(tx, {
        kind: "bank.opening",
        valueDate: data.openingDate,
        description: `Solde d'ouverture — ${account.name}`,
        idempotencyKey: `bank-account:${account.id}:opening`,
        actor: ctx.actor,
        metadata: { bankAccountId: account.id },
        postings: [
          { account: account.ledgerAddress, direction: "debit", amount: data.openingBalance },
          { account: OPENING_ACCOUNT.address, direction: "credit", amount: data.openingBalance },
        ],
      });
      [account] = (await tx.update(bankAccounts).set({ openingTransactionId: transactionId }).where(eq(bankAccounts.id, account.id)).returning()) as [
        typeof account,
      ];
    }
    // The trail names the fields given, not the IBAN.
    await recordAudit(tx, ctx, {
      action: "bank_account.create",
      entityType: "bank_account",
      entityId: account.id,
      beneficiaryId: data.beneficiaryId ?? null,
      changes: { fields: Object.keys(data).sort(), kind: data.kind, completedDefault: account.isDefault },
    });
    return bankAccountView(account);
  });
}
