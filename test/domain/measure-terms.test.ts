import { describe, expect, it } from "vitest";
import { DomainError } from "../../src/domain/errors";
import { assertTerms, distinctCodes, type MeasureTerms, newMeasureRow, termProblems, upperCodes } from "../../src/domain/measure-terms";
import { catalogue } from "./support/facts";

const terms = (over: Partial<MeasureTerms> = {}): MeasureTerms => ({
  level: "MASP2",
  startDate: "2026-01-01",
  endDate: "2026-12-31",
  managedPrestations: ["RSA"],
  extension: false,
  ...over,
});
const adult = { birthDate: "1980-05-01", mjagbf: false };
const codes = (issues: { field: string; code?: string }[]) => issues.map((i) => `${i.field}:${i.code}`);

describe("the rules of a contract period", () => {
  it("a valid MASP 2 breaks none", () => {
    expect(termProblems(terms(), adult, catalogue)).toEqual([]);
    expect(() => assertTerms(terms(), adult, catalogue)).not.toThrow();
  });

  it("6 to 24 months (L.271-2), end not before start, adult on the first day (L.271-1)", () => {
    expect(codes(termProblems(terms({ endDate: "2026-06-29" }), adult, catalogue))).toEqual(["endDate:too_short"]);
    expect(codes(termProblems(terms({ endDate: "2028-01-01" }), adult, catalogue))).toEqual(["endDate:too_long"]);
    expect(codes(termProblems(terms({ endDate: "2025-12-31" }), adult, catalogue))).toEqual(["endDate:end_before_start"]);
    expect(codes(termProblems(terms(), { birthDate: "2008-01-02", mjagbf: false }, catalogue))).toEqual(["startDate:under_18"]);
    expect(termProblems(terms(), { birthDate: "2008-01-01", mjagbf: false }, catalogue)).toEqual([]);
  });

  it("D.271-2 and R.271-3: each bad code on its own index; an extension needs its reason and no MJAGBF", () => {
    const issues = termProblems(terms({ managedPrestations: ["RSA", "SALAIRE", "AF"] }), adult, catalogue);
    expect(codes(issues)).toEqual(["managedPrestations.1:unknown_prestation", "managedPrestations.2:needs_extension"]);
    expect(codes(termProblems(terms({ managedPrestations: ["AF"], extension: true }), { ...adult, mjagbf: true }, catalogue))).toEqual([
      "extensionReason:required",
      "extension:mjagbf",
    ]);
  });

  it("a MASP 1 manages nothing, a MASP 2 something; every broken rule is reported at once", () => {
    expect(codes(termProblems(terms({ level: "MASP1" }), adult, catalogue))).toEqual(["managedPrestations:masp1_manages_nothing"]);
    const all = termProblems(terms({ managedPrestations: [], endDate: "2026-02-01" }), { birthDate: "2010-01-01", mjagbf: false }, catalogue);
    expect(codes(all)).toEqual(["endDate:too_short", "startDate:under_18", "managedPrestations:masp2_needs_prestations"]);
    try {
      assertTerms(terms({ managedPrestations: [] }), adult, catalogue);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe("validation_failed");
    }
  });

  it("codes: upper-cased in the order given, stored once each, under the catalogue's version", () => {
    expect(upperCodes([" rsa", "Aah", "RSA"])).toEqual(["RSA", "AAH", "RSA"]);
    expect(distinctCodes(["RSA", "AAH", "RSA"])).toEqual(["RSA", "AAH"]);
    expect(newMeasureRow("id", "b", terms({ managedPrestations: ["RSA", "RSA"] }), catalogue)).toMatchObject({
      status: "active",
      managedPrestations: ["RSA"],
      catalogueVersion: "test",
      extensionReason: null,
    });
  });
});
