import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { endToEndIdFor, orderIdFromEndToEndId } from "../../../src/banking/pain001/references";
import type { PainOrder } from "../../../src/banking/pain001/types";
import { pain001FromOrders } from "../../../src/banking/pain001/write-pain001";
import { PAIN_VERSIONS } from "../../../src/domain/bank-accounts";
import { decimalEuros } from "../../../src/domain/money";
import { schemaErrors } from "./xsd";

/** Any text people type: accents, apostrophes, symbols, other scripts, spaces around. */
const anyText = fc.string({ unit: fc.constantFrom(..."aZé'’ -&<>\"«»€ßŒçñ漢Ж0/.,:?+()\t".split("")), minLength: 0, maxLength: 90 });
const someLetters = fc.string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz".split("")), minLength: 1, maxLength: 10 });
const order = fc.record({
  id: fc.uuid(),
  amountCents: fc.bigInt({ min: 1n, max: 100_000_000n }),
  // A name always keeps at least one letter a bank accepts (a name with none is refused).
  name: fc.tuple(anyText, someLetters).map(([noise, letters]) => `${noise}${letters}`),
  town: fc.tuple(anyText, someLetters).map(([noise, letters]) => `${letters}${noise}`),
  street: fc.option(anyText),
  remittance: anyText,
  executionDate: fc.constantFrom("2026-12-01", "2026-12-02", "2026-12-07"),
});

describe("writePain001 on arbitrary orders", () => {
  it("always writes a schema-valid file whose counts and control sums are exact", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(order, { minLength: 1, maxLength: 25, selector: (o) => o.id }),
        fc.constantFrom(...PAIN_VERSIONS),
        async (drawn, painVersion) => {
          const orders: PainOrder[] = drawn.map((o) => ({
            endToEndId: endToEndIdFor(o.id),
            amountCents: o.amountCents,
            creditorName: o.name,
            creditorIban: "FR7630006000011234567890189",
            creditorAddress: { street: o.street, town: o.town, country: "FR" },
            remittance: o.remittance,
            executionDate: o.executionDate,
          }));
          const xml = await pain001FromOrders({
            msgId: "PROP-1",
            createdAt: new Date("2026-11-27T08:00:00Z"),
            initiatingParty: "Association",
            debtor: { name: "Association", iban: "FR7630006000011234567890189", painVersion, batchBooking: true },
            orders,
          });
          expect(await schemaErrors(xml, painVersion)).toEqual([]);
          const total = orders.reduce((sum, o) => sum + o.amountCents, 0n);
          expect(xml).toContain(`<NbOfTxs>${orders.length}</NbOfTxs><CtrlSum>${decimalEuros(total)}</CtrlSum>`);
          const ids = [...xml.matchAll(/<EndToEndId>([^<]*)<\/EndToEndId>/g)].map((m) => orderIdFromEndToEndId(m[1]!));
          expect(new Set(ids)).toEqual(new Set(drawn.map((o) => o.id.toLowerCase())));
          // Outside the markup, every character is in the EPC set (entities aside).
          const text = xml.replace(/<[^>]*>/g, "").replace(/&apos;/g, "'");
          expect(text).toMatch(/^[A-Za-z0-9/\-?:().,'+ \n]*$/);
        },
      ),
      { numRuns: 12 },
    );
  });
});
