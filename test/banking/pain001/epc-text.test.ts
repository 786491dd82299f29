import { describe, expect, it } from "vitest";
import { epcText, isEpcIdentifier } from "../../../src/banking/pain001/epc-text";
import { endToEndIdFor, orderIdFromEndToEndId, remittanceFor } from "../../../src/banking/pain001/references";

describe("epcText: free text in the EPC character set", () => {
  it("transliterates accents and ligatures", () => {
    expect(epcText("Hélène Cœur-Joly", 70)).toBe("Helene Coeur-Joly");
    expect(epcText("Ærø Straße Noël Çà", 70)).toBe("AEro Strasse Noel Ca");
  });
  it("keeps plain apostrophes and makes typographic ones plain", () => {
    expect(epcText("D'Artagnan", 70)).toBe("D'Artagnan");
    expect(epcText("O’Brien", 70)).toBe("O'Brien");
  });
  it("drops characters outside the set and collapses spaces", () => {
    expect(epcText("SCI « Les Lilas » & Fils; 100 % @ #1 !", 70)).toBe("SCI Les Lilas Fils 100 1");
    expect(epcText("  a\t\nb  ", 70)).toBe("a b");
  });
  it("cuts to the given length without a trailing space", () => {
    expect(epcText("x".repeat(200), 70)).toHaveLength(70);
    expect(epcText("abc def", 4)).toBe("abc");
  });
  it("leaves nothing when nothing is left", () => {
    expect(epcText("«»&", 70)).toBeUndefined();
    expect(epcText("", 70)).toBeUndefined();
    expect(epcText(null, 70)).toBeUndefined();
  });
});

describe("isEpcIdentifier", () => {
  it("accepts 1 to 35 characters of the set, without a leading, trailing or double slash", () => {
    expect(isEpcIdentifier("B20261201-0001")).toBe(true);
    expect(isEpcIdentifier("x".repeat(35))).toBe(true);
    expect(isEpcIdentifier("x".repeat(36))).toBe(false);
    expect(isEpcIdentifier("")).toBe(false);
    expect(isEpcIdentifier("/abc")).toBe(false);
    expect(isEpcIdentifier("abc/")).toBe(false);
    expect(isEpcIdentifier("a//b")).toBe(false);
    expect(isEpcIdentifier("é")).toBe(false);
  });
});

describe("EndToEndId", () => {
  it("is the order's UUID without hyphens (32 characters) and finds the order again", () => {
    const id = "0190F5C2-6A4E-7C3B-9D2E-3F4A5B6C7D8E";
    const e2e = endToEndIdFor(id);
    expect(e2e).toBe("0190f5c26a4e7c3b9d2e3f4a5b6c7d8e");
    expect(e2e.length).toBeLessThanOrEqual(35);
    expect(isEpcIdentifier(e2e)).toBe(true);
    expect(orderIdFromEndToEndId(e2e)).toBe(id.toLowerCase());
    expect(orderIdFromEndToEndId("NOTPROVIDED")).toBeNull();
    expect(() => endToEndIdFor("not-a-uuid")).toThrow(RangeError);
  });
});

describe("remittanceFor: a text the landlord recognises", () => {
  it("says what, which month and for whom", () => {
    expect(remittanceFor({ kind: "rent", period: "2026-01", lastName: "Durand", firstName: "Marie" })).toBe("LOYER 01/2026 DURAND M");
    expect(remittanceFor({ kind: "rent", period: "2026-02", lastName: "Lefèvre-N’Diaye", firstName: "Élodie" })).toBe("LOYER 02/2026 LEFEVRE-N'DIAYE E");
    expect(remittanceFor({ kind: "charge", period: "2026-03", lastName: "Durand", detail: "Électricité EDF n° 42" })).toBe(
      "CHARGE 03/2026 DURAND Electricite EDF n 42",
    );
    expect(remittanceFor({ kind: "reversement", lastName: "Durand", firstName: "Marie" })).toBe("REVERSEMENT DURAND M");
  });
  it("never exceeds 140 characters", () => {
    expect(remittanceFor({ kind: "charge", period: "2026-03", lastName: "D".repeat(100), detail: "x".repeat(200) }).length).toBeLessThanOrEqual(140);
  });
});
