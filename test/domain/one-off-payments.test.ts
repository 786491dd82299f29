import { describe, expect, it } from "vitest";
import { DEFAULT_FOUR_EYES_THRESHOLD_CENTS, secondPersonReasons } from "../../src/domain/one-off-payments";

const KNOWN = "FR7630006000011234567890189";
const approvedIbans = new Set([KNOWN]);
const threshold = DEFAULT_FOUR_EYES_THRESHOLD_CENTS;

describe("one-off payments: when a second person must approve (four eyes)", () => {
  it("applies at once up to the threshold to an approved IBAN, or by cash and cheque (no IBAN)", () => {
    expect(secondPersonReasons({ amount: threshold, threshold, creditorIban: KNOWN, approvedIbans })).toEqual([]);
    expect(secondPersonReasons({ amount: 1n, threshold, creditorIban: null, approvedIbans })).toEqual([]);
  });

  it("waits above the threshold, to an IBAN not yet approved, or both", () => {
    expect(secondPersonReasons({ amount: threshold + 1n, threshold, creditorIban: KNOWN, approvedIbans })).toEqual(["above_threshold"]);
    expect(secondPersonReasons({ amount: 1n, threshold, creditorIban: "DE89370400440532013000", approvedIbans })).toEqual(["new_iban"]);
    expect(secondPersonReasons({ amount: threshold + 1n, threshold, creditorIban: "DE89370400440532013000", approvedIbans })).toEqual([
      "above_threshold",
      "new_iban",
    ]);
    expect(secondPersonReasons({ amount: threshold + 1n, threshold, creditorIban: null, approvedIbans })).toEqual(["above_threshold"]);
  });

  it("a threshold of 0 sends every payment to a second person", () => {
    expect(secondPersonReasons({ amount: 1n, threshold: 0n, creditorIban: KNOWN, approvedIbans })).toEqual(["above_threshold"]);
  });
});
