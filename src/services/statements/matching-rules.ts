import { z } from "zod";
import type { Db } from "../../db/client";
import { runText } from "../../db/sql";
import { withTransaction } from "../../db/transaction";
import { type CompiledRules, compileRules, type MatchingRule } from "../../domain/matching-rules";
import { recordAudit, type ServiceContext } from "../context";
import { Text } from "../schemas";

const Pattern = Text({ min: 1, max: 500 }).refine((p) => {
  try {
    new RegExp(p, "iu");
    return true;
  } catch {
    return false;
  }
}, "not a valid regular expression");

/** How many groups a pattern captures (0 when it does not compile: the other check says why). */
function captureGroups(pattern: string): number {
  try {
    return new RegExp(`${pattern}|`, "u").exec("")!.length - 1;
  } catch {
    return 0;
  }
}

const PayerCode = z.string().regex(/^[A-Z0-9_-]{1,40}$/, "upper-case letters, digits, _ and - (the credit's payer code)");

const MatchingRuleInput = z.strictObject({
  payer: PayerCode,
  priority: z.number().int().min(0).max(10_000),
  active: z.boolean(),
  spec: z.strictObject({
    names: z.array(Pattern).max(20),
    ibans: z.array(z.string().regex(/^[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}$/, "an IBAN, electronic format")).max(20),
    numberField: z.enum(["cafNumber", "msaNumber"]),
    numberPattern: Pattern.refine((p) => captureGroups(p) >= 1, "needs one capture group: the number"),
    prestations: z.array(z.strictObject({ prestation: PayerCode, pattern: Pattern })).max(50),
    notManaged: z.array(z.strictObject({ label: Text({ min: 1, max: 100 }), pattern: Pattern })).max(20),
  }),
});
export const MatchingRulesInput = z.strictObject({
  items: z
    .array(MatchingRuleInput)
    .max(50)
    .refine((items) => new Set(items.map((r) => r.payer)).size === items.length, "one rule per payer"),
});

export async function listMatchingRules(db: Db): Promise<MatchingRule[]> {
  return runText<MatchingRule>(db, "select payer, priority, active, spec from matching_rules order by priority, payer");
}

export async function loadCompiledRules(db: Db): Promise<CompiledRules> {
  return compileRules(await listMatchingRules(db));
}

/** The whole set replaced at once (an admin's edit), audited with what it was. */
export async function replaceMatchingRules({ ctx, data }: { ctx: ServiceContext; data: z.output<typeof MatchingRulesInput> }) {
  return withTransaction(ctx.db, async (tx) => {
    const before = await runText<MatchingRule>(tx, "select payer, priority, active, spec from matching_rules order by payer for update");
    await runText(tx, "delete from matching_rules");
    if (data.items.length) {
      await runText(
        tx,
        `insert into matching_rules (payer, priority, active, spec, updated_by)
         select x.payer, x.priority, x.active, x.spec, $2 from jsonb_to_recordset($1::jsonb) as x(payer text, priority int, active boolean, spec jsonb)`,
        [JSON.stringify(data.items), ctx.actor],
      );
    }
    await recordAudit(tx, ctx, {
      action: "matching_rules.replace",
      entityType: "matching_rules",
      entityId: "00000000-0000-0000-0000-000000000000",
      changes: { before: before.map((r) => r.payer), after: data.items.map((r) => r.payer) },
    });
    return runText<MatchingRule>(tx, "select payer, priority, active, spec from matching_rules order by priority, payer");
  });
}
