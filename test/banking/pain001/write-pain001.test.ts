import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { endToEndIdFor } from "../../../src/banking/pain001/references";
import type { PainDebtor, PainFileInput, PainOrder } from "../../../src/banking/pain001/types";
import { pain001FromOrders, pain001Text, writePain001 } from "../../../src/banking/pain001/write-pain001";
import { PAIN_VERSIONS, type PainVersion } from "../../../src/domain/bank-accounts";
import { ValidationError } from "../../../src/domain/errors";
import { schemaErrors } from "./xsd";

const debtor = (painVersion: PainVersion, bic?: string): PainDebtor => ({
  name: "Association Tutélaire de l'Essonne",
  iban: "FR7630006000011234567890189",
  bic,
  painVersion,
  batchBooking: true,
});

/** A UUID-like order id from a number, so each test's EndToEndIds are distinct and readable. */
const orderId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

const order = (n: number, overrides: Partial<PainOrder> = {}): PainOrder => ({
  endToEndId: endToEndIdFor(orderId(n)),
  amountCents: 65_000n,
  creditorName: "SCI Les Tilleuls",
  creditorIban: "DE89370400440532013000",
  creditorAddress: { street: "3 avenue Foch", postalCode: "91000", town: "Évry-Courcouronnes", country: "FR" },
  remittance: "LOYER 01/2026 DURAND M",
  executionDate: "2026-12-01",
  ...overrides,
});

const header = { msgId: "B20261201-0001", createdAt: new Date("2026-11-27T09:30:00.123Z"), initiatingParty: "Association Tutélaire" };

const ENTITIES: Record<string, string> = { "&apos;": "'", "&quot;": '"', "&lt;": "<", "&gt;": ">", "&amp;": "&" };

/** The text of every `<name>` element, in document order, entities decoded. */
const values = (xml: string, name: string) =>
  [...xml.matchAll(new RegExp(`<${name}(?: [^>]*)?>([^<]*)</${name}>`, "g"))].map((m) => m[1]!.replace(/&[a-z]+;/g, (e) => ENTITIES[e] ?? e));

