import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Earmark } from "../../src/domain/catalogue";
import type { EnvelopeRef } from "../../src/domain/envelopes";
import { mayRecoverFrom, planRecovery, type RecoveryCharge, recoverable } from "../../src/domain/overpayment-recovery";

const held = (envelope: EnvelopeRef, balance: bigint) => ({ envelope, balance });
const charges = new Map<string, RecoveryCharge>([
  ["c1", { priority: 10, category: "energy" }],
  ["c2", { priority: 20, category: "insurance" }],
  ["aide", { priority: 5, category: "care" }],
]);

describe("recovering an indu (rule 9: by the kind of the overpaid prestation)", () => {
  const envelopes = [
    held({ envelope: "rent" }, 30_000n),
    held({ envelope: "charge", chargeId: "c1" }, 5_000n),
    held({ envelope: "care" }, 4_000n),
    held({ envelope: "available" }, 2_000n),
    held({ envelope: "charge", chargeId: "c2" }, 3_000n),
    held({ envelope: "charge", chargeId: "aide" }, 1_000n),
  ];
  const taken = (amount: bigint, earmark: Earmark) =>
    planRecovery(envelopes, amount, earmark, charges)?.map((p) => [
      p.from.envelope.envelope === "charge" ? p.from.envelope.chargeId : p.from.envelope.envelope,
      p.amount,
    ]);

  it("an indu of a prestation that is not earmarked (RSA): available, then the charges from the lowest priority up; never rent, care nor a care charge", () => {
    expect(taken(1_000n, null)).toEqual([["available", 1_000n]]);
    expect(taken(6_000n, null)).toEqual([
      ["available", 2_000n],
      ["c2", 3_000n],
      ["c1", 1_000n],
    ]);
    // The boundary: all the unearmarked envelopes hold 10 000; one cent more is refused.
    expect(taken(10_000n, null)).toEqual([
      ["available", 2_000n],
      ["c2", 3_000n],
      ["c1", 5_000n],
    ]);
    expect(taken(10_001n, null)).toBeUndefined();
    expect(recoverable(envelopes, null, charges)).toBe(10_000n);
  });

  it("an indu of housing aid may come from the rent envelope, last; never from care", () => {
    expect(taken(10_000n, "housing")).toEqual([
      ["available", 2_000n],
      ["c2", 3_000n],
      ["c1", 5_000n],
    ]);
    expect(taken(10_001n, "housing")).toEqual([
      ["available", 2_000n],
      ["c2", 3_000n],
      ["c1", 5_000n],
      ["rent", 1n],
    ]);
    expect(taken(40_000n, "housing")?.at(-1)).toEqual(["rent", 30_000n]);
    expect(taken(40_001n, "housing")).toBeUndefined();
  });

  it("an indu of a care prestation may come from the care charges and the care envelope, last; never from rent", () => {
    expect(taken(11_000n, "care")).toEqual([
      ["available", 2_000n],
      ["c2", 3_000n],
      ["c1", 5_000n],
      ["aide", 1_000n],
    ]);
    expect(taken(15_000n, "care")?.at(-1)).toEqual(["care", 4_000n]);
    expect(taken(15_001n, "care")).toBeUndefined();
  });

  it("which envelope each kind may touch", () => {
    expect(mayRecoverFrom({ envelope: "rent" }, null, charges)).toBe(false);
    expect(mayRecoverFrom({ envelope: "rent" }, "care", charges)).toBe(false);
    expect(mayRecoverFrom({ envelope: "rent" }, "housing", charges)).toBe(true);
    expect(mayRecoverFrom({ envelope: "care" }, "housing", charges)).toBe(false);
    expect(mayRecoverFrom({ envelope: "care" }, "care", charges)).toBe(true);
    expect(mayRecoverFrom({ envelope: "charge", chargeId: "aide" }, null, charges)).toBe(false);
    expect(mayRecoverFrom({ envelope: "charge", chargeId: "c1" }, null, charges)).toBe(true);
    expect(mayRecoverFrom({ envelope: "available" }, null, charges)).toBe(true);
  });

  it("property: takes exactly the amount, never more than an envelope holds, each envelope once, never an earmarked envelope of another kind", () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 0n, max: 50_000n }), { minLength: 5, maxLength: 5 }),
        fc.bigInt({ min: 1n, max: 200_000n }),
        fc.constantFrom<Earmark>(null, "housing", "care"),
        (balances, amount, earmark) => {
          const list = [
            held({ envelope: "available" }, balances[0]!),
            held({ envelope: "rent" }, balances[1]!),
            held({ envelope: "care" }, balances[2]!),
            held({ envelope: "charge", chargeId: "c1" }, balances[3]!),
            held({ envelope: "charge", chargeId: "aide" }, balances[4]!),
          ];
          const parts = planRecovery(list, amount, earmark, charges);
          if (recoverable(list, earmark, charges) < amount) {
            expect(parts).toBeNull();
            return;
          }
          expect(parts!.reduce((s, p) => s + p.amount, 0n)).toBe(amount);
          for (const p of parts!) {
            expect(p.amount > 0n && p.amount <= p.from.balance).toBe(true);
            if (p.from.envelope.envelope === "rent") expect(earmark).toBe("housing");
            if (p.from.envelope.envelope === "care") expect(earmark).toBe("care");
            if (p.from.envelope.envelope === "charge" && p.from.envelope.chargeId === "aide") expect(earmark).toBe("care");
          }
          expect(new Set(parts!.map((p) => p.from)).size).toBe(parts!.length);
        },
      ),
    );
  });
});
