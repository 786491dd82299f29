import { describe, expect, it } from "vitest";
import { readBankFile } from "../../../src/banking/statements/read-bank-file";
import { BankFileError, type BankStatement } from "../../../src/banking/statements/types";
import { type CamtVersion, camt053, camt053Chunks, type GeneratedDetail, type GeneratedStatement } from "../../support/bank-files";

const IBAN = "FR7630006000011234567890189";
const CAF = { name: "CAF DE L'ESSONNE", iban: "FR1420041010050500013M02606" };

const month = (overrides: Partial<GeneratedStatement> = {}): GeneratedStatement => ({
  iban: IBAN,
  from: "2026-02-01",
  to: "2026-02-28",
  opening: 1_000_00n,
  entries: [
    { amount: 612_34n, bookingDate: "2026-02-05", ...CAF, remittance: "RSA 012026 ALLOC 1234567 DUPONT", endToEndId: "CAF-0001", bankReference: "BR-1" },
    {
      amount: -450_00n,
      bookingDate: "2026-02-06",
      name: "OPH Laval Habitat",
      iban: "FR7630006000011234567890189",
      endToEndId: "0123456789abcdef0123456789abcdef",
    },
    { amount: 450_00n, bookingDate: "2026-02-12", name: "OPH Laval Habitat", endToEndId: "0123456789abcdef0123456789abcdef", returnReason: "AC04" },
  ],
  ...overrides,
});

async function statements(input: Parameters<typeof readBankFile>[0]): Promise<BankStatement[]> {
  const file = await readBankFile(input);
  if (file.kind !== "statements") throw new Error(`read as ${file.kind}`);
  expect(file.format).toBe("camt.053");
  return file.statements;
}

const failure = async (input: Parameters<typeof readBankFile>[0]): Promise<BankFileError> => {
  const error = await readBankFile(input).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BankFileError);
  return error as BankFileError;
};

describe.each<CamtVersion>(["camt.053.001.02", "camt.053.001.08"])("camt.053 %s", (version) => {
  it("reads balances, signed entries, counterparties, references and return reasons", async () => {
    const [statement] = await statements(Buffer.from(camt053(month(), { version })));
    expect(statement).toMatchObject({ iban: IBAN, rib: null, from: "2026-02-01", to: "2026-02-28", openingBalance: 1_000_00n, closingBalance: 1_612_34n });
    const [credit, debit, returned] = statement!.entries;
    expect(credit).toMatchObject({ position: 0, amount: 612_34n, bookingDate: "2026-02-05", bankReference: "BR-1", transactionCode: "PMNT/RCDT/ESCT" });
    expect(credit!.label).toBe("RSA 012026 ALLOC 1234567 DUPONT");
    expect(credit!.details).toEqual([
      {
        amount: 612_34n,
        endToEndId: "CAF-0001",
        counterpartyName: CAF.name,
        counterpartyIban: CAF.iban,
        remittance: "RSA 012026 ALLOC 1234567 DUPONT",
        returnReason: null,
        chequeNumber: null,
        batchId: null,
        numberOfTransactions: null,
      },
    ]);
    // A debit's counterparty is the creditor.
    expect(debit).toMatchObject({ amount: -450_00n, transactionCode: "PMNT/ICDT/ESCT", bankReference: null });
    expect(debit!.details[0]).toMatchObject({ counterpartyName: "OPH Laval Habitat", counterpartyIban: IBAN, endToEndId: "0123456789abcdef0123456789abcdef" });
    // A transfer that came back is a credit with its reason.
    expect(returned!.details[0]).toMatchObject({ amount: 450_00n, returnReason: "AC04", endToEndId: "0123456789abcdef0123456789abcdef" });
  });

  it("reads a batch-booked debit as one line with one detail per transaction", async () => {
    const transactions: GeneratedDetail[] = [
      { amount: -600_00n, name: "SCI Les Tilleuls", endToEndId: "E2E-1", iban: IBAN },
      { amount: -400_00n, name: "EDF", endToEndId: "E2E-2", remittance: "CHARGE 02/2026" },
    ];
    const file = camt053(
      month({
        entries: [
          {
            amount: -1_000_00n,
            bookingDate: "2026-02-02",
            batchId: "B20260201-0001-1",
            label: "REMISE VIREMENTS",
            details: transactions,
          },
        ],
      }),
      { version },
    );
    const [statement] = await statements(Buffer.from(file));
    expect(statement!.entries).toHaveLength(1);
    const [line] = statement!.entries;
    expect(line).toMatchObject({ amount: -1_000_00n, label: "REMISE VIREMENTS" });
    expect(line!.details.map((d) => [d.amount, d.endToEndId, d.counterpartyName, d.batchId, d.numberOfTransactions])).toEqual([
      [-600_00n, "E2E-1", "SCI Les Tilleuls", "B20260201-0001-1", 2],
      [-400_00n, "E2E-2", "EDF", "B20260201-0001-1", 2],
    ]);
  });

  it("reads several statements of a file, a cheque number, and a debit balance as negative", async () => {
    const file = camt053(
      {
        statements: [
          month({ id: "S-1", opening: -25_00n, entries: [{ amount: -120_00n, bookingDate: "2026-02-03", chequeNumber: "1234567", name: "Pharmacie" }] }),
          month({ id: "S-2", iban: CAF.iban, entries: [] }),
        ],
      },
      { version },
    );
    const [first, second] = await statements(Buffer.from(file));
    expect(first).toMatchObject({ statementId: "S-1", openingBalance: -25_00n, closingBalance: -145_00n });
    expect(first!.entries[0]!.details[0]).toMatchObject({ chequeNumber: "1234567", endToEndId: null });
    expect(second).toMatchObject({ statementId: "S-2", iban: CAF.iban, entries: [] });
  });
});

