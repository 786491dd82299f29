import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planTotal } from "../../src/domain/allocation";
import { planCredit } from "../../src/domain/credit-plan";
import { DomainError } from "../../src/domain/errors";
import { BENEFICIARY, catalogue, charge, facts, masp2 } from "./support/facts";

const credit = (over: Partial<{ prestation: string; amount: bigint; valueDate: string }> = {}) => ({
  beneficiaryId: BENEFICIARY,
  prestation: "RSA",
  amount: 60_000n,
  valueDate: "2026-03-06",
  ...over,
});

const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, details: error.details };
    throw error;
  }
  throw new Error("the credit was accepted");
};

describe("planCredit: whether a credit can be taken", () => {
  it("no MASP 2 in force on the value date: refused, before looking at the prestation", () => {
    expect(refusal(() => planCredit(facts(), credit({ valueDate: "2027-01-01", prestation: "SALAIRE" }), catalogue)).code).toBe("no_active_measure");
    expect(refusal(() => planCredit(facts({ measures: [masp2({ level: "MASP1", managedPrestations: [] })] }), credit(), catalogue)).code).toBe(
      "no_active_measure",
    );
  });

  it("not a prestation of D.271-2 (a salary): refused on the prestation field", () => {
    expect(refusal(() => planCredit(facts(), credit({ prestation: "SALAIRE" }), catalogue))).toEqual({
      code: "prestation_not_managed",
      details: [expect.objectContaining({ field: "prestation", code: "not_a_prestation" })],
    });
  });

  it("a prestation the measure does not manage, until an amendment adds it from its effective date", () => {
    expect(refusal(() => planCredit(facts(), credit({ prestation: "AAH" }), catalogue)).details).toEqual([expect.objectContaining({ code: "not_managed" })]);
    const amended = facts({ amendments: [{ measureId: "m1", effectiveDate: "2026-03-06", managedPrestations: ["RSA", "AAH"] }] });
    expect(planCredit(amended, credit({ prestation: "AAH" }), catalogue).measure.id).toBe("m1");
    expect(refusal(() => planCredit(amended, credit({ prestation: "AAH", valueDate: "2026-03-05" }), catalogue)).code).toBe("prestation_not_managed");
  });
});

describe("planCredit: a measure whose accounts are closed", () => {
  it("takes no credit, even dated before its end: 409 measure_ended naming the end date", () => {
    const closed = facts({ measures: [masp2({ endedOn: "2026-03-31", closed: true })] });
    expect(refusal(() => planCredit(closed, credit({ valueDate: "2026-03-06" }), catalogue))).toEqual({
      code: "measure_ended",
      details: expect.objectContaining({ endDate: "2026-03-31" }),
    });
    const open = facts({ measures: [masp2({ endedOn: "2026-03-31" })] });
    expect(planCredit(open, credit({ valueDate: "2026-03-06" }), catalogue).measure.id).toBe("m1");
  });
});

describe("planCredit: where a credit goes", () => {
  it("rent first (L.271-2 al. 2): the arrears since the MASP began and the next period, less what the envelope holds", () => {
    // On 6 March, January to March are due (35 000 each), April is next: 140 000 needed; 20 000 held.
    const plan = planCredit(facts({ balances: { rent: 20_000n } }), credit({ amount: 200_000n }), catalogue).plan;
    expect(plan[0]).toEqual({ envelope: "rent", amount: 120_000n });
    expect(plan[1]).toEqual({ envelope: "available", amount: 80_000n });
  });

  it("then the charges in force, each up to its next amount due less what its envelope holds", () => {
    const f = facts({
      rentPaid: ["2026-01", "2026-02", "2026-03"].map((period) => ({ period, paid: 35_000n })),
      balances: { rent: 35_000n, "charge:c1": 1_000n },
      // From March: no arrears yet (rule 8 is tested in charge-arrears.test.ts).
      charges: [
        charge({ startDate: "2026-03-01" }),
        charge({ id: "ended", endDate: "2026-02-28" }),
        charge({ id: "c2", priority: 20, amount: 3_000n, startDate: "2026-03-01" }),
      ],
    });
    expect(planCredit(f, credit({ amount: 10_000n }), catalogue).plan).toEqual([
      { envelope: "charge", chargeId: "c1", amount: 5_000n },
      { envelope: "charge", chargeId: "c2", amount: 3_000n },
      { envelope: "available", amount: 2_000n },
    ]);
  });

  it("a yearly charge not due for months still saves toward its amount; a monthly one not due soon needs nothing", () => {
    const paidUp = { rentPaid: ["2026-01", "2026-02", "2026-03", "2026-04"].map((period) => ({ period, paid: 35_000n })) };
    const yearly = facts({ ...paidUp, charges: [charge({ frequency: "yearly", months: [11], amount: 40_000n })] });
    expect(planCredit(yearly, credit({ amount: 50_000n }), catalogue).plan[0]).toEqual({ envelope: "charge", chargeId: "c1", amount: 40_000n });
    const later = facts({ ...paidUp, charges: [charge({ startDate: "2026-06-01" })] });
    expect(planCredit(later, credit({ amount: 50_000n }), catalogue).plan).toEqual([{ envelope: "available", amount: 50_000n }]);
  });

  it("housing aid goes wholly to the rent (R.271-4), care prestations to care", () => {
    expect(planCredit(facts(), credit({ prestation: "APL", amount: 500_000n }), catalogue)).toMatchObject({
      plan: [{ envelope: "rent", amount: 500_000n }],
      earmarked: "housing",
    });
    expect(planCredit(facts(), credit({ prestation: "APA", amount: 30_000n }), catalogue)).toMatchObject({
      plan: [{ envelope: "care", amount: 30_000n }],
      earmarked: "care",
    });
  });

  it("without a lease nothing goes to the rent", () => {
    expect(planCredit(facts({ leases: [] }), credit(), catalogue).plan).toEqual([{ envelope: "available", amount: 60_000n }]);
  });

  it("property: the whole credit is placed, in positive parts, the rent never beyond its need", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10_000_000n }),
        fc.bigInt({ min: 0n, max: 200_000n }),
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom("2026-01-04", "2026-01-05", "2026-03-06", "2026-12-31"),
        (amount, held, paidMonths, valueDate) => {
          const f = facts({
            balances: { rent: held },
            rentPaid: ["2026-01", "2026-02", "2026-03"].slice(0, paidMonths).map((period) => ({ period, paid: 35_000n })),
            charges: [charge()],
          });
          const { plan } = planCredit(f, credit({ amount, valueDate }), catalogue);
          expect(planTotal(plan)).toBe(amount);
          for (const a of plan) expect(a.amount > 0n).toBe(true);
          const rent = plan.find((a) => a.envelope === "rent")?.amount ?? 0n;
          expect(rent <= 13n * 35_000n).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
