import { describe, expect, it } from "vitest";
import { parseEurosToCents, parseForm, readInput, typed } from "../../src/http/ui/form-input";
import { SetLeaseInput } from "../../src/services/leases/set-lease";

const FIELDS = {
  "landlord.name": typed.text,
  "landlord.iban": typed.iban,
  rent: typed.euros,
  charges: typed.euros,
  dueDay: typed.int(1, 28),
  startDate: typed.date,
  effectiveFrom: typed.month,
};

describe("forms read through the services' schemas", () => {
  it("reads French amounts exactly, in cents", () => {
    expect(parseEurosToCents("1 234,56")).toBe(123456n);
    expect(parseEurosToCents("607.7")).toBe(60770n);
    expect(parseEurosToCents("450 €")).toBe(45000n);
    expect(parseEurosToCents("12,345")).toBeNull();
    expect(parseEurosToCents("-5")).toBeNull();
  });

  it("turns typed values into the service's input shape, nested by dotted names", () => {
    expect(
      readInput(
        { "landlord.name": "OPH", "landlord.iban": "FR14 2004", rent: "1\u00a0234,56", charges: "", dueDay: "5", startDate: "05/02/2026", effectiveFrom: "" },
        FIELDS,
      ),
    ).toEqual({
      landlord: { name: "OPH", iban: "FR14 2004" },
      rent: 123456,
      dueDay: 5,
      startDate: "2026-02-05",
    });
  });

  it("gives the service's parsed output when every field is good", () => {
    const parsed = parseForm(
      SetLeaseInput,
      { "landlord.name": "OPH", "landlord.iban": "FR14 2004 1010 0505 0001 3M02 606", rent: "450", dueDay: "5", startDate: "01/01/2026" },
      FIELDS,
    );
    expect(parsed).toEqual({
      ok: true,
      data: {
        landlord: { name: "OPH", iban: "FR1420041010050500013M02606" },
        rent: 45000n,
        charges: 0n,
        housingBenefitToLandlord: 0n,
        personShare: 0n,
        dueDay: 5,
        startDate: "2026-01-01",
      },
    });
  });

  it("names every bad field at once, in French, in the order of the form, with the page's rules", () => {
    const parsed = parseForm(
      SetLeaseInput,
      { "landlord.name": "", "landlord.iban": "FR00", rent: "abc", charges: "2 000 000,00", dueDay: "0", startDate: "2026-02-30", effectiveFrom: "2026-13" },
      FIELDS,
      [
        () => [
          { field: "rent", code: "too_large" },
          { field: "startDate", code: "end_before_start" },
        ],
      ],
    );
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.errors).toEqual({
      "landlord.name": "à renseigner",
      "landlord.iban": "IBAN invalide (clé de contrôle ou clé RIB)",
      rent: "montant en euros, deux décimales au plus (ex. 607,75)",
      charges: "montant hors limite (1 000 000 € au plus)",
      dueDay: "nombre entier de 1 à 28",
      startDate: "date invalide (jj/mm/aaaa)",
      effectiveFrom: "mois invalide (aaaa-mm)",
    });
  });
});
