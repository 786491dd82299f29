import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hasEvidence, missingAddresses, payableToLandlord, receivedByMonth, withRunningBalance } from "../../src/domain/masp3-evidence";
import { resolvePayerCode } from "../../src/domain/payers";

describe("MASP 3 evidence rules (R.271-6, R.271-8)", () => {
  it("only unpaid_rent and masp3_trigger alerts have evidence", () => {
    expect(hasEvidence("masp3_trigger")).toBe(true);
    expect(hasEvidence("unpaid_rent")).toBe(true);
    for (const t of ["no_credit_received", "charge_arrears", "payment_rejected", "measure_ending"]) expect(hasEvidence(t)).toBe(false);
  });

  it("R.271-6: the base list always, the extension's items only under an extended contract, care never", () => {
    expect(payableToLandlord("base", false)).toBe(true);
    expect(payableToLandlord("base", true)).toBe(true);
    expect(payableToLandlord("extension", false)).toBe(false);
    expect(payableToLandlord("extension", true)).toBe(true);
    expect(payableToLandlord(null, true)).toBe(false);
  });

  it("the rent envelope's balance after each movement", () => {
    expect(
      withRunningBalance([
        { date: "2026-01-03", amount: 30000n },
        { date: "2026-01-05", amount: -30000n },
        { date: "2026-02-03", amount: 12000n },
      ]).map((m) => m.balance),
    ).toEqual([30000n, 0n, 12000n]);
  });

  it("property: the last running balance is the sum of the movements", () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: -100_000n, max: 100_000n })), (amounts) => {
        const out = withRunningBalance(amounts.map((amount) => ({ date: "2026-01-01", amount })));
        expect(out.at(-1)?.balance ?? 0n).toBe(amounts.reduce((s, a) => s + a, 0n));
      }),
    );
  });

  it("received per month of value date, net and gross; the last day of a month counts in it, the first of the next in the next", () => {
    const r = receivedByMonth([
      { valueDate: "2026-01-31", amount: 30000n, gross: 32000n },
      { valueDate: "2026-01-03", amount: 1000n, gross: 1000n },
      { valueDate: "2026-02-01", amount: 5000n, gross: 5000n },
    ]);
    expect(r.get("2026-01")).toEqual({ net: 31000n, gross: 33000n });
    expect(r.get("2026-02")).toEqual({ net: 5000n, gross: 5000n });
    expect(r.get("2026-03")).toBeUndefined();
  });

  it("what a request still lacks: each party without a full address (street, postal code, town)", () => {
    const full = { street: "1 rue A", postalCode: "53000", town: "Laval", country: "FR" };
    expect(missingAddresses({ person: full, landlords: [{ name: "OPH", address: full }], payers: [{ code: "CAF/MSA", address: full }] })).toEqual([]);
    expect(
      missingAddresses({
        person: { town: "Laval", country: "FR" },
        landlords: [{ name: "OPH", address: null }],
        payers: [
          { code: "CAF/MSA", address: full },
          { code: "Département", address: undefined },
        ],
      }),
    ).toEqual(["person", "landlord:OPH", "payer:Département"]);
  });

  it("a payer as a credit names it (CAF) finds its record in the catalogue's codes (CAF/MSA)", () => {
    const codes = ["CAF/MSA", "CARSAT/MSA/SASPA", "Département", "MSA"];
    expect(resolvePayerCode(codes, "CAF")).toBe("CAF/MSA");
    expect(resolvePayerCode(codes, "caf/msa")).toBe("CAF/MSA");
    expect(resolvePayerCode(codes, "MSA")).toBe("MSA");
    expect(resolvePayerCode(codes, "CARSAT", "CARSAT/MSA/SASPA")).toBe("CARSAT/MSA/SASPA");
    expect(resolvePayerCode(codes, "DÉPARTEMENT")).toBe("Département");
    expect(resolvePayerCode(codes, "BANQUE")).toBeUndefined();
  });
});
