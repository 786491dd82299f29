import { v7 as uuidv7 } from "uuid";
import { z } from "zod";
import { charges } from "../../db/schema/charges";
import { withTransaction } from "../../db/transaction";
import { CHARGE_CATEGORIES, CHARGE_FREQUENCIES, resolveMonths } from "../../domain/charge-schedule";
import { endBeforeStartIssues } from "../../domain/date-range";
import { type FieldIssue, ValidationError } from "../../domain/errors";
import { ensureAccounts, envelopeAccount } from "../../ledger/accounts";
import { loadBeneficiary } from "../access";
import { recordAudit, type ServiceContext } from "../context";
import { CalendarDate, DueDay, Iban, Label, PositiveCents, PostalAddressInput } from "../schemas";

export const ChargeFields = {
  label: Label,
  category: z.enum(CHARGE_CATEGORIES),
  amount: PositiveCents,
  dueDay: DueDay,
  /** Lower is served first; rent always comes before every charge. */
  priority: z.number().int().min(1).max(1000),
  creditor: z.object({ name: Label, iban: Iban, address: PostalAddressInput.optional() }),
  frequency: z.enum(CHARGE_FREQUENCIES).default("monthly"),
  months: z.array(z.number().int().min(1).max(12)).max(12).optional(),
  startDate: CalendarDate.optional(),
  endDate: CalendarDate.nullish(),
};
export const AddChargeInput = z.object(ChargeFields);
export type AddChargeInput = z.input<typeof AddChargeInput>;

export type ChargeRow = typeof charges.$inferSelect;

export const chargeView = (c: ChargeRow) => ({
  id: c.id,
  beneficiaryId: c.beneficiaryId,
  label: c.label,
  category: c.category,
  amount: c.amount,
  dueDay: c.dueDay,
  priority: c.priority,
  creditor: { name: c.creditorName, iban: c.creditorIban, address: c.creditorAddress ?? null },
  frequency: c.frequency,
  months: c.months,
  startDate: c.startDate,
  endDate: c.endDate,
  envelope: envelopeAccount(c.beneficiaryId, "charge", c.id).address,
});

/** A charge of the budget plan, with its own envelope in the ledger; `data` is parsed by `AddChargeInput` (the route's `c.req.valid`). */
export async function addCharge({ ctx, beneficiaryId, data }: { ctx: ServiceContext; beneficiaryId: string; data: z.output<typeof AddChargeInput> }) {
  const startDate = data.startDate ?? ctx.today();
  const { months, issues } = resolveMonths(data.frequency, data.months, startDate);
  const all: FieldIssue[] = [...issues, ...endBeforeStartIssues(startDate, data.endDate)];
  if (all.length) throw new ValidationError("the charge is invalid", all);
  return withTransaction(ctx.db, async (tx) => {
    await loadBeneficiary(tx, ctx, beneficiaryId, { lock: true });
    const id = uuidv7();
    const [row] = await tx
      .insert(charges)
      .values({
        id,
        beneficiaryId,
        label: data.label,
        category: data.category,
        amount: data.amount,
        dueDay: data.dueDay,
        priority: data.priority,
        creditorName: data.creditor.name,
        creditorIban: data.creditor.iban,
        creditorAddress: data.creditor.address ?? null,
        frequency: data.frequency,
        months,
        startDate,
        endDate: data.endDate ?? null,
      })
      .returning();
    await ensureAccounts(tx, [envelopeAccount(beneficiaryId, "charge", id)]);
    await recordAudit(tx, ctx, {
      action: "charge.create",
      entityType: "charge",
      entityId: id,
      beneficiaryId,
      changes: { category: data.category, amount: String(data.amount), priority: data.priority, frequency: data.frequency },
    });
    return chargeView(row!);
  });
}
