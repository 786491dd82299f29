import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { endBeforeStartIssues, endsBeforeStart, spanCovers } from "../../src/domain/date-range";
import { activeMasp2, chainStart, extensionOn, isMasp2InForce, leaseOn, managedOn, payableMasp2, periodsOf } from "../../src/domain/in-force";
import { facts, lease, masp2 } from "./support/facts";

describe("a MASP 2 in force on a date", () => {
  it("covers its first and last day, not the day before or after", () => {
    const m = masp2();
    expect(isMasp2InForce(m, "2025-12-31")).toBe(false);
    expect(isMasp2InForce(m, "2026-01-01")).toBe(true);
    expect(isMasp2InForce(m, "2026-12-31")).toBe(true);
    expect(isMasp2InForce(m, "2027-01-01")).toBe(false);
  });

  it("an ended measure covers its end day, not the day after", () => {
    const m = masp2({ endedOn: "2026-06-15", status: "ended" });
    expect(isMasp2InForce(m, "2026-06-15")).toBe(true);
    expect(isMasp2InForce(m, "2026-06-16")).toBe(false);
  });

  it("a MASP 1 manages no money: never in force as a MASP 2", () => {
    expect(isMasp2InForce(masp2({ level: "MASP1", managedPrestations: [] }), "2026-03-01")).toBe(false);
  });

  it("a renewed period still covers its own dates; the renewal covers the next ones", () => {
    const first = masp2({ id: "a", status: "renewed", endDate: "2026-06-30" });
    const second = masp2({ id: "b", startDate: "2026-07-01", endDate: "2026-12-31", previousMeasureId: "a" });
    expect(activeMasp2([first, second], "2026-06-30")?.id).toBe("a");
    expect(activeMasp2([first, second], "2026-07-01")?.id).toBe("b");
    expect(activeMasp2([first, second], "2027-01-01")).toBeUndefined();
  });

  it("a measure whose accounts are closed is in force on its dates, but no job pays for it any more", () => {
    const ended = masp2({ status: "ended", endedOn: "2026-02-28" });
    expect(payableMasp2([ended], "2026-02-05")?.id).toBe("m1");
    const closed = { ...ended, closed: true };
    expect(activeMasp2([closed], "2026-02-05")?.id).toBe("m1");
    expect(payableMasp2([closed], "2026-02-05")).toBeUndefined();
    expect(payableMasp2([closed], "2026-03-05")).toBeUndefined();
  });

  it("the chain of renewals starts at the first period's start, whichever period is asked", () => {
    const a = masp2({ id: "a", startDate: "2025-01-01", endDate: "2025-06-30", status: "renewed" });
    const b = masp2({ id: "b", startDate: "2025-07-01", endDate: "2025-12-31", previousMeasureId: "a", status: "renewed" });
    const c = masp2({ id: "c", startDate: "2026-01-01", previousMeasureId: "b" });
    expect(chainStart([a, b, c], c)).toBe("2025-01-01");
    expect(chainStart([a, b, c], b)).toBe("2025-01-01");
    expect(chainStart([a, b, c], a)).toBe("2025-01-01");
    // A previous period not in the facts: the chain starts where what is known starts.
    expect(chainStart([c], c)).toBe("2026-01-01");
  });
});

describe("the managed prestations on a date", () => {
  const m = masp2({ managedPrestations: ["RSA"] });
  const amendments = [
    { measureId: "m1", effectiveDate: "2026-03-01", managedPrestations: ["RSA", "AAH"] },
    { measureId: "m1", effectiveDate: "2026-05-01", managedPrestations: null },
    { measureId: "other", effectiveDate: "2026-04-01", managedPrestations: ["APL"] },
  ];
  it("the contract's until an amendment takes effect, then the amendment's, from its very day", () => {
    expect(managedOn(amendments, m, "2026-02-28")).toEqual(["RSA"]);
    expect(managedOn(amendments, m, "2026-03-01")).toEqual(["RSA", "AAH"]);
  });
  it("an amendment that left the prestations alone, or one of another measure, changes nothing", () => {
    expect(managedOn(amendments, m, "2026-06-01")).toEqual(["RSA", "AAH"]);
  });
});

describe("the lease in force", () => {
  const old = lease({ id: "old", startDate: "2025-01-01", endDate: "2026-03-31" });
  const next = lease({ id: "new", startDate: "2026-04-01" });
  it("the lease covering the date; after a move, the new one from its first day", () => {
    expect(leaseOn([old, next], "2026-03-31")?.id).toBe("old");
    expect(leaseOn([old, next], "2026-04-01")?.id).toBe("new");
  });
  it("before any lease began, the next one to begin (its rent is the next to pay)", () => {
    expect(leaseOn([next], "2026-03-15")?.id).toBe("new");
    expect(leaseOn([old], "2026-05-01")).toBeUndefined();
  });
});

