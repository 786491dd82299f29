import { describe, expect, it } from "vitest";
import { readBankFile } from "../../../src/banking/statements/read-bank-file";
import type { BankStatement } from "../../../src/banking/statements/types";
import { bankFixture } from "./fixtures";

const camt = bankFixture("test-camt053.xml");
const cfonb = bankFixture("cfonb_classic.cfo");

const statementsOf = async (bytes: Buffer): Promise<BankStatement[]> => {
  const file = await readBankFile(bytes);
  if (file.kind !== "statements") throw new Error("not a statement");
  return file.statements;
};

describe.skipIf(!camt)("a real camt.053.001.02 (test-camt053.xml)", () => {
  it("reads the account, balances, entries, signs and the batch-booked return as the file gives them", async () => {
    const [statement, ...others] = await statementsOf(camt!);
    expect(others).toEqual([]);
    expect(statement).toMatchObject({
      format: "camt.053",
      iban: "NL77ABNA0574908765",
      statementId: "1234Test/1",
      from: "2014-01-05",
      to: "2014-01-05",
      openingBalance: 1_556_827n,
      closingBalance: 1_512_112n,
    });
    expect(statement!.entries.map((e) => e.amount)).toEqual([-75_425n, -66_405n, 140_531n]);
    const [directDebit, returned, credit] = statement!.entries;
    expect(directDebit).toMatchObject({ position: 0, bookingDate: "2014-01-05", valueDate: "2014-01-05", transactionCode: "PMNT/RDDT/ESDD" });
    expect(directDebit!.details).toEqual([
      expect.objectContaining({
        amount: -75_425n,
        endToEndId: "435005714488-ABNO33052620",
        counterpartyName: "INSURANCE COMPANY TESTX",
        counterpartyIban: "NL46ABNA0499998748",
        remittance: "Insurance policy 857239PERIOD 01.01.2014 - 31.12.2014",
      }),
    ]);
    // One line booking two transactions, each with its own amount and return reason.
    expect(returned!.details.map((d) => [d.amount, d.endToEndId, d.returnReason, d.batchId, d.numberOfTransactions])).toEqual([
      [-56_405n, "TESTBANK/NL/20141229/01206408", "AC06", "2018/125-20141229-NORM", 2],
      [-10_000n, "TESTBANK/NL/20141229/01206407", "AC06", "2018/125-20141229-NORM", 2],
    ]);
    expect(credit).toMatchObject({ transactionCode: "PMNT/RCDT/ESCT" });
    expect(credit!.details[0]).toMatchObject({
      amount: 140_531n,
      endToEndId: "115",
      counterpartyName: "3rd party Media",
      counterpartyIban: "NL69ABNA0522123643",
    });
  });
});

describe.skipIf(!cfonb)("a real CFONB 120 (cfonb_classic.cfo)", () => {
  it("reads the RIB, the balances and 13 movements whose sum closes the statement", async () => {
    const [statement, ...others] = await statementsOf(cfonb!);
    expect(others).toEqual([]);
    expect(statement).toMatchObject({
      format: "cfonb120",
      rib: { bank: "30003", branch: "01234", account: "01234567890" },
      iban: "FR7630003012340123456789057",
      from: "2024-01-12",
      to: "2024-01-13",
      openingBalance: 101_731_189n,
      closingBalance: 103_158_579n,
    });
    const entries = statement!.entries;
    expect(entries).toHaveLength(13);
    expect(entries.filter((e) => e.amount < 0n)).toHaveLength(4);
    expect(statement!.openingBalance + entries.reduce((sum, e) => sum + e.amount, 0n)).toBe(statement!.closingBalance);
    expect(entries[0]).toMatchObject({ bookingDate: "2024-01-13", valueDate: "2024-01-13", amount: 104_017n, transactionCode: "18" });
    expect(entries[0]!.label).toBe("VIR INST MA JOLIE BOUTIQUE facture F230875");
    expect(entries[0]!.details[0]).toMatchObject({ counterpartyName: "MA JOLIE BOUTIQUE", remittance: "facture F230875", endToEndId: null });
    expect(entries[1]!.details[0]).toMatchObject({ endToEndId: "0018937", counterpartyName: "DURANCIA MONTGENEVRE" });
    // A direct debit: the counterparty is the creditor (NBE).
    const debit = entries.find((e) => e.amount < 0n && e.label.includes("FREE MOBILE") && e.details[0]!.counterpartyName)!;
    expect(debit.details[0]).toMatchObject({ counterpartyName: "FREE MOBILE", endToEndId: "fmpmt-1290437493" });
  });

  it("reads the same file without its line breaks, and with CRLF, identically", async () => {
    const text = cfonb!.toString("latin1");
    const lines = text.split("\n").filter((l) => l !== "");
    const expected = await statementsOf(cfonb!);
    expect(await statementsOf(Buffer.from(lines.join(""), "latin1"))).toEqual(expected);
    expect(await statementsOf(Buffer.from(lines.join("\r\n"), "latin1"))).toEqual(expected);
  });
});
