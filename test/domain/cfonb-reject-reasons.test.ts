import { describe, expect, it } from "vitest";
import { cfonbCodeOfIsoReason, isoReasonOfCfonbCode } from "../../src/domain/cfonb-reject-reasons";
import { PAYMENT_REASON_CODES, reasonLabel } from "../../src/domain/payment-reasons";

describe("CFONB reject codes", () => {
  it("map to ISO reasons the payment-reason table knows, with their French label", () => {
    for (const code of ["01", "02", "03", "04", "06", "52", "54", "57", "58", "59", "60", "61", "62"]) {
      const iso = isoReasonOfCfonbCode(code);
      expect(PAYMENT_REASON_CODES).toContain(iso);
      expect(reasonLabel(iso)).not.toBe(iso);
      expect(cfonbCodeOfIsoReason(iso)).toBe(code);
    }
    expect(isoReasonOfCfonbCode("01")).toBe("AC04");
    expect(isoReasonOfCfonbCode("06")).toBe("MD07");
  });

  it("read an unknown code as 'reason not specified'", () => {
    expect(isoReasonOfCfonbCode("ZZ")).toBe("MS03");
    expect(isoReasonOfCfonbCode("toString")).toBe("MS03");
    expect(cfonbCodeOfIsoReason("CNOR")).toBeNull();
  });
});
