import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { validateXML } from "xmllint-wasm";
import type { PainVersion } from "../../../src/domain/bank-accounts";

/**
 * The official schemas live beside the repository (`../shared/fixtures/xsd/`, EPC 2023 for
 * .09, ISO for .03) and may not be copied into it: read them from there.
 */
const XSD_DIR = fileURLToPath(new URL("../../../../shared/fixtures/xsd/", import.meta.url));
const schemas = new Map<PainVersion, string>();

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
  const result = await validateXML({
    xml: [{ fileName: "file.xml", contents: xml }],
    schema: [{ fileName: `${version}.xsd`, contents: schemaOf(version) }],
    // A 100 000-order file is tens of megabytes: give libxml2 room (pages of 64 KiB).
    maxMemoryPages: 32_768,
  });
  return result.errors.map((e) => e.rawMessage);
}
