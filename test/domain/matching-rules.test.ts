import { describe, expect, it } from "vitest";
import { checkConsistency, isBankFee, lineIdentities } from "../../src/domain/bank-statements";
import { compileRules, DEFAULT_MATCHING_RULES, matchIncoming } from "../../src/domain/matching-rules";

const rules = compileRules(DEFAULT_MATCHING_RULES);
const line = (name: string | null, text: string, iban: string | null = null) => matchIncoming(rules, { name, iban, text });

describe("matching incoming lines (the default CAF and MSA rules)", () => {
  it("recognises the payer, the number and the prestation", () => {
    expect(line("CAF DE LA MAYENNE", "RSA 12/2025 ALLOCATAIRE 1234567")).toEqual({
      kind: "credit",
      payer: "CAF",
      numberField: "cafNumber",
      number: "1234567",
      prestation: "RSA",
    });
    expect(line("MUTUALITE SOCIALE AGRICOLE", "AAH MATRICULE 7654321")).toMatchObject({ payer: "MSA", numberField: "msaNumber", prestation: "AAH" });
    // Without a debtor name, the label names the payer.
    expect(line(null, "VIR CAF APL ALLOC 1234567")).toMatchObject({ kind: "credit", prestation: "APL" });
  });

  it("sends to suspense what it cannot place, saying why", () => {
    expect(line("SARL DUPONT", "SALAIRE")).toEqual({ kind: "suspense", reason: "payer_unknown" });
    expect(line("CAF", "PRIME D'ACTIVITE ALLOCATAIRE 1234567")).toMatchObject({ reason: "not_managed" });
    expect(line("CAF", "RSA SANS NUMERO")).toMatchObject({ reason: "beneficiary_number_missing" });
    expect(line("CAF", "ALLOCATAIRE 1234567 VERSEMENT")).toMatchObject({ reason: "prestation_unknown" });
  });

  it("an IBAN rule wins over names", () => {
    const withIban = compileRules([{ ...DEFAULT_MATCHING_RULES[1]!, spec: { ...DEFAULT_MATCHING_RULES[1]!.spec, ibans: ["FR7610011000201234567890188"] } }]);
    expect(matchIncoming(withIban, { name: "X", iban: "FR76 1001 1000 2012 3456 7890 188", text: "RSA NUM 1234567" })).toMatchObject({ payer: "MSA" });
  });
});

describe("statement rules", () => {
  it("consistency: the difference and the gap with the previous closing", () => {
    const s = { openingBalance: 100n, closingBalance: 250n, entries: [{ amount: 100n }, { amount: 40n }] };
    expect(checkConsistency(s, null)).toEqual({ difference: 10n, openingGap: 0n, consistent: false });
    expect(checkConsistency({ ...s, closingBalance: 240n }, 90n)).toEqual({ difference: 0n, openingGap: 10n, consistent: false });
    expect(checkConsistency({ ...s, closingBalance: 240n }, 100n).consistent).toBe(true);
  });

  it("identical lines of a day without reference are told apart by their ordinal; a reference is enough", () => {
    const e = { bookingDate: "2026-01-05", amount: 100n, bankReference: null, label: "VIR", counterparty: "CAF" };
    const [a, b, c] = lineIdentities([e, e, { ...e, bankReference: "R1" }]);
    expect(a).not.toBe(b);
    expect(c).toContain("R1");
    expect(lineIdentities([e])[0]).toBe(a);
  });

  it("bank fees are debits with a charges code or label", () => {
    expect(isBankFee({ amount: -100n, transactionCode: "ACMT/MDOP/CHRG", label: "" })).toBe(true);
    expect(isBankFee({ amount: -100n, transactionCode: null, label: "FRAIS TENUE DE COMPTE" })).toBe(true);
    expect(isBankFee({ amount: 100n, transactionCode: "ACMT/MDOP/CHRG", label: "FRAIS" })).toBe(false);
    expect(isBankFee({ amount: -100n, transactionCode: "PMNT/ICDT/ESCT", label: "LOYER" })).toBe(false);
  });
});
