import { describe, expect, it } from "vitest";
import { readBankFile } from "../../../src/banking/statements/read-bank-file";
import { ibanOfRib } from "../../../src/banking/statements/read-cfonb120";
import { BankFileError, type BankStatement } from "../../../src/banking/statements/types";
import { cfonb120, cfonb120Records, cfonbAmount, type GeneratedStatement } from "../../support/bank-files";

const IBAN = "FR7630006000011234567890189";
const OTHER_IBAN = "FR1420041010050500013M02606";

const month = (overrides: Partial<GeneratedStatement> = {}): GeneratedStatement => ({
  iban: IBAN,
  from: "2026-01-31",
  to: "2026-02-28",
  opening: 1_000_00n,
  entries: [
    { amount: 612_34n, bookingDate: "2026-02-05", name: "CAF DE L'ESSONNE", remittance: "RSA 012026 ALLOC 1234567 DUPONT", endToEndId: "CAF-0001" },
    { amount: -450_00n, bookingDate: "2026-02-06", valueDate: "2026-02-07", name: "OPH LAVAL HABITAT", transactionCode: "06", bankReference: "REF0000042" },
    { amount: 450_00n, bookingDate: "2026-02-12", name: "OPH LAVAL HABITAT", returnReason: "AC04", endToEndId: "0123456789abcdef0123456789abcdef" },
    { amount: -120_00n, bookingDate: "2026-02-13", label: "CHEQUE 1234567", transactionCode: "01" },
  ],
  ...overrides,
});

async function statements(bytes: Buffer): Promise<BankStatement[]> {
  const file = await readBankFile(bytes);
  if (file.kind !== "statements") throw new Error(`read as ${file.kind}`);
  expect(file.format).toBe("cfonb120");
  return file.statements;
}

async function refusal(bytes: Buffer | string): Promise<BankFileError> {
  const error = await readBankFile(typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BankFileError);
  return error as BankFileError;
}

const records = (statement: GeneratedStatement = month()) => cfonb120Records(statement);
const withRecords = (list: string[]) => `${list.join("\r\n")}\r\n`;

describe("CFONB 120", () => {
  it("reads the RIB as an IBAN, the balances, signs, dates, labels and complements", async () => {
    const [statement] = await statements(cfonb120(month(), { lineBreaks: true, encoding: "latin1" }));
    expect(statement).toMatchObject({
      format: "cfonb120",
      iban: IBAN,
      rib: { bank: "30006", branch: "00001", account: "12345678901" },
      from: "2026-01-31",
      to: "2026-02-28",
      openingBalance: 1_000_00n,
      closingBalance: 1_492_34n,
      statementId: "300060000112345678901:2026-01-31:2026-02-28",
    });
    const [caf, rent, returned, cheque] = statement!.entries;
    expect(caf).toMatchObject({ position: 0, bookingDate: "2026-02-05", valueDate: "2026-02-05", amount: 612_34n, transactionCode: "05" });
    expect(caf!.label).toBe("VIR CAF DE L'ESSONNE RSA 012026 ALLOC 1234567 DUPONT");
    expect(caf!.details).toEqual([
      {
        amount: 612_34n,
        endToEndId: "CAF-0001",
        counterpartyName: "CAF DE L'ESSONNE",
        counterpartyIban: null,
        remittance: "RSA 012026 ALLOC 1234567 DUPONT",
        returnReason: null,
        bankReturnCode: null,
        chequeNumber: null,
        batchId: null,
        numberOfTransactions: null,
      },
    ]);
    expect(rent).toMatchObject({ amount: -450_00n, valueDate: "2026-02-07", transactionCode: "06", bankReference: "REF0000042" });
    expect(rent!.details[0]).toMatchObject({ counterpartyName: "OPH LAVAL HABITAT" });
    // The CFONB reject code is mapped to its ISO reason; the bank's own code is kept beside it.
    expect(returned!.details[0]).toMatchObject({ returnReason: "AC04", bankReturnCode: "01", endToEndId: "0123456789abcdef0123456789abcdef" });
    expect(cheque!.details[0]).toMatchObject({ chequeNumber: "1234567", amount: -120_00n });
  });

  it("reads the same statements with CRLF, LF or no line breaks, in UTF-8 or ISO-8859-1", async () => {
    const accented = month({ entries: [{ amount: 10_00n, bookingDate: "2026-02-05", name: "DÉPARTEMENT DE L'ESSONNE", remittance: "Aide à l'énergie" }] });
    const expected = await statements(cfonb120(accented, { lineBreaks: "CRLF", encoding: "latin1" }));
    expect(expected[0]!.entries[0]!.details[0]!.counterpartyName).toBe("DÉPARTEMENT DE L'ESSONNE");
    for (const lineBreaks of [true, "LF", false] as const) {
      for (const encoding of ["utf-8", "latin1"] as const) {
        expect(await statements(cfonb120(accented, { lineBreaks, encoding }))).toEqual(expected);
      }
    }
  });

  it("reads several accounts and statements in one file", async () => {
    const file = cfonb120(
      { statements: [month(), month({ iban: OTHER_IBAN, opening: -50_00n, entries: [] }), month({ from: "2026-02-28", to: "2026-03-31", entries: [] })] },
      { lineBreaks: false, encoding: "latin1" },
    );
    const read = await statements(file);
    expect(read.map((s) => [s.iban, s.from, s.to, s.openingBalance, s.closingBalance, s.entries.length])).toEqual([
      [IBAN, "2026-01-31", "2026-02-28", 1_000_00n, 1_492_34n, 4],
      [OTHER_IBAN, "2026-01-31", "2026-02-28", -50_00n, -50_00n, 0],
      [IBAN, "2026-02-28", "2026-03-31", 1_000_00n, 1_000_00n, 0],
    ]);
  });

  it("reads every overpunched sign character and the number of decimals", async () => {
    for (const cents of [0n, 1n, -1n, 9n, -10n, 123_45n, -987_65n, 99_999_999_999_99n]) {
      const [statement] = await statements(cfonb120(month({ opening: cents, entries: [] }), { lineBreaks: true, encoding: "latin1" }));
      expect(statement!.openingBalance).toBe(cents);
    }
    // Three decimals (whole cents) and none.
    const base = records(month({ entries: [] }));
    const threeDecimals = base.map((r) => `${r.slice(0, 19)}3${r.slice(20, 90)}${cfonbAmount(1_000_000n)}${r.slice(104)}`);
    expect((await statements(Buffer.from(withRecords(threeDecimals))))[0]!.openingBalance).toBe(1_000_00n);
    const noDecimals = base.map((r) => `${r.slice(0, 19)}0${r.slice(20, 90)}${cfonbAmount(-12n)}${r.slice(104)}`);
    expect((await statements(Buffer.from(withRecords(noDecimals))))[0]!.openingBalance).toBe(-12_00n);
  });

  it("builds the IBAN from a RIB with letters in the account number", () => {
    expect(ibanOfRib({ bank: "20041", branch: "01005", account: "0500013M026" })).toBe(OTHER_IBAN);
    expect(ibanOfRib({ bank: "3000X", branch: "00001", account: "12345678901" })).toBeNull();
  });
});