describe("camt.053 decoding and streaming", () => {
  it("reads ISO-8859-1 when the prolog says so, and UTF-8 otherwise", async () => {
    const input = month({ entries: [{ amount: 10_00n, bookingDate: "2026-02-05", name: "Département de l'Essonne — Aide sociale" }] });
    const parts: Uint8Array[] = [];
    for await (const chunk of camt053Chunks(input, { encoding: "ISO-8859-1" })) parts.push(chunk);
    const latin1 = Buffer.concat(parts);
    expect(latin1.includes(Buffer.from("é", "utf8"))).toBe(false);
    // ISO-8859-1 has no em dash: the generator writes "?" for it, as a bank would.
    const [fromLatin1] = await statements(latin1);
    expect(fromLatin1!.entries[0]!.details[0]!.counterpartyName).toBe("Département de l'Essonne ? Aide sociale");
    const [fromUtf8] = await statements(Buffer.from(camt053(input)));
    expect(fromUtf8!.entries[0]!.details[0]!.counterpartyName).toBe("Département de l'Essonne — Aide sociale");
  });

  it("falls back to ISO-8859-1 when undeclared bytes are not UTF-8", async () => {
    const text = camt053(month({ entries: [{ amount: 10_00n, bookingDate: "2026-02-05", name: "Hôpital Sud" }] })).replace(' encoding="UTF-8"', "");
    const [statement] = await statements(Buffer.from(text, "latin1"));
    expect(statement!.entries[0]!.details[0]!.counterpartyName).toBe("Hôpital Sud");
  });

  it("reads the same file streamed in chunks cut anywhere, even inside a UTF-8 character", async () => {
    const bytes = Buffer.from(camt053(month({ entries: [{ amount: 10_00n, bookingDate: "2026-02-05", name: "Été Ünïcödé ✓" }] })));
    const whole = await statements(bytes);
    for (const size of [1, 7, 64]) {
      async function* chunks() {
        for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
      }
      expect(await statements(chunks())).toEqual(whole);
    }
  });

  it("streams a large generated file through the parser", async () => {
    const entries = function* () {
      for (let i = 0; i < 5_000; i++) yield { amount: BigInt(100 + i), bookingDate: "2026-02-05", name: `ALLOCATAIRE ${i}`, endToEndId: `CAF-${i}` };
    };
    const closing = 1_000_00n + [...entries()].reduce((sum, e) => sum + e.amount, 0n);
    const [statement] = await statements(camt053Chunks(month({ entries: entries(), closing }), { chunkSize: 4096 }));
    expect(statement!.entries).toHaveLength(5_000);
    expect(statement!.entries[4_999]).toMatchObject({ position: 4_999, amount: 5_099n });
    expect(statement!.openingBalance + statement!.entries.reduce((sum, e) => sum + e.amount, 0n)).toBe(statement!.closingBalance);
  });

  it("skips entries that are not booked (pending, information)", async () => {
    const text = camt053(month()).replace("<Sts>BOOK</Sts>", "<Sts>PDNG</Sts>");
    const [statement] = await statements(Buffer.from(text));
    expect(statement!.entries.map((e) => [e.position, e.amount])).toEqual([
      [0, -450_00n],
      [1, 450_00n],
    ]);
  });
});

