import { describe, expect, it } from "vitest";
import { createLogger } from "../src/logger";

const PERSON = {
  firstName: "Jeanne",
  lastName: "Valjeanne",
  iban: "FR7630006000011234567890189",
  cafNumber: "CAF-9876543",
  birthDate: "1971-04-23",
};
const PERSONAL_VALUES = Object.values(PERSON);

/** A logger writing into an array, one parsed JSON object and raw line per call. */
function capture() {
  const lines: string[] = [];
  const logger = createLogger("info", { write: (s: string) => void lines.push(s) });
  return {
    logger,
    lines,
    last(): Record<string, unknown> {
      const line = lines.at(-1);
      if (line === undefined) throw new Error("nothing was logged");
      return JSON.parse(line) as Record<string, unknown>;
    },
  };
}

function expectNoPersonalValue(line: string | undefined, values: readonly string[] = PERSONAL_VALUES) {
  expect(line).toBeDefined();
  for (const value of values) expect(line).not.toContain(value);
}

describe("logger redaction", () => {
  it("redacts personal fields at the top level", () => {
    const log = capture();
    log.logger.info({ ...PERSON, amountCents: 12_345 }, "beneficiary created");
    expectNoPersonalValue(log.lines.at(-1));
    const entry = log.last();
    for (const key of Object.keys(PERSON)) expect(entry[key], key).toBe("[redacted]");
    // Non-personal data and the message survive.
    expect(entry.amountCents).toBe(12_345);
    expect(entry.msg).toBe("beneficiary created");
    expect(entry.service).toBe("masp-ledger");
  });

  it("redacts personal fields nested one level down", () => {
    const log = capture();
    log.logger.info({ beneficiary: { id: "b-1", ...PERSON } }, "beneficiary updated");
    expectNoPersonalValue(log.lines.at(-1));
    const beneficiary = log.last().beneficiary as Record<string, unknown>;
    for (const key of Object.keys(PERSON)) expect(beneficiary[key], key).toBe("[redacted]");
    expect(beneficiary.id).toBe("b-1");
  });

  it("redacts personal fields at any depth, arrays included", () => {
    const log = capture();
    log.logger.info({ payment: { beneficiary: { ...PERSON } }, beneficiaries: [{ ...PERSON }, { id: "b-2", ...PERSON }] }, "batch");
    expectNoPersonalValue(log.lines.at(-1));
    const entry = log.last() as { beneficiaries: { id?: string }[] };
    expect(entry.beneficiaries[1]?.id).toBe("b-2");
  });

  it("redacts a creditor's name and IBAN", () => {
    const log = capture();
    const creditor = { name: "Office Public de l'Habitat", iban: "FR1420041010050500013M02606" };
    log.logger.info({ creditor, amountCents: 45_000 }, "payment scheduled");
    expectNoPersonalValue(log.lines.at(-1), Object.values(creditor));
    const logged = log.last().creditor as Record<string, unknown>;
    expect(logged).toEqual({ name: "[redacted]", iban: "[redacted]" });
    expect(log.last().amountCents).toBe(45_000);
  });

  it("redacts the same fields in a child logger's calls", () => {
    const log = capture();
    log.logger.child({ component: "jobs" }).warn({ beneficiary: PERSON }, "job input");
    expectNoPersonalValue(log.lines.at(-1));
    expect(log.last().component).toBe("jobs");
  });

  it("redacts bearer tokens and authorization headers", () => {
    const log = capture();
    const token = "masp_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    log.logger.info(
      { token, authorization: `Bearer ${token}`, req: { headers: { authorization: `Bearer ${token}`, cookie: "sid=secret-cookie" } } },
      "request",
    );
    expectNoPersonalValue(log.lines.at(-1), [token, "secret-cookie"]);
  });

  it("respects the level", () => {
    const lines: string[] = [];
    const logger = createLogger("warn", { write: (s: string) => void lines.push(s) });
    logger.info("hidden");
    logger.warn("shown");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!).msg).toBe("shown");
  });
});
