import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AlertFacts } from "../../src/domain/beneficiary-facts";
import { addMonthsToMonth } from "../../src/domain/calendar";
import { decideAlerts, lastConsecutivePair } from "../../src/domain/unpaid-rent-alerts";
import { facts, masp2 } from "./support/facts";

const paid = (...periods: string[]) => periods.map((period) => ({ period, paid: 35_000n }));
const alert = (over: Partial<AlertFacts>): AlertFacts => ({ id: "a1", type: "unpaid_rent", episode: "2026-01", status: "open", periods: ["2026-01"], ...over });
const summary = (ops: ReturnType<typeof decideAlerts>) => ops.map((o) => [o.kind, o.type, o.periods ?? null]);

describe("two consecutive months (L.271-5)", () => {
  const p = (period: string) => ({ period });
  it("the last pair of adjacent months, across a year's end too", () => {
    expect(lastConsecutivePair([p("2026-01"), p("2026-02"), p("2026-04"), p("2026-05")])).toEqual([p("2026-04"), p("2026-05")]);
    expect(lastConsecutivePair([p("2025-12"), p("2026-01")])).toEqual([p("2025-12"), p("2026-01")]);
  });
  it("none with one month, or with months apart", () => {
    expect(lastConsecutivePair([])).toBeUndefined();
    expect(lastConsecutivePair([p("2026-01")])).toBeUndefined();
    expect(lastConsecutivePair([p("2026-01"), p("2026-03"), p("2026-05")])).toBeUndefined();
  });
  it("property: a pair exists exactly when two listed months are adjacent", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 36 }), { maxLength: 12 }), (offsets) => {
        const months = [...offsets].sort((a, b) => a - b).map((k) => p(addMonthsToMonth("2025-01", k)));
        const pair = lastConsecutivePair(months);
        const sorted = [...offsets].sort((a, b) => a - b);
        expect(pair !== undefined).toBe(sorted.some((k, i) => i > 0 && k - sorted[i - 1]! === 1));
        if (pair) expect(addMonthsToMonth(pair[0].period, 1)).toBe(pair[1].period);
      }),
    );
  });
});

describe("decideAlerts", () => {
  it("one month unpaid the day it falls due: an unpaid_rent alert, no MASP 3 trigger", () => {
    const f = facts({ rentPaid: paid("2026-01") });
    expect(summary(decideAlerts(f, "2026-02-04"))).toEqual([]);
    expect(summary(decideAlerts(f, "2026-02-05"))).toEqual([["insert", "unpaid_rent", ["2026-02"]]]);
  });

  it("the second consecutive month unpaid, on its due date: the MASP 3 trigger, with the two months and the evidence", () => {
    const f = facts({ rentPaid: [], creditsByMonth: new Map([["2026-01", 12_000n]]), balances: { rent: 1_000n } });
    expect(summary(decideAlerts(f, "2026-02-04"))).toEqual([["insert", "unpaid_rent", ["2026-01"]]]);
    const ops = decideAlerts(f, "2026-02-05");
    expect(summary(ops)).toEqual([
      ["insert", "unpaid_rent", ["2026-01", "2026-02"]],
      ["insert", "masp3_trigger", ["2026-01", "2026-02"]],
    ]);
    expect(ops[1]).toMatchObject({
      episode: "2026-01",
      measureId: "m1",
      evidence: {
        asOf: "2026-02-05",
        rentEnvelope: 1_000,
        periods: [
          { period: "2026-01", dueDate: "2026-01-05", due: 35_000, paid: 0, creditsReceived: 12_000 },
          { period: "2026-02", dueDate: "2026-02-05", due: 35_000, paid: 0, creditsReceived: 0 },
        ],
      },
    });
  });

  it("a partly paid month counts as unpaid; two unpaid months apart do not trigger a MASP 3", () => {
    const partial = facts({ rentPaid: [{ period: "2026-01", paid: 34_999n }] });
    expect(summary(decideAlerts(partial, "2026-02-05")).map((s) => s[1])).toEqual(["unpaid_rent", "masp3_trigger"]);
    const apart = facts({ rentPaid: paid("2026-02") });
    expect(summary(decideAlerts(apart, "2026-03-05"))).toEqual([["insert", "unpaid_rent", ["2026-01", "2026-03"]]]);
  });

  it("months before the MASP began are not counted", () => {
    const f = facts({ measures: [masp2({ startDate: "2026-02-01" })], rentPaid: paid("2026-02") });
    expect(summary(decideAlerts(f, "2026-03-05"))).toEqual([["insert", "unpaid_rent", ["2026-03"]]]);
  });

  it("an open unpaid_rent alert follows the arrears; an open MASP 3 trigger keeps its months", () => {
    const f = facts({
      rentPaid: paid("2026-01"),
      alerts: [
        alert({ periods: ["2026-02"], episode: "2026-02" }),
        alert({ id: "a2", type: "masp3_trigger", periods: ["2026-02", "2026-03"], episode: "2026-02" }),
      ],
    });
    expect(summary(decideAlerts(f, "2026-04-05"))).toEqual([["update", "unpaid_rent", ["2026-02", "2026-03", "2026-04"]]]);
    expect(decideAlerts(f, "2026-04-05")[0]!.id).toBe("a1");
    // Nothing new since the last run: nothing to write.
    expect(decideAlerts(facts({ rentPaid: paid("2026-01"), alerts: [alert({ periods: ["2026-02"] })] }), "2026-02-28")).toEqual([]);
  });

  it("both close themselves once nothing is owed", () => {
    const f = facts({ rentPaid: paid("2026-01", "2026-02"), alerts: [alert({}), alert({ id: "a2", type: "masp3_trigger", status: "acknowledged" })] });
    expect(decideAlerts(f, "2026-02-10").map((o) => [o.kind, o.id])).toEqual([
      ["close", "a1"],
      ["close", "a2"],
    ]);
  });

  it("an alert the caseworker closed is not raised again while its months are still owed; a new episode is", () => {
    const closed = [alert({ status: "closed", periods: ["2026-01"] })];
    expect(decideAlerts(facts({ rentPaid: paid("2026-02"), alerts: closed }), "2026-02-10")).toEqual([]);
    expect(summary(decideAlerts(facts({ rentPaid: paid("2026-01"), alerts: closed }), "2026-02-10"))).toEqual([["insert", "unpaid_rent", ["2026-02"]]]);
  });

  it("no measure in force: nothing owed as far as the ledger is concerned, open alerts close", () => {
    expect(decideAlerts(facts({ measures: [], alerts: [alert({})] }), "2026-03-05").map((o) => o.kind)).toEqual(["close"]);
  });
});
