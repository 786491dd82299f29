import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readBankFile } from "../../../src/banking/statements/read-bank-file";
import type { BankStatement } from "../../../src/banking/statements/types";
import { PAYMENT_REASON_CODES } from "../../../src/domain/payment-reasons";
import { camt053, camt053Chunks, cfonb120, type GeneratedEntry, type GeneratedStatement } from "../../support/bank-files";

const DAY = 86_400_000;
/** A calendar date CFONB's two-digit years can carry (2000–2069). */
const date = fc.integer({ min: 0, max: 25_567 }).map((days) => new Date(Date.UTC(2000, 0, 1) + days * DAY).toISOString().slice(0, 10));
const cents = fc.bigInt({ min: -99_999_999_999n, max: 99_999_999_999n });
const nonZero = cents.filter((c) => c !== 0n);
/** Text a bank carries: ISO-8859-1 letters, XML's special characters, spaces (trimmed on reading). */
const text = (maxLength: number) =>
  fc.string({ unit: fc.constantFrom(..."aZéÀçñ'&<>\"- 0/.,:?+()".split("")), minLength: 1, maxLength }).filter((t) => t.trim() !== "");
const token = fc.string({ unit: fc.constantFrom(..."ABCDEF0123456789-/".split("")), minLength: 1, maxLength: 35 });

const entry = fc.record(
  {
    amount: nonZero,
    bookingDate: date,
    name: text(70),
    remittance: text(70),
    endToEndId: token,
    returnReason: fc.constantFrom(...PAYMENT_REASON_CODES),
  },
  { requiredKeys: ["amount", "bookingDate"] },
);

const statement = fc.record({
  iban: fc.constantFrom("FR7630006000011234567890189", "FR1420041010050500013M02606"),
  from: date,
  to: date,
  opening: cents,
  entries: fc.array(entry, { maxLength: 12 }),
});

const read = async (input: Parameters<typeof readBankFile>[0]): Promise<BankStatement[]> => {
  const file = await readBankFile(input);
  if (file.kind !== "statements") throw new Error(file.kind);
  return file.statements;
};

/** What the reader must find of what the generator wrote. */
function expected(statements: GeneratedStatement[]) {
  return statements.map((s) => {
    const entries = s.entries as GeneratedEntry[];
    return {
      iban: s.iban,
      from: s.from,
      to: s.to,
      openingBalance: s.opening,
      closingBalance: entries.reduce((sum, e) => sum + e.amount, s.opening),
      entries: entries.map((e) => ({
        amount: e.amount,
        bookingDate: e.bookingDate,
        counterpartyName: e.name?.trim() ?? null,
        remittance: e.remittance?.trim() ?? null,
        endToEndId: e.endToEndId ?? null,
      })),
    };
  });
}

function found(statements: BankStatement[]) {
  return statements.map((s) => ({
    iban: s.iban,
    from: s.from,
    to: s.to,
    openingBalance: s.openingBalance,
    closingBalance: s.closingBalance,
    entries: s.entries.map((e) => ({
      amount: e.amount,
      bookingDate: e.bookingDate,
      counterpartyName: e.details[0]!.counterpartyName,
      remittance: e.details[0]!.remittance,
      endToEndId: e.details[0]!.endToEndId,
    })),
  }));
}

describe("generated bank files read back exactly", () => {
  it("camt.053 (both versions, whole or in small chunks): balances, signs, cents, parties, references, reasons", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(statement, { minLength: 1, maxLength: 3 }),
        fc.constantFrom("camt.053.001.02", "camt.053.001.08") as fc.Arbitrary<"camt.053.001.02" | "camt.053.001.08">,
        fc.constantFrom("UTF-8", "ISO-8859-1") as fc.Arbitrary<"UTF-8" | "ISO-8859-1">,
        async (statements, version, encoding) => {
          const whole = await read(Buffer.from(camt053({ statements }, { version })));
          expect(found(whole)).toEqual(expected(statements));
          const reasons = statements.flatMap((s) => (s.entries as GeneratedEntry[]).map((e) => e.returnReason ?? null));
          expect(whole.flatMap((s) => s.entries.map((e) => e.details[0]!.returnReason))).toEqual(reasons);
          expect(await read(camt053Chunks({ statements }, { version, encoding, chunkSize: 97 }))).toEqual(whole);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("CFONB 120: the same with CRLF, LF or no line breaks, UTF-8 or ISO-8859-1", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(statement, { minLength: 1, maxLength: 3 }), async (statements) => {
        const crlf = await read(cfonb120({ statements }, { lineBreaks: true, encoding: "latin1" }));
        expect(found(crlf)).toEqual(expected(statements));
        // Every ISO reason the CFONB table knows comes back; the others read as MS03.
        for (const [i, e] of crlf.flatMap((s) => s.entries).entries()) {
          const reason = statements.flatMap((s) => s.entries as GeneratedEntry[])[i]!.returnReason;
          if (reason) expect(e.details[0]!.returnReason).toMatch(/^[A-Z]{2}[A-Z0-9]{2}$/);
          else expect(e.details[0]!.returnReason).toBeNull();
        }
        expect(await read(cfonb120({ statements }, { lineBreaks: false, encoding: "latin1" }))).toEqual(crlf);
        expect(await read(cfonb120({ statements }, { lineBreaks: "LF", encoding: "utf-8" }))).toEqual(crlf);
      }),
      { numRuns: 60 },
    );
  });
});
