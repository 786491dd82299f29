import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { monthlyDue, termsForMonth } from "../../src/domain/lease-terms";
import { dueOn } from "../../src/domain/rent-periods";

const terms = [
  { effectiveMonth: "2026-04-01", rent: 52_000n, charges: 5_000n, housingBenefitToLandlord: 20_000n },
  { effectiveMonth: "2026-01-01", rent: 50_000n, charges: 5_000n, housingBenefitToLandlord: 20_000n },
];

describe("the lease terms of a month", () => {
  it("the latest that began on or before the month, whatever the order given", () => {
    expect(termsForMonth(terms, "2025-12")).toBeUndefined();
    expect(termsForMonth(terms, "2026-01")?.rent).toBe(50_000n);
    expect(termsForMonth(terms, "2026-03")?.rent).toBe(50_000n);
    expect(termsForMonth(terms, "2026-04")?.rent).toBe(52_000n);
    expect(termsForMonth(terms, "2030-01")?.rent).toBe(52_000n);
  });

  it("the monthly due: rent + charges − housing benefit paid to the landlord", () => {
    expect(monthlyDue(terms[0]!)).toBe(37_000n);
    expect(monthlyDue({ rent: 45_000n, charges: 0n, housingBenefitToLandlord: 45_000n })).toBe(0n);
  });

  it("property: a rent period's due is the monthly due of the terms of its month", () => {
    const amounts = fc.record({
      rent: fc.bigInt({ min: 0n, max: 200_000n }),
      charges: fc.bigInt({ min: 0n, max: 50_000n }),
      housingBenefitToLandlord: fc.bigInt({ min: 0n, max: 50_000n }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 5 }),
        fc.array(amounts, { minLength: 5, maxLength: 5 }),
        fc.integer({ min: 1, max: 12 }),
        (months, values, asked) => {
          const t = months.map((m, i) => ({ effectiveMonth: `2026-${String(m).padStart(2, "0")}-01`, ...values[i]! }));
          const month = `2026-${String(asked).padStart(2, "0")}`;
          const inForce = termsForMonth(t, month);
          const lease = { dueDay: 5, startDate: "2026-01-01", endDate: null, terms: t.map((x) => ({ effectiveMonth: x.effectiveMonth, due: monthlyDue(x) })) };
          expect(dueOn(lease, month)).toBe(inForce ? monthlyDue(inForce) : 0n);
          if (inForce) expect(inForce.effectiveMonth.slice(0, 7) <= month).toBe(true);
        },
      ),
    );
  });
});
