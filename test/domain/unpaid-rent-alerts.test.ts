import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AlertFacts } from "../../src/domain/beneficiary-facts";
import { addMonthsToMonth } from "../../src/domain/calendar";
import { decideAlerts, lastConsecutivePair, lastConsecutiveRun, personLabel } from "../../src/domain/unpaid-rent-alerts";
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

  it("an open unpaid_rent alert follows the arrears; an open MASP 3 trigger keeps its months and takes in the next ones of its run", () => {
    const f = facts({
      rentPaid: paid("2026-01"),
      alerts: [
        alert({ periods: ["2026-02"], episode: "2026-02" }),
        alert({ id: "a2", type: "masp3_trigger", periods: ["2026-02", "2026-03"], episode: "2026-02" }),
      ],
    });
    expect(summary(decideAlerts(f, "2026-04-05"))).toEqual([
      ["update", "unpaid_rent", ["2026-02", "2026-03", "2026-04"]],
      ["update", "masp3_trigger", ["2026-02", "2026-03", "2026-04"]],
    ]);
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

describe("rule 10: the trigger names every consecutive unpaid period of the episode, and the person", () => {
  const p = (period: string) => ({ period });
  it("the last run of two or more adjacent months, from its first", () => {
    expect(lastConsecutiveRun([p("2026-01"), p("2026-02"), p("2026-03")])?.map((x) => x.period)).toEqual(["2026-01", "2026-02", "2026-03"]);
    expect(lastConsecutiveRun([p("2025-11"), p("2026-01"), p("2026-02")])?.map((x) => x.period)).toEqual(["2026-01", "2026-02"]);
    expect(lastConsecutiveRun([p("2026-01"), p("2026-03")])).toBeUndefined();
  });

  it("three unpaid months from a partial January, first seen in March: January, February and March", () => {
    const f = facts({ rentPaid: [{ period: "2026-01", paid: 10_000n }] });
    const ops = decideAlerts(f, "2026-03-05");
    expect(summary(ops)).toEqual([
      ["insert", "unpaid_rent", ["2026-01", "2026-02", "2026-03"]],
      ["insert", "masp3_trigger", ["2026-01", "2026-02", "2026-03"]],
    ]);
    expect(ops[1]!.episode).toBe("2026-01");
    // The day before March's due date, the run is January and February only.
    expect(summary(decideAlerts(f, "2026-03-04"))[1]).toEqual(["insert", "masp3_trigger", ["2026-01", "2026-02"]]);
  });

  it("names the person by first name and initial, in every alert's evidence", () => {
    expect(personLabel({ firstName: "Marie", lastName: "curie" })).toBe("Marie C.");
    expect(personLabel({ firstName: "Élodie", lastName: "Œuvre" })).toBe("Élodie Œ.");
    const ops = decideAlerts(facts(), "2026-02-05");
    expect(ops.map((o) => o.evidence?.person)).toEqual(["Marie C.", "Marie C."]);
  });
});

describe("rule 11: no MASP 3 trigger before the first managed prestation; no_credit_received after 45 days", () => {
  const never = { creditedMeasureIds: [] as string[] };
  it("two unpaid months but no credit ever received: unpaid_rent only", () => {
    expect(summary(decideAlerts(facts(never), "2026-02-05")).map((s) => s[1])).toEqual(["unpaid_rent"]);
    expect(summary(decideAlerts(facts(never), "2026-02-15")).map((s) => s[1])).toEqual(["unpaid_rent", "no_credit_received"]);
  });

  it("no_credit_received the 45th day after the MASP began, not the 44th", () => {
    const f = facts({ ...never, leases: [], measures: [masp2({ startDate: "2026-01-20" })] });
    expect(decideAlerts(f, "2026-03-05")).toEqual([]); // 44 days
    const ops = decideAlerts(f, "2026-03-06"); // 45 days
    expect(ops).toMatchObject([{ kind: "insert", type: "no_credit_received", episode: "2026-01-20", periods: [], evidence: { days: 45, person: "Marie C." } }]);
    expect(summary(decideAlerts(f, "2026-03-07"))).toEqual([["insert", "no_credit_received", []]]);
  });

  it("a credit to a measure of the same chain counts; the open alert closes at the first credit", () => {
    const renewed = [masp2({ id: "m0", startDate: "2025-07-01", endDate: "2025-12-31" }), masp2({ previousMeasureId: "m0" })];
    expect(decideAlerts(facts({ leases: [], measures: renewed, creditedMeasureIds: ["m0"] }), "2026-03-06")).toEqual([]);
    const open = { id: "n1", type: "no_credit_received" as const, episode: "2026-01-01", status: "open" as const, periods: [] };
    expect(decideAlerts(facts({ leases: [], alerts: [open] }), "2026-03-06")).toEqual([
      { kind: "close", id: "n1", beneficiaryId: facts().beneficiaryId, type: "no_credit_received", closeReason: "credit_received" },
    ]);
    // A caseworker closed it: not raised again for the same MASP.
    expect(decideAlerts(facts({ ...never, leases: [], alerts: [{ ...open, status: "closed" }] }), "2026-03-06")).toEqual([]);
  });
});
