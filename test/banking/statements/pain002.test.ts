import { describe, expect, it } from "vitest";
import { readBankFile } from "../../../src/banking/statements/read-bank-file";
import { BankFileError, type PaymentStatusReport } from "../../../src/banking/statements/types";
import { pain002 } from "../../support/bank-files";

const E2E = ["0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"];

async function reports(xml: string): Promise<PaymentStatusReport[]> {
  const file = await readBankFile(Buffer.from(xml));
  if (file.kind !== "status_report") throw new Error(`read as ${file.kind}`);
  return file.reports;
}

describe.each(["pain.002.001.03", "pain.002.001.10"] as const)("pain.002 %s", (version) => {
  it("reads a partial acceptance: the group status and each transaction's status, reason and date", async () => {
    const xml = pain002({
      version,
      originalMessageId: "B20260201-0001",
      groupStatus: "PART",
      transactions: [
        { endToEndId: E2E[0]!, status: "ACCP" },
        { endToEndId: E2E[1]!, status: "RJCT", reasonCode: "AC04", date: "2026-02-03" },
      ],
    });
    expect(await reports(xml)).toEqual([
      {
        originalMessageId: "B20260201-0001",
        groupStatus: "PART",
        groupReason: null,
        transactions: [
          { endToEndId: E2E[0], status: "ACCP", reasonCode: null, date: "2026-02-02" },
          { endToEndId: E2E[1], status: "RJCT", reasonCode: "AC04", date: "2026-02-03" },
        ],
        paymentInformations: [{ paymentInformationId: "B20260201-0001-1", status: null, reasonCode: null }],
      },
    ]);
  });

  it("gives a transaction without its own status the group's, with the group's reason", async () => {
    const xml = pain002({ version, originalMessageId: "B1", groupStatus: "RJCT", groupReason: "FF01", transactions: [{ endToEndId: E2E[0]! }] });
    const [report] = await reports(xml);
    expect(report).toMatchObject({ groupStatus: "RJCT", groupReason: "FF01" });
    expect(report!.transactions).toEqual([{ endToEndId: E2E[0], status: "RJCT", reasonCode: "FF01", date: "2026-02-02" }]);
  });

  it("reads a report on the whole file with no transaction", async () => {
    const [report] = await reports(pain002({ version, originalMessageId: "B2", groupStatus: "ACSC", transactions: [] }));
    expect(report).toMatchObject({ originalMessageId: "B2", groupStatus: "ACSC", transactions: [] });
  });
});

describe("pain.002 refusals", () => {
  it("refuses a report that names no original message, and versions it does not read", async () => {
    const noId = pain002({ originalMessageId: "X", groupStatus: "ACCP", transactions: [] }).replace("<OrgnlMsgId>X</OrgnlMsgId>", "");
    await expect(readBankFile(Buffer.from(noId))).rejects.toThrow(/names no original message/);
    const v5 = pain002({ originalMessageId: "X", transactions: [] }).replace("pain.002.001.03", "pain.002.001.05");
    await expect(readBankFile(Buffer.from(v5))).rejects.toThrow(BankFileError);
    await expect(readBankFile(Buffer.from(v5))).rejects.toThrow(/pain\.002\.001\.05 is not a pain\.002 version we read/);
  });
});
