import { describe, expect, it } from "vitest";
import { maskIban } from "../../src/domain/iban";

describe("maskIban: the one mask of IBANs in lists", () => {
  it("keeps the country, the check digits and the last four characters, grouped by four", () => {
    expect(maskIban("FR7630006000011234567890189")).toBe("FR76 **** **** **** **** ***0 189");
    expect(maskIban("DE89370400440532013000")).toBe("DE89 **** **** **** **30 00");
    expect(maskIban("FR76 3000 6000 0112 3456 7890 189")).toBe("FR76 **** **** **** **** ***0 189");
  });
  it("never shows more than eight characters, whatever the length", () => {
    expect(maskIban("NO9386011117947")).toBe("NO93 **** ***7 947");
    expect(maskIban("SHORT")).toBe("*****");
  });
});
