import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { validateXML } from "xmllint-wasm";
import type { PainVersion } from "../../../src/domain/bank-accounts";

/**
 * The official schemas (EPC 2023 for .09, ISO for .03) may not be copied into the
 * repository: they are read from the fixtures directory beside it (docs/test-fixtures.md).
 */
const FIXTURES_DIR = process.env.TEST_FIXTURES_DIR ?? fileURLToPath(new URL("../../../../shared/fixtures/", import.meta.url));
const XSD_DIR = `${FIXTURES_DIR.replace(/\/?$/, "/")}xsd/`;
const schemas = new Map<PainVersion, string>();
/** Where the schemas are absent (a clone without the fixtures beside it) the schema check is skipped, and says so once. */
const XSD_PRESENT = existsSync(`${XSD_DIR}pain.001.001.09.xsd`) && existsSync(`${XSD_DIR}pain.001.001.03.xsd`);
let warned = false;

function schemaOf(version: PainVersion): string {
  let schema = schemas.get(version);
  if (!schema) {
    schema = readFileSync(`${XSD_DIR}${version}.xsd`, "utf8");
    schemas.set(version, schema);
  }
  return schema;
}

/** The schema errors of a file (empty when valid). */
export async function schemaErrors(xml: string, version: PainVersion): Promise<string[]> {
  if (!XSD_PRESENT) {
    if (!warned) console.warn(`official pain.001 schemas absent from ${XSD_DIR} (TEST_FIXTURES_DIR): schema validation skipped`);
    warned = true;
    return [];
  }
  const result = await validateXML({
    xml: [{ fileName: "file.xml", contents: xml }],
    schema: [{ fileName: `${version}.xsd`, contents: schemaOf(version) }],
    // A 100 000-order file is tens of megabytes: give libxml2 room (pages of 64 KiB).
    maxMemoryPages: 32_768,
  });
  return result.errors.map((e) => e.rawMessage);
}
