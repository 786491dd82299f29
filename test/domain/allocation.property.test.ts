import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AllocationInput, allocate, type ChargeNeed, planTotal } from "../../src/domain/allocation";

const cents = (max: number) => fc.bigInt({ min: 0n, max: BigInt(max) });
const charge = fc.record({
  chargeId: fc.uuid(),
  category: fc.constantFrom("energy", "water", "insurance", "debt_plan", "telecom", "care", "other"),
  priority: fc.integer({ min: 1, max: 10 }),
  need: cents(50_000),
}) as fc.Arbitrary<ChargeNeed>;
const input = fc.record({
  amount: fc.bigInt({ min: 1n, max: 100_000_000n }),
  earmarked: fc.constantFrom(null, "housing", "care"),
  rentNeed: cents(200_000),
  // Rule 6: the reste à vivre still to set aside this month (0 for most measures).
  livingNeed: fc.oneof(fc.constant(0n), cents(100_000)),
  charges: fc.uniqueArray(charge, { selector: (c) => c.chargeId, maxLength: 6 }),
}) as fc.Arbitrary<AllocationInput>;

const allocatedTo = (plan: ReturnType<typeof allocate>, chargeId: string) =>
  plan.filter((a) => a.envelope === "charge" && a.chargeId === chargeId).reduce((s, a) => s + a.amount, 0n);

describe("allocation policy (L.271-2 al. 2 rent first, R.271-4 earmarking)", () => {
  it("always splits the whole credit into positive parts", () => {
    fc.assert(
      fc.property(input, (i) => {
        const plan = allocate(i);
        expect(planTotal(plan)).toBe(i.amount);
        for (const a of plan) expect(a.amount > 0n).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("serves the rent first: in full when the credit suffices, else with everything", () => {
    fc.assert(
      fc.property(
        input.filter((i) => i.earmarked === null),
        (i) => {
          const rent = allocate(i)
            .filter((a) => a.envelope === "rent")
            .reduce((s, a) => s + a.amount, 0n);
          expect(rent).toBe(i.amount < i.rentNeed ? i.amount : i.rentNeed);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("serves charges by priority, never beyond their need, and leaves only a true rest available", () => {
    fc.assert(
      fc.property(
        input.filter((i) => i.earmarked === null),
        (i) => {
          const plan = allocate(i);
          const sorted = [...i.charges].sort((a, b) => a.priority - b.priority || a.chargeId.localeCompare(b.chargeId));
          let unfilledBefore = false;
          for (const c of sorted) {
            const got = allocatedTo(plan, c.chargeId);
            expect(got <= c.need).toBe(true);
            // A charge gets money only when every charge before it is full.
            if (unfilledBefore) expect(got).toBe(0n);
            if (got < c.need) unfilledBefore = true;
          }
          const available = plan.filter((a) => a.envelope === "available").reduce((s, a) => s + a.amount, 0n);
          const allNeeds = i.rentNeed + (i.livingNeed ?? 0n) + i.charges.reduce((s, c) => s + c.need, 0n);
          expect(available).toBe(i.amount > allNeeds ? i.amount - allNeeds : 0n);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("puts housing aid wholly in the rent envelope", () => {
    fc.assert(
      fc.property(
        input.filter((i) => i.earmarked === "housing"),
        (i) => {
          expect(allocate(i)).toEqual([{ envelope: "rent", amount: i.amount }]);
        },
      ),
    );
  });

  it("puts care prestations wholly on care charges, or holds them in the care envelope", () => {
    fc.assert(
      fc.property(
        input.filter((i) => i.earmarked === "care"),
        (i) => {
          const plan = allocate(i);
          const careIds = new Set(i.charges.filter((c) => c.category === "care").map((c) => c.chargeId));
          for (const a of plan) {
            expect(a.envelope === "care" || (a.envelope === "charge" && careIds.has(a.chargeId))).toBe(true);
          }
        },
      ),
    );
  });

  it("examples: the contract's credit", () => {
    expect(
      allocate({ amount: 60_775n, earmarked: null, rentNeed: 50_000n, charges: [{ chargeId: "edf", category: "energy", priority: 1, need: 6_000n }] }),
    ).toEqual([
      { envelope: "rent", amount: 50_000n },
      { envelope: "charge", chargeId: "edf", amount: 6_000n },
      { envelope: "available", amount: 4_775n },
    ]);
    expect(allocate({ amount: 30_000n, earmarked: null, rentNeed: 50_000n, charges: [] })).toEqual([{ envelope: "rent", amount: 30_000n }]);
    expect(() => allocate({ amount: 0n, earmarked: null, rentNeed: 0n, charges: [] })).toThrow();
  });

  it("rule 6: the reste à vivre comes after the rent and before every charge, never beyond its need", () => {
    fc.assert(
      fc.property(
        input.filter((i) => i.earmarked === null),
        (i) => {
          const plan = allocate(i);
          const sum = (e: string) => plan.filter((a) => a.envelope === e).reduce((s, a) => s + a.amount, 0n);
          const living = sum("living");
          const need = i.livingNeed ?? 0n;
          expect(living <= need).toBe(true);
          // Nothing to the living envelope before the rent is full; no charge before it is full.
          if (living > 0n) expect(sum("rent")).toBe(i.rentNeed);
          if (sum("charge") > 0n) expect(living).toBe(need);
          const afterRent = i.amount > i.rentNeed ? i.amount - i.rentNeed : 0n;
          expect(living).toBe(afterRent < need ? afterRent : need);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("rule 6: earmarked money never goes to the reste à vivre", () => {
    fc.assert(
      fc.property(
        input.filter((i) => i.earmarked !== null),
        (i) => {
          expect(allocate(i).some((a) => a.envelope === "living")).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });
});