describe("camt.053 refusals", () => {
  it("refuses a currency other than EUR, naming the entry and its line", async () => {
    const text = camt053(month()).replace('<Amt Ccy="EUR">450.00</Amt>', '<Amt Ccy="USD">450.00</Amt>');
    const error = await failure(Buffer.from(text));
    expect(error.message).toMatch(/entry 2 of statement "STMT-1".*currency "USD", only EUR/);
    expect(error.line).toBeGreaterThan(1);
  });

  it("refuses a non-EUR account and non-EUR balances", async () => {
    expect((await failure(Buffer.from(camt053(month(), { currency: "CHF" })))).message).toMatch(/CHF/);
  });

  it("refuses a truncated file", async () => {
    const text = camt053(month());
    const error = await failure(Buffer.from(text.slice(0, Math.floor(text.length / 2))));
    expect(error.message).toMatch(/truncated|not well-formed/);
  });

  it("refuses a statement without its opening or closing balance", async () => {
    expect((await failure(Buffer.from(camt053(month()).replace("<Cd>OPBD</Cd>", "<Cd>ITBD</Cd>")))).message).toMatch(/no opening balance/);
    expect((await failure(Buffer.from(camt053(month()).replace("<Cd>CLBD</Cd>", "<Cd>CLAV</Cd>")))).message).toMatch(/no closing balance/);
  });

  it("refuses an amount that is not euros and cents, and a missing sign", async () => {
    expect((await failure(Buffer.from(camt053(month()).replace(">612.34<", ">612.345<")))).message).toMatch(/not an amount/);
    expect((await failure(Buffer.from(camt053(month()).replace(">612.34<", ">-612.34<")))).message).toMatch(/not an amount/);
    expect((await failure(Buffer.from(camt053(month()).replace("<CdtDbtInd>CRDT</CdtDbtInd><Sts>", "<CdtDbtInd>XX</CdtDbtInd><Sts>")))).message).toMatch(
      /neither CRDT nor DBIT/,
    );
  });

  it("refuses a camt.053 version it does not read and a DOCTYPE", async () => {
    const other = camt053(month()).replace("camt.053.001.02", "camt.053.001.04");
    expect((await failure(Buffer.from(other))).message).toMatch(/camt\.053\.001\.04 is not a camt\.053 version we read/);
    const doctype = camt053(month()).replace("<Document", '<!DOCTYPE x [<!ENTITY a "b">]><Document');
    expect((await failure(Buffer.from(doctype))).message).toMatch(/DOCTYPE/);
  });

  it("refuses XML that is neither camt.053 nor pain.002", async () => {
    const error = await failure(
      Buffer.from('<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"><CstmrCdtTrfInitn/></Document>'),
    );
    expect(error.message).toMatch(/neither camt\.053, pain\.002 nor CFONB 120/);
  });
});
