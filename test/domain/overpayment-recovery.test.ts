import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { EnvelopeRef } from "../../src/domain/envelopes";
import { planRecovery } from "../../src/domain/overpayment-recovery";

const held = (envelope: EnvelopeRef, balance: bigint) => ({ envelope, balance });
const priorities = new Map([
  ["c1", 10],
  ["c2", 20],
]);

describe("recovering an indu", () => {
  const envelopes = [
    held({ envelope: "rent" }, 30_000n),
    held({ envelope: "charge", chargeId: "c1" }, 5_000n),
    held({ envelope: "care" }, 4_000n),
    held({ envelope: "available" }, 2_000n),
    held({ envelope: "charge", chargeId: "c2" }, 3_000n),
  ];
  const taken = (amount: bigint) =>
    planRecovery(envelopes, amount, priorities)?.map((p) => [
      p.from.envelope.envelope === "charge" ? p.from.envelope.chargeId : p.from.envelope.envelope,
      p.amount,
    ]);

  it("available first, then the charges from the lowest priority (the highest number) up, then care, the rent last", () => {
    expect(taken(1_000n)).toEqual([["available", 1_000n]]);
    expect(taken(6_000n)).toEqual([
      ["available", 2_000n],
      ["c2", 3_000n],
      ["c1", 1_000n],
    ]);
    expect(taken(44_000n)).toEqual([
      ["available", 2_000n],
      ["c2", 3_000n],
      ["c1", 5_000n],
      ["care", 4_000n],
      ["rent", 30_000n],
    ]);
  });

  it("nothing when the envelopes together hold less", () => {
    expect(planRecovery(envelopes, 44_001n, priorities)).toBeNull();
  });

  it("property: takes exactly the amount, never more than an envelope holds, each envelope once", () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 1n, max: 50_000n }), { minLength: 4, maxLength: 4 }), fc.bigInt({ min: 1n, max: 200_000n }), (balances, amount) => {
        const list = [
          held({ envelope: "available" }, balances[0]!),
          held({ envelope: "rent" }, balances[1]!),
          held({ envelope: "care" }, balances[2]!),
          held({ envelope: "charge", chargeId: "c1" }, balances[3]!),
        ];
        const parts = planRecovery(list, amount, priorities);
        const total = balances.reduce((s, b) => s + b, 0n);
        if (total < amount) {
          expect(parts).toBeNull();
          return;
        }
        expect(parts!.reduce((s, p) => s + p.amount, 0n)).toBe(amount);
        for (const p of parts!) expect(p.amount > 0n && p.amount <= p.from.balance).toBe(true);
        expect(new Set(parts!.map((p) => p.from)).size).toBe(parts!.length);
      }),
    );
  });
});
