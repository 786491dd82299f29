import type { JobDefinition } from "../../src/jobs/catalog";
import { checkReconciliations } from "../../src/services/statements/reconciliation";

/** Every night, each bank account's ledger balance against its latest statement: a difference is a finance alert. */
export const bankReconciliation: JobDefinition = {
  name: "bank-reconciliation",
  schedule: { pattern: "45 3 * * *" },
  async run({ db, logger }, { asOf }) {
    const summary = await checkReconciliations(db, asOf);
    if (summary.differences > 0) logger.warn({ summary }, "the ledger and the bank disagree");
    return summary;
  },
};
