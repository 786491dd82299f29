import { asc, eq, sql } from "drizzle-orm";
import { v5 as uuidv5 } from "uuid";
import { z } from "zod";
import { payers } from "../../db/schema/payers";
import { withTransaction } from "../../db/transaction";
import { NotFoundError } from "../../domain/errors";
import { recordAudit, type ServiceContext } from "../context";
import { Iban, Label, PostalAddressInput, Text } from "../schemas";

/** A payer's code as the catalogue spells it ("MSA", "CAF/MSA", "Département"): in a path, URL-encoded. */
export const PayerCode = Text({ min: 1, max: 100 });

/** What an admin completes: the name the statements show, the IBAN the payer pays from, the address a MASP 3 request names. */
export const UpdatePayerInput = z
  .object({
    name: Label,
    iban: Iban.nullish(),
    address: PostalAddressInput.nullish(),
  })
  .strict();
export type UpdatePayerInput = z.input<typeof UpdatePayerInput>;

/** The audit names entities by UUID: a payer's is derived from its code, the same every time. */
const PAYER_NAMESPACE = "6f1c1f0e-5b7a-4f4e-9a59-3f0d2b7c9a10";
const payerEntityId = (code: string): string => uuidv5(code, PAYER_NAMESPACE);

const payerView = (p: typeof payers.$inferSelect) => ({
  code: p.code,
  name: p.name,
  iban: p.iban,
  address: p.address ?? null,
  updatedAt: p.updatedAt.toISOString(),
});

export async function listPayers({ ctx }: { ctx: ServiceContext }) {
  const rows = await ctx.db.select().from(payers).orderBy(asc(payers.code));
  return rows.map(payerView);
}

/**
 * Completes a payer (they are seeded from the catalogue, named by their code): name,
 * IBAN and address, the whole record replaced (an omitted IBAN or address is cleared).
 * Unknown code: 404 (payers come from the catalogue).
 */
export async function updatePayer({ ctx, code, data }: { ctx: ServiceContext; code: string; data: z.output<typeof UpdatePayerInput> }) {
  return withTransaction(ctx.db, async (tx) => {
    const [before] = await tx.select().from(payers).where(eq(payers.code, code)).for("update");
    if (!before) throw new NotFoundError("payer", code);
    const [after] = await tx
      .update(payers)
      .set({ name: data.name, iban: data.iban ?? null, address: data.address ?? null, updatedAt: sql`now()` })
      .where(eq(payers.code, code))
      .returning();
    await recordAudit(tx, ctx, {
      action: "payer.update",
      entityType: "payer",
      entityId: payerEntityId(code),
      changes: {
        code,
        name: { from: before.name, to: data.name },
        iban: { from: before.iban, to: data.iban ?? null },
        address: { from: before.address ?? null, to: data.address ?? null },
      },
    });
    return payerView(after!);
  });
}
