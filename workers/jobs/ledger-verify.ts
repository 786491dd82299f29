import type { JobDefinition } from "../../src/jobs/catalog";
import { verifyLedger } from "../../src/ledger/verify";

/** The auditor's nightly check: every cached balance recomputed from the postings. */
export const ledgerVerify: JobDefinition = {
  name: "ledger-verify",
  schedule: { pattern: "30 3 * * *" },
  async run({ db, logger }) {
    const report = await verifyLedger(db);
    const summary = {
      ok: report.ok,
      accountsChecked: report.accountsChecked,
      drift: report.drift.length,
      negative: report.negative.length,
      unbalancedTransactions: report.unbalancedTransactions.length,
      totalDebits: report.totalDebits.toString(),
      totalCredits: report.totalCredits.toString(),
    };
    if (!report.ok) logger.error({ summary }, "ledger verification found inconsistencies");
    return summary;
  },
};
