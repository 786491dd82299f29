import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatEuros } from "../../src/domain/money";

describe("formatEuros", () => {
  it("writes amounts the French way", () => {
    expect(formatEuros(123456n)).toBe("1\u00a0234,56\u00a0€");
    expect(formatEuros(5n)).toBe("0,05\u00a0€");
    expect(formatEuros(0n)).toBe("0,00\u00a0€");
    expect(formatEuros(-100000000n)).toBe("-1\u00a0000\u00a0000,00\u00a0€");
  });

  it("never loses a cent, however large", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), (cents) => {
        const digits = formatEuros(cents).replace(/[^\d-]/g, "");
        expect(BigInt(digits)).toBe(cents);
      }),
    );
  });
});