describe("CFONB 120 refusals name the record", () => {
  it("a record of the wrong length", async () => {
    const list = records();
    list[2] = list[2]!.slice(0, 119);
    const error = await refusal(withRecords(list));
    expect(error.message).toBe("record 3: 119 characters, a CFONB 120 record has 120");
    expect(error.line).toBe(3);
  });

  it("an unknown record code", async () => {
    const list = records();
    list[1] = `08${list[1]!.slice(2)}`;
    expect((await refusal(withRecords(list))).message).toMatch(/^record 2: unknown record code "08"/);
  });

  it("a bad sign character", async () => {
    const list = records();
    list[1] = `${list[1]!.slice(0, 103)}X${list[1]!.slice(104)}`;
    expect((await refusal(withRecords(list))).message).toMatch(/^record 2: amount .*"X" is not a sign character/);
    list[1] = `${list[1]!.slice(0, 95)}a${list[1]!.slice(96, 103)}A${list[1]!.slice(104)}`;
    expect((await refusal(withRecords(list))).message).toMatch(/^record 2: amount .* is not 13 digits/);
  });

  it("a currency other than EUR", async () => {
    const list = records();
    list[1] = `${list[1]!.slice(0, 16)}USD${list[1]!.slice(19)}`;
    expect((await refusal(withRecords(list))).message).toBe('record 2: currency "USD", only EUR is read');
  });

  it("a 05 without its 04", async () => {
    const list = records();
    const complement = list.findIndex((r) => r.startsWith("05"));
    list.splice(complement - 1, 1);
    expect((await refusal(withRecords(list))).message).toMatch(new RegExp(`^record ${complement}: a 05 \\(complement\\) record without its 04`));
  });

  it("a movement outside a statement or for another account", async () => {
    const list = records();
    expect((await refusal(withRecords(list.slice(1)))).message).toMatch(/^record 1: a 04 \(movement\) record outside a statement/);
    const other = records(month({ iban: OTHER_IBAN }));
    expect((await refusal(withRecords([list[0]!, other[1]!]))).message).toMatch(/^record 2: .*inside the statement of another account/);
  });

  it("a truncated file: a statement without its 07, or a last record cut short", async () => {
    const list = records();
    const error = await refusal(withRecords(list.slice(0, -1)));
    expect(error.message).toMatch(new RegExp(`^record ${list.length - 1}: truncated file: the statement opened at record 1 has no closing 07`));
    const text = list.join("");
    expect((await refusal(text.slice(0, text.length - 50))).message).toMatch(/truncated file|70 characters/);
  });

  it("a new statement before the previous one closed, and bad dates", async () => {
    const list = records();
    expect((await refusal(withRecords([list[0]!, list[0]!]))).message).toMatch(/^record 2: a new statement \(01\) before/);
    list[1] = `${list[1]!.slice(0, 34)}310226${list[1]!.slice(40)}`;
    expect((await refusal(withRecords(list))).message).toMatch(/^record 2: booking date "310226" is not a date/);
  });

  it("a file that is neither camt.053, pain.002 nor CFONB 120", async () => {
    for (const text of ["", "hello, world", "%PDF-1.7\n", "0A not a statement"]) {
      const error = await refusal(text);
      expect(error.message).toBe("neither camt.053, pain.002 nor CFONB 120");
    }
  });
});
