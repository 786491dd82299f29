import { describe, expect, it } from "vitest";
import { endToEndIdFor } from "../../../src/banking/pain001/references";
import type { PainDebtor, PainOrder, PainVersion } from "../../../src/banking/pain001/types";
import { pain001FromOrders } from "../../../src/banking/pain001/write-pain001";
import { schemaErrors } from "./xsd";

const debtor = (painVersion: PainVersion, bic?: string): PainDebtor => ({
  name: "Association Tutélaire de l'Essonne",
  iban: "FR7630006000011234567890189",
  bic,
  painVersion,
  batchBooking: true,
});

const order = (overrides: Partial<PainOrder> = {}): PainOrder => ({
  endToEndId: endToEndIdFor("0190f5c2-6a4e-7c3b-9d2e-3f4a5b6c7d8e"),
  amountCents: 65_000n,
  creditorName: "SCI Les Tilleuls",
  creditorIban: "DE89370400440532013000",
  creditorAddress: { street: "3 avenue Foch", postalCode: "91000", town: "Évry-Courcouronnes", country: "FR" },
  remittance: "LOYER 01/2026 DURAND M",
  executionDate: "2026-12-01",
  ...overrides,
});

const header = { msgId: "B20261201-0001", createdAt: new Date("2026-11-27T09:30:00Z"), initiatingParty: "Association Tutélaire" };

describe.each(["pain.001.001.09", "pain.001.001.03"] as const)("writePain001 %s", (version) => {
  it("writes a file the official schema accepts", async () => {
    const xml = await pain001FromOrders({ ...header, debtor: debtor(version), orders: [order()] });
    expect(await schemaErrors(xml, version)).toEqual([]);
    expect(xml).toContain(`xmlns="urn:iso:std:iso:20022:tech:xsd:${version}"`);
    expect(xml).toContain("<NbOfTxs>1</NbOfTxs>");
    expect(xml).toContain("<CtrlSum>650.00</CtrlSum>");
    expect(xml).toContain("<Id>NOTPROVIDED</Id>");
  });
});

describe("the schema check itself", () => {
  it("refuses a file the schema does not allow (so a green test means something)", async () => {
    const xml = await pain001FromOrders({ ...header, debtor: debtor("pain.001.001.09"), orders: [order()] });
    const broken = xml.replace("<ChrgBr>SLEV</ChrgBr>", "<ChrgBr>SHAR</ChrgBr>");
    expect((await schemaErrors(broken, "pain.001.001.09")).length).toBeGreaterThan(0);
  });
});
