import { describe, expect, it } from "vitest";
import { isTargetBusinessDay, nextTargetBusinessDay, targetExecutionDate } from "../../src/domain/business-days";

describe("TARGET2 closing days", () => {
  it.each([
    ["2026-01-01", "New Year's Day"],
    ["2026-04-03", "Good Friday 2026"],
    ["2026-04-06", "Easter Monday 2026"],
    ["2026-05-01", "Labour Day"],
    ["2026-12-25", "Christmas Day"],
    ["2026-12-24", "not closed: Christmas Eve"],
    ["2027-03-26", "Good Friday 2027"],
    ["2027-03-29", "Easter Monday 2027"],
    ["2027-12-27", "not closed: a Monday after Christmas weekend"],
  ])("%s (%s)", (date, label) => {
    expect(isTargetBusinessDay(date)).toBe(label.startsWith("not closed"));
  });

  it("knows holidays that are open days elsewhere in France (8 May, 14 July, Ascension) are TARGET2 business days", () => {
    expect(isTargetBusinessDay("2026-05-08")).toBe(true);
    expect(isTargetBusinessDay("2026-07-14")).toBe(true);
    expect(isTargetBusinessDay("2026-05-14")).toBe(true);
  });

  it("closes on weekends", () => {
    expect(isTargetBusinessDay("2026-11-28")).toBe(false); // Saturday
    expect(isTargetBusinessDay("2026-11-29")).toBe(false); // Sunday
    expect(isTargetBusinessDay("2026-11-30")).toBe(true); // Monday
  });

  it("refuses what is not a calendar date", () => {
    expect(() => isTargetBusinessDay("2026-02-30")).toThrow(RangeError);
    expect(() => nextTargetBusinessDay("30/11/2026")).toThrow(RangeError);
  });
});

describe("nextTargetBusinessDay", () => {
  it("keeps an open day and moves a closed one to the next open day", () => {
    expect(nextTargetBusinessDay("2026-11-27")).toBe("2026-11-27");
    expect(nextTargetBusinessDay("2026-11-28")).toBe("2026-11-30");
    // Good Friday, the weekend and Easter Monday: four days closed in a row.
    expect(nextTargetBusinessDay("2026-04-03")).toBe("2026-04-07");
    // 25 (Friday), 26 (Saturday) and 27 December (Sunday) 2026.
    expect(nextTargetBusinessDay("2026-12-25")).toBe("2026-12-28");
    // 1 January 2027 is a Friday.
    expect(nextTargetBusinessDay("2026-12-31")).toBe("2026-12-31");
    expect(nextTargetBusinessDay("2027-01-01")).toBe("2027-01-04");
  });
});

describe("targetExecutionDate", () => {
  it("never returns a date before today", () => {
    expect(targetExecutionDate("2026-11-02", "2026-11-27")).toBe("2026-11-27");
    expect(targetExecutionDate("2026-11-02", "2026-11-28")).toBe("2026-11-30");
  });
  it("keeps a future business day and moves a future closed day", () => {
    expect(targetExecutionDate("2026-12-01", "2026-11-27")).toBe("2026-12-01");
    expect(targetExecutionDate("2026-12-26", "2026-11-27")).toBe("2026-12-28");
  });
});
