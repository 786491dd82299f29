import { cfonbRecords } from "./cfonb-records";
import { declaredEncoding, decodeText, peek } from "./decode";
import { CAMT053_PATHS, Camt053Reader } from "./read-camt053";
import { Cfonb120Reader } from "./read-cfonb120";
import { PAIN002_PATHS, Pain002Reader } from "./read-pain002";
import { type BankFile, BankFileError, type BankStatement, type StatementFormat } from "./types";
import { type XmlHandler, XmlPathReader } from "./xml-reader";

const ISO_NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:";
const CAMT053_VERSIONS = ["camt.053.001.02", "camt.053.001.08"];
const PAIN002_VERSIONS = ["pain.002.001.03", "pain.002.001.10"];
const NEITHER = "neither camt.053, pain.002 nor CFONB 120";

const statementsFile = (format: StatementFormat, statements: BankStatement[]): BankFile => ({ kind: "statements", format, statements });

/** The first non-blank character of the file's head, a BOM skipped. */
function firstCharacter(head: Uint8Array): string {
  const text = Buffer.from(head)
    .toString("latin1")
    .replace(/^\u00ef\u00bb\u00bf/, "");
  return text.trimStart().charAt(0);
}

/**
 * Reads a bank file as it streams in: a camt.053 statement (.001.02, .001.08), a pain.002
 * status report (.001.03, .001.10) or a CFONB 120 statement, told apart by their content,
 * never by a name or a media type. Throws BankFileError naming the line or record.
 */
export async function readBankFile(input: AsyncIterable<Uint8Array> | Uint8Array): Promise<BankFile> {
  const { head, bytes } = await peek(input);
  if (firstCharacter(head) === "<") return readXml(bytes, declaredEncoding(head));
  if (looksLikeCfonb(head)) return readCfonb(bytes);
  throw new BankFileError(NEITHER, 1);
}

/** A CFONB 120 file starts with a record code and a five-digit bank code. */
function looksLikeCfonb(head: Uint8Array): boolean {
  const text = Buffer.from(head)
    .toString("latin1")
    .replace(/^\u00ef\u00bb\u00bf/, "");
  return /^0[1457]\d{5}/.test(text);
}

async function readCfonb(bytes: AsyncIterable<Uint8Array>): Promise<BankFile> {
  const reader = new Cfonb120Reader();
  for await (const record of cfonbRecords(decodeText(bytes, null))) reader.read(record);
  reader.end();
  return statementsFile("cfonb120", reader.statements);
}

async function readXml(bytes: AsyncIterable<Uint8Array>, encoding: string | null): Promise<BankFile> {
  const xml = new XmlPathReader(["/Document/BkToCstmrStmt", "/Document/CstmrPmtStsRpt", ...CAMT053_PATHS, ...PAIN002_PATHS]);
  let namespace: string | null = null;
  let result: (() => BankFile) | null = null;
  // Chooses the reader from the root and its first child, then hands it every element.
  const dispatcher: XmlHandler = {
    open(path, attributes) {
      if (path === "/Document") {
        namespace =
          Object.entries(attributes).find(([name, value]) => (name === "xmlns" || name.startsWith("xmlns:")) && value.startsWith(ISO_NAMESPACE))?.[1] ?? null;
        return;
      }
      const version = namespace?.slice(ISO_NAMESPACE.length) ?? null;
      if (path === "/Document/BkToCstmrStmt" && version?.startsWith("camt.053.")) {
        if (!CAMT053_VERSIONS.includes(version)) throw xml.error(`${version} is not a camt.053 version we read (${CAMT053_VERSIONS.join(", ")})`);
        const reader = new Camt053Reader(xml);
        xml.setHandler(reader);
        result = () => statementsFile("camt.053", reader.statements);
        return;
      }
      if (path === "/Document/CstmrPmtStsRpt" && version?.startsWith("pain.002.")) {
        if (!PAIN002_VERSIONS.includes(version)) throw xml.error(`${version} is not a pain.002 version we read (${PAIN002_VERSIONS.join(", ")})`);
        const reader = new Pain002Reader(xml);
        xml.setHandler(reader);
        result = () => ({ kind: "status_report", reports: [reader.report()] });
        return;
      }
      throw xml.error(NEITHER);
    },
    close() {},
  };
  xml.setHandler(dispatcher);
  for await (const text of decodeText(bytes, encoding)) xml.write(text);
  xml.end();
  if (!result) throw new BankFileError(NEITHER, 1);
  return (result as () => BankFile)();
}