describe.each(PAIN_VERSIONS)("writePain001 %s", (version) => {
  const bic = version === "pain.001.001.09" ? "BICFI" : "BIC";

  it("writes a file the official schema accepts, with the header's count and control sum", async () => {
    const xml = await pain001FromOrders({ ...header, debtor: debtor(version), orders: [order(1)] });
    expect(await schemaErrors(xml, version)).toEqual([]);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(xml).toContain(`xmlns="urn:iso:std:iso:20022:tech:xsd:${version}"`);
    expect(values(xml, "MsgId")).toEqual(["B20261201-0001"]);
    expect(values(xml, "CreDtTm")).toEqual(["2026-11-27T09:30:00Z"]);
    expect(values(xml, "NbOfTxs")).toEqual(["1", "1"]);
    expect(values(xml, "CtrlSum")).toEqual(["650.00", "650.00"]);
    expect(values(xml, "ChrgBr")).toEqual(["SLEV"]);
    expect(values(xml, "Cd")).toEqual(["SEPA"]);
    expect(values(xml, "BtchBookg")).toEqual(["true"]);
    // No debtor BIC: the IBAN routes the payment, the agent is "not provided".
    expect(values(xml, "Id")).toContain("NOTPROVIDED");
    expect(values(xml, "EndToEndId")).toEqual(["00000000000040008000000000000001"]);
    expect(values(xml, "Ustrd")).toEqual(["LOYER 01/2026 DURAND M"]);
    expect(values(xml, "TwnNm")).toEqual(["Evry-Courcouronnes"]);
  });

  it("carries accents and apostrophes as EPC text, and both BICs when known", async () => {
    const xml = await pain001FromOrders({
      ...header,
      debtor: { ...debtor(version, "bnpafrppxxx"), batchBooking: false },
      orders: [
        order(1, { creditorName: "Mme Françoise D'Arc-Lefèvre", creditorBic: "COBADEFFXXX", remittance: "LOYER 01/2026 N’DIAYE É" }),
        order(2, { creditorName: "Œuvres « Sociales » & Cie – Müller", creditorAddress: { town: "L'Haÿ-les-Roses", country: "fr" } }),
        order(3, { creditorName: "x".repeat(100), remittance: "y".repeat(300), creditorAddress: null }),
      ],
    });
    expect(await schemaErrors(xml, version)).toEqual([]);
    expect(values(xml, "Nm").slice(2)).toEqual(["Mme Francoise D'Arc-Lefevre", "OEuvres Sociales Cie - Mueller", "x".repeat(70)]);
    expect(values(xml, bic)).toEqual(["BNPAFRPPXXX", "COBADEFFXXX"]);
    expect(values(xml, "Ustrd")).toEqual(["LOYER 01/2026 N'DIAYE E", "LOYER 01/2026 DURAND M", "y".repeat(140)]);
    expect(values(xml, "TwnNm")).toEqual(["Evry-Courcouronnes", "L'Hay-les-Roses"]);
    expect(values(xml, "Ctry")).toEqual(["FR", "FR"]);
    expect(values(xml, "BtchBookg")).toEqual(["false"]);
    expect(xml).not.toContain("NOTPROVIDED");
  });

  it("writes the largest amounts exactly, and the control sum to the cent", async () => {
    const orders = [
      order(1, { amountCents: 100_000_000n }),
      order(2, { amountCents: 99_999_999_999n }),
      order(3, { amountCents: 1n }),
      order(4, { amountCents: 10n }),
    ];
    const xml = await pain001FromOrders({ ...header, debtor: debtor(version), orders });
    expect(await schemaErrors(xml, version)).toEqual([]);
    expect(values(xml, "InstdAmt")).toEqual(["1000000.00", "999999999.99", "0.01", "0.10"]);
    expect(values(xml, "CtrlSum")).toEqual(["1001000000.10", "1001000000.10"]);
  });

  it("writes one payment block per execution date, each with its own count and sum", async () => {
    const orders = [
      order(1, { executionDate: "2026-12-03", amountCents: 30_000n }),
      order(2, { executionDate: "2026-12-01", amountCents: 10_000n }),
      order(3, { executionDate: "2026-12-03", amountCents: 20_001n }),
      order(4, { executionDate: "2026-12-02", amountCents: 5n }),
    ];
    const xml = await pain001FromOrders({ ...header, debtor: debtor(version), orders });
    expect(await schemaErrors(xml, version)).toEqual([]);
    expect(values(xml, "PmtInfId")).toEqual(["B20261201-0001-20261201", "B20261201-0001-20261202", "B20261201-0001-20261203"]);
    expect(values(xml, "NbOfTxs")).toEqual(["4", "1", "1", "2"]);
    expect(values(xml, "CtrlSum")).toEqual(["600.06", "100.00", "0.05", "500.01"]);
    const dates = version === "pain.001.001.09" ? values(xml, "Dt") : values(xml, "ReqdExctnDt");
    expect(dates).toEqual(["2026-12-01", "2026-12-02", "2026-12-03"]);
  });

  it("gives the same bytes for the same input", async () => {
    const input = { ...header, debtor: debtor(version), orders: [order(1), order(2, { executionDate: "2026-12-02" })] };
    const first = await pain001FromOrders(input);
    expect(await pain001FromOrders(input)).toBe(first);
    expect(await pain001FromOrders({ ...input, msgId: "B20261201-0002" })).not.toBe(first);
  });
});

/** Orders produced one at a time, as a database cursor would, counting how many were pulled. */
function lazyOrders(count: number, dates: string[]) {
  const state = { pulled: 0 };
  async function* orders(): AsyncGenerator<PainOrder> {
    for (const date of dates) {
      for (let i = 0; i < count; i++) {
        state.pulled += 1;
        yield order(state.pulled, { executionDate: date, amountCents: BigInt(1 + (state.pulled % 997) * 1013) });
      }
    }
  }
  const groups = dates.map((executionDate, d) => {
    let totalCents = 0n;
    for (let n = d * count + 1; n <= (d + 1) * count; n++) totalCents += BigInt(1 + (n % 997) * 1013);
    return { executionDate, count, totalCents };
  });
  return { state, orders: orders(), groups };
}

describe("streaming", () => {
  it("hands the file on in chunks while the orders are still being read", async () => {
    const { state, orders, groups } = lazyOrders(3_000, ["2026-12-01", "2026-12-02"]);
    const chunks: string[] = [];
    let pulledAtFirstChunk = -1;
    for await (const chunk of writePain001({ ...header, debtor: debtor("pain.001.001.09"), groups, orders })) {
      if (pulledAtFirstChunk < 0) pulledAtFirstChunk = state.pulled;
      chunks.push(chunk);
      expect(chunk.length).toBeLessThan(80 * 1024);
    }
    expect(chunks.length).toBeGreaterThan(10);
    expect(pulledAtFirstChunk).toBeLessThan(500);
    const xml = chunks.join("");
    expect(await schemaErrors(xml, "pain.001.001.09")).toEqual([]);
    expect(values(xml, "NbOfTxs").slice(0, 3)).toEqual(["6000", "3000", "3000"]);
  });
});

