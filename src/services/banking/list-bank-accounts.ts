import { asc, desc } from "drizzle-orm";
import { bankAccounts } from "../../db/schema/banking";
import type { ServiceContext } from "../context";

export const bankAccountView = (a: typeof bankAccounts.$inferSelect) => ({
  id: a.id,
  name: a.name,
  iban: a.iban,
  bic: a.bic,
  kind: a.kind,
  beneficiaryId: a.beneficiaryId,
  painVersion: a.painVersion,
  batchBooking: a.batchBooking,
  ledgerAddress: a.ledgerAddress,
  isDefault: a.isDefault,
  openingBalance: a.openingBalance,
  openingDate: a.openingDate,
  createdAt: a.createdAt.toISOString(),
});

/** Every bank account, the default pooled one first. */
export async function listBankAccounts({ ctx }: { ctx: ServiceContext }) {
  const rows = await ctx.db.select().from(bankAccounts).orderBy(desc(bankAccounts.isDefault), asc(bankAccounts.createdAt), asc(bankAccounts.id));
  return rows.map(bankAccountView);
}
