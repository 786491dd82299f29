import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ENVELOPE_KINDS } from "../../src/domain/envelopes";
import { envelopeAccount, envelopeAddress, parseEnvelopeAddress } from "../../src/ledger/accounts";

describe("the envelope address: built and parsed in one place", () => {
  const envelope = fc
    .record({ beneficiaryId: fc.uuid(), envelope: fc.constantFrom(...ENVELOPE_KINDS), chargeId: fc.uuid() })
    .map((e) => (e.envelope === "charge" ? e : { beneficiaryId: e.beneficiaryId, envelope: e.envelope }));

  it("property: parsing a built address gives back what built it, and the address suits the database's format", () => {
    fc.assert(
      fc.property(envelope, (e) => {
        const address = envelopeAddress(e.beneficiaryId, e.envelope, "chargeId" in e ? e.chargeId : undefined);
        expect(parseEnvelopeAddress(address)).toEqual(e);
        expect(address).toMatch(/^[a-z][a-z0-9_-]*(:[A-Za-z0-9_-]+)+$/);
        expect(envelopeAccount(e.beneficiaryId, e.envelope, "chargeId" in e ? e.chargeId : undefined)).toMatchObject({
          address,
          beneficiaryId: e.beneficiaryId,
          allowNegative: false,
        });
      }),
    );
  });

  it("reads the spelled-out form", () => {
    expect(envelopeAddress("b1", "rent")).toBe("beneficiary:b1:rent");
    expect(envelopeAddress("b1", "charge", "c1")).toBe("beneficiary:b1:charge:c1");
    expect(parseEnvelopeAddress("beneficiary:b1:charge:c1")).toEqual({ beneficiaryId: "b1", envelope: "charge", chargeId: "c1" });
  });

  it("other accounts and malformed addresses are not envelopes", () => {
    for (const address of [
      "bank:main",
      "payments:in-transit",
      "payer:CAF",
      "beneficiary:b1",
      "beneficiary:b1:savings",
      "beneficiary:b1:charge",
      "beneficiary:b1:rent:x",
      "beneficiary:b1:charge:c1:x",
      "beneficiary::rent",
    ]) {
      expect(parseEnvelopeAddress(address)).toBeNull();
    }
  });

  it("a charge envelope needs its charge id, and only it", () => {
    expect(() => envelopeAddress("b1", "charge")).toThrow(TypeError);
    expect(() => envelopeAddress("b1", "rent", "c1")).toThrow(TypeError);
  });
});
