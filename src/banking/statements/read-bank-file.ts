import { cfonbRecords } from "./cfonb-records";
import { declaredEncoding, decodeText, peek } from "./decode";
import { CAMT053_PATHS, Camt053Reader } from "./read-camt053";
import { Cfonb120Reader } from "./read-cfonb120";
import { PAIN002_PATHS, Pain002Reader } from "./read-pain002";
import { type BankEntry, type BankFile, BankFileError, type BankStatement, type StatementSink, type StatementSource, type StreamedBankFile } from "./types";
import { type XmlHandler, XmlPathReader } from "./xml-reader";

const ISO_NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:";
const CAMT053_VERSIONS = ["camt.053.001.02", "camt.053.001.08"];
const PAIN002_VERSIONS = ["pain.002.001.03", "pain.002.001.10"];
const NEITHER = "neither camt.053, pain.002 nor CFONB 120";

/** The first non-blank character of the file's head, a BOM skipped. */
function firstCharacter(head: Uint8Array): string {
  const text = Buffer.from(head)
    .toString("latin1")
    .replace(/^\u00ef\u00bb\u00bf/, "");
  return text.trimStart().charAt(0);
}

/** Entries gathered before they are handed on to the sink (a few MB of heap at most). */
const ENTRIES_PER_HAND_OVER = 1_000;

/**
 * Reads a bank file as it streams in: a camt.053 statement (.001.02, .001.08), a pain.002
 * status report (.001.03, .001.10) or a CFONB 120 statement, told apart by their content,
 * never by a name or a media type. The statements' entries go to `sink` a bounded number at
 * a time as they are read (the file is never held whole; the sink is awaited, so a slow
 * sink slows the reading). Throws BankFileError naming the line or record, possibly after
 * the sink was given entries: the sink must be undone then (one transaction, import-statements.ts).
 *
 * In two steps: the file's head is read and its format told here (a file that is none is
 * refused at once), then the returned function reads the rest to a sink. The stream is
 * being read from the first step on, so a body failing in between fails the second step,
 * never the process.
 */
export async function openBankFile(input: AsyncIterable<Uint8Array> | Uint8Array): Promise<(sink: StatementSink) => Promise<StreamedBankFile>> {
  const { head, bytes } = await peek(input);
  if (firstCharacter(head) === "<") return (sink) => readXml(bytes, declaredEncoding(head), sink);
  if (looksLikeCfonb(head)) return (sink) => readCfonb(bytes, sink);
  throw new BankFileError(NEITHER, 1);
}

/** Reads a whole bank file into memory: for tests and small files (imports stream, `openBankFile`). */
export async function readBankFile(input: AsyncIterable<Uint8Array> | Uint8Array): Promise<BankFile> {
  const statements: BankStatement[] = [];
  const open: BankEntry[][] = [];
  const read = await (await openBankFile(input))({
    async entries(index, _head, entries) {
      const gathered = open[index] ?? [];
      for (const entry of entries) gathered.push(entry);
      open[index] = gathered;
    },
    async statement(index, statement) {
      statements.push({ ...statement, entries: [...(open[index] ?? []), ...statement.entries] });
      open[index] = [];
    },
  });
  return read.kind === "status_report" ? read : { kind: "statements", format: read.format, statements };
}

/** Hands the finished statements, then the open one's entries, to the sink. */
class Drain {
  private index = 0;
  constructor(private readonly sink: StatementSink) {}

  async run(source: StatementSource, force: boolean): Promise<void> {
    while (source.statements.length > 0) await this.sink.statement(this.index++, source.statements.shift()!);
    if (!force && source.pendingCount() < ENTRIES_PER_HAND_OVER) return;
    const pending = source.pending();
    if (pending) await this.sink.entries(this.index, pending.head, pending.entries);
  }
}

/** A CFONB 120 file starts with a record code and a five-digit bank code. */
function looksLikeCfonb(head: Uint8Array): boolean {
  const text = Buffer.from(head)
    .toString("latin1")
    .replace(/^\u00ef\u00bb\u00bf/, "");
  return /^0[1457]\d{5}/.test(text);
}

async function readCfonb(bytes: AsyncIterable<Uint8Array>, sink: StatementSink): Promise<StreamedBankFile> {
  const reader = new Cfonb120Reader();
  const drain = new Drain(sink);
  for await (const record of cfonbRecords(decodeText(bytes, null))) {
    reader.read(record);
    if (reader.statements.length > 0 || reader.pendingCount() >= ENTRIES_PER_HAND_OVER) await drain.run(reader, false);
  }
  reader.end();
  await drain.run(reader, true);
  return { kind: "statements", format: "cfonb120" };
}

async function readXml(bytes: AsyncIterable<Uint8Array>, encoding: string | null, sink: StatementSink): Promise<StreamedBankFile> {
  const xml = new XmlPathReader(["/Document/BkToCstmrStmt", "/Document/CstmrPmtStsRpt", ...CAMT053_PATHS, ...PAIN002_PATHS], NEITHER);
  let namespace: string | null = null;
  let result: (() => StreamedBankFile) | null = null;
  let camt: Camt053Reader | null = null;
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
        camt = reader;
        xml.setHandler(reader);
        result = () => ({ kind: "statements", format: "camt.053" });
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
  const drain = new Drain(sink);
  for await (const text of decodeText(bytes, encoding)) {
    xml.write(text);
    if (camt) await drain.run(camt, false);
  }
  xml.end();
  if (!result) throw new BankFileError(NEITHER, 1);
  if (camt) await drain.run(camt, true);
  return (result as () => StreamedBankFile)();
}