describe("the rent periods the ledger answers for", () => {
  it("start with the chain of renewals, not with the lease: older arrears are not ours", () => {
    const f = facts();
    const periods = periodsOf(f, f.leases[0]!, f.measures[0]!, "2026-03", "2026-03-10");
    expect(periods.map((p) => p.period)).toEqual(["2026-01", "2026-02", "2026-03"]);
    expect(periods.every((p) => p.due === 35_000n)).toBe(true);
  });

  it("count what was paid toward each, and the terms in force each month", () => {
    const f = facts({
      terms: [
        { leaseId: "l1", effectiveMonth: "2025-06-01", rent: 50_000n, charges: 5_000n, housingBenefitToLandlord: 20_000n },
        { leaseId: "l1", effectiveMonth: "2026-03-01", rent: 52_000n, charges: 5_000n, housingBenefitToLandlord: 20_000n },
        { leaseId: "other", effectiveMonth: "2026-02-01", rent: 1n, charges: 0n, housingBenefitToLandlord: 0n },
      ],
      rentPaid: [
        { period: "2026-01", paid: 35_000n },
        { period: "2026-02", paid: 10_000n },
      ],
    });
    const periods = periodsOf(f, f.leases[0]!, f.measures[0]!, "2026-03", "2026-03-10");
    expect(periods.map((p) => [p.period, p.due, p.paid, p.status])).toEqual([
      ["2026-01", 35_000n, 35_000n, "paid"],
      ["2026-02", 35_000n, 10_000n, "partial"],
      ["2026-03", 37_000n, 0n, "unpaid"],
    ]);
  });
});

describe("date spans and end before start", () => {
  const date = fc
    .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2100-12-31T00:00:00Z"), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10));
  it("property: an open-ended span covers every date from its start", () => {
    fc.assert(
      fc.property(date, date, (start, d) => {
        expect(spanCovers({ startDate: start, endDate: null }, d)).toBe(d >= start);
      }),
    );
  });
  it("property: an end date the same day as the start is fine; only an earlier one is refused, on its field", () => {
    fc.assert(
      fc.property(date, date, (start, end) => {
        expect(endsBeforeStart(start, end)).toBe(end < start);
        expect(endBeforeStartIssues(start, end)).toEqual(
          end < start ? [{ field: "endDate", message: "the end date is before the start date", code: "end_before_start" }] : [],
        );
      }),
    );
    expect(endsBeforeStart("2026-01-01", null)).toBe(false);
    expect(endsBeforeStart("2026-01-01", undefined)).toBe(false);
  });
});

describe("the extension in force on a date (R.271-3)", () => {
  const m = { id: "m1", extension: false, extensionReason: null };
  const amendments = [
    { measureId: "m1", effectiveDate: "2026-04-01", extension: true, extensionReason: "enfants à charge" },
    { measureId: "m1", effectiveDate: "2026-06-01", extension: null, extensionReason: null },
    { measureId: "other", effectiveDate: "2026-02-01", extension: true, extensionReason: "x" },
  ];
  it("the contract's until an amendment sets it, from its effective day; an amendment that leaves it alone changes nothing", () => {
    expect(extensionOn(amendments, m, "2026-03-31")).toEqual({ extension: false, extensionReason: null });
    expect(extensionOn(amendments, m, "2026-04-01")).toEqual({ extension: true, extensionReason: "enfants à charge" });
    expect(extensionOn(amendments, m, "2026-07-01")).toEqual({ extension: true, extensionReason: "enfants à charge" });
  });
});

describe("rule 1: the periods the measure answers for", () => {
  it("a MASP from 20 January, rent due on the 5th: January is not its period; a first period given with the lease wins", () => {
    const f = facts({ measures: [masp2({ startDate: "2026-01-20" })] });
    expect(periodsOf(f, f.leases[0]!, f.measures[0]!, "2026-03", "2026-03-10").map((p) => p.period)).toEqual(["2026-02", "2026-03"]);
    const given = { ...f.leases[0]!, firstPeriod: "2026-03" };
    expect(periodsOf(f, given, f.measures[0]!, "2026-03", "2026-03-10").map((p) => p.period)).toEqual(["2026-03"]);
  });
});