describe("input the file cannot carry", () => {
  const input = (overrides: Partial<PainFileInput> = {}): PainFileInput => ({
    ...header,
    debtor: debtor("pain.001.001.09"),
    groups: [{ executionDate: "2026-12-01", count: 1, totalCents: 65_000n }],
    orders: [order(1)],
    ...overrides,
  });
  const refused = async (overrides: Partial<PainFileInput>) => {
    await expect(pain001Text(input(overrides))).rejects.toBeInstanceOf(ValidationError);
  };

  it("accepts the baseline", async () => {
    expect(await schemaErrors(await pain001Text(input()), "pain.001.001.09")).toEqual([]);
  });
  it("refuses orders that do not add up to the stated groups", async () => {
    await refused({ groups: [{ executionDate: "2026-12-01", count: 1, totalCents: 65_001n }] });
    await refused({ groups: [{ executionDate: "2026-12-01", count: 2, totalCents: 130_000n }] });
    await refused({ groups: [{ executionDate: "2026-12-02", count: 1, totalCents: 65_000n }] });
    await refused({
      groups: [
        { executionDate: "2026-12-01", count: 1, totalCents: 65_000n },
        { executionDate: "2026-12-02", count: 1, totalCents: 65_000n },
      ],
    });
    await refused({ groups: [] });
  });
  it("refuses orders not grouped by date", async () => {
    await refused({
      groups: [
        { executionDate: "2026-12-01", count: 2, totalCents: 130_000n },
        { executionDate: "2026-12-02", count: 1, totalCents: 65_000n },
      ],
      orders: [order(1), order(2, { executionDate: "2026-12-02" }), order(3)],
    });
  });
  it("refuses a duplicate EndToEndId, an identifier outside the EPC rules, a bad IBAN, BIC or amount", async () => {
    const two = [{ executionDate: "2026-12-01", count: 2, totalCents: 130_000n }];
    await refused({ groups: two, orders: [order(1), order(1)] });
    await refused({ orders: [order(1, { endToEndId: "0".repeat(36) })] });
    await refused({ msgId: "/B1" });
    await refused({ orders: [order(1, { creditorIban: "FR7630006000011234567890188" })] });
    await refused({ debtor: { ...debtor("pain.001.001.09"), iban: "FR00" } });
    await refused({ orders: [order(1, { creditorBic: "NOTABIC" })] });
    await refused({ groups: [{ executionDate: "2026-12-01", count: 1, totalCents: 0n }], orders: [order(1, { amountCents: 0n })] });
    await refused({ orders: [order(1, { creditorName: "«»" })] });
    await refused({ orders: [order(1, { creditorAddress: { town: "Paris", country: "France" } })] });
  });
});

describe("the bytes of a file", () => {
  // SHA-256 of these files as written before the transactions were serialised by hand
  // (fast-xml-parser's builder, commit 55f26c5): a stored file's bytes never depend on
  // how the writer is built.
  const pinned: Record<PainVersion, string> = {
    "pain.001.001.09": "1b65ae9af6cebd2c3d34b596bd41bd874a736cd143b5e0ee03902835e8063ce6",
    "pain.001.001.03": "f051171e844e3bbed3c6519e1bb8225548d9238c62d1dec2c39340fc787c7ca5",
  };
  it.each(PAIN_VERSIONS)(
    "are those the builder wrote (%s): BICs, addresses whole and partial, apostrophes, text to clean, an empty remittance",
    async (version) => {
      const orders = [
        order(1),
        order(2, {
          amountCents: 1n,
          creditorName: `L'Œuvre d'Ëve & <Cie> "sœurs"`,
          creditorIban: "fr76 3000 6000 0112 3456 7890 189",
          creditorBic: "bnpafrpp",
          creditorAddress: { town: "Saint-Étienne-du-Rouvray", country: "fr" },
          remittance: "Réf. l’été 2026 — ß",
        }),
        order(3, {
          amountCents: 99_999_999_999n,
          creditorName: "EDF",
          creditorIban: "FR1420041010050500013M02606",
          creditorBic: "PSSTFRPPXXX",
          creditorAddress: undefined,
          remittance: "",
          executionDate: "2026-12-02",
        }),
        order(4, {
          endToEndId: "A'B+C?(D).E,F:G-H",
          amountCents: 12_345n,
          creditorName: "O'Brien",
          creditorAddress: { street: "1 rue de l'Église", postalCode: "75 001", town: "Paris", country: "FR" },
          remittance: "x".repeat(200),
          executionDate: "2026-12-02",
        }),
      ];
      const xml = await pain001FromOrders({ ...header, debtor: { ...debtor(version, "AGRIFRPP"), batchBooking: false }, orders });
      expect(await schemaErrors(xml, version)).toEqual([]);
      expect(createHash("sha256").update(xml).digest("hex")).toBe(pinned[version]);
    },
  );
});
