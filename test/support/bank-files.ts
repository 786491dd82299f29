import iconv from "iconv-lite";
import { cfonbCodeOfIsoReason } from "../../src/domain/cfonb-reject-reasons";

/**
 * Bank files written the way banks write them, from a few fields, for tests and benchmarks:
 * camt.053 (.001.02/.001.08, whole or streamed in chunks), CFONB 120 (with or without line
 * breaks, UTF-8 or ISO-8859-1) and pain.002. Amounts are signed integer cents (credit > 0).
 */

export interface GeneratedDetail {
  /** Signed cents of this transaction (same sign as its entry). */
  amount: bigint;
  name?: string;
  iban?: string;
  remittance?: string;
  endToEndId?: string;
  returnReason?: string;
  chequeNumber?: string;
}

export interface GeneratedEntry {
  /** Signed cents: credit > 0, debit < 0. */
  amount: bigint;
  bookingDate: string;
  valueDate?: string;
  /** The counterparty: debtor of a credit, creditor of a debit. */
  name?: string;
  iban?: string;
  remittance?: string;
  endToEndId?: string;
  /** ISO reason of a return (camt RtrInf; CFONB: the matching CFONB code). */
  returnReason?: string;
  chequeNumber?: string;
  bankReference?: string;
  /** camt AddtlNtryInf; CFONB the 04 label (31 characters; default "VIR " + name). */
  label?: string;
  /** camt: "PMNT/RCDT/ESCT" by default; CFONB: the interbank code, "05" by default. */
  transactionCode?: string;
  /** Batch booking: the transactions this one line books (camt only). */
  details?: GeneratedDetail[];
  batchId?: string;
}

export interface GeneratedStatement {
  iban: string;
  from: string;
  to: string;
  opening: bigint;
  /** Default: opening plus the entries (an inconsistent statement gives another). */
  closing?: bigint;
  id?: string;
  /** An array, or any iterable read once when `closing` is given (a 100 000-line generator). */
  entries: Iterable<GeneratedEntry>;
}

type Statements = GeneratedStatement | { statements: GeneratedStatement[] };
const statementsOf = (input: Statements): GeneratedStatement[] => ("statements" in input ? input.statements : [input]);

const closingOf = (statement: GeneratedStatement): bigint => {
  if (statement.closing !== undefined) return statement.closing;
  let total = statement.opening;
  for (const entry of statement.entries) total += entry.amount;
  return total;
};

const abs = (cents: bigint) => (cents < 0n ? -cents : cents);
const decimal = (cents: bigint) => {
  const value = abs(cents);
  return `${value / 100n}.${String(value % 100n).padStart(2, "0")}`;
};
const xml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const sign = (cents: bigint) => (cents < 0n ? "DBIT" : "CRDT");

// ---------------------------------------------------------------------------------- camt.053

export type CamtVersion = "camt.053.001.02" | "camt.053.001.08";
export interface CamtOptions {
  version?: CamtVersion;
  /** The encoding the prolog declares and the bytes use (chunks only; strings are text). */
  encoding?: "UTF-8" | "ISO-8859-1";
  /** A currency other than EUR on every amount (bad-input tests). */
  currency?: string;
}

function camtBalance(code: string, cents: bigint, date: string, currency: string): string {
  return `<Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp><Amt Ccy="${currency}">${decimal(cents)}</Amt><CdtDbtInd>${sign(cents)}</CdtDbtInd><Dt><Dt>${date}</Dt></Dt></Bal>\n`;
}

function camtParty(role: "Dbtr" | "Cdtr", name: string | undefined, iban: string | undefined, v8: boolean): string {
  let out = "";
  if (name) out += v8 ? `<${role}><Pty><Nm>${xml(name)}</Nm></Pty></${role}>` : `<${role}><Nm>${xml(name)}</Nm></${role}>`;
  if (iban) out += `<${role}Acct><Id><IBAN>${iban}</IBAN></Id></${role}Acct>`;
  return out;
}

function camtTransaction(detail: GeneratedDetail, credit: boolean, currency: string, v8: boolean): string {
  const refs = `${detail.endToEndId ? `<EndToEndId>${xml(detail.endToEndId)}</EndToEndId>` : "<EndToEndId>NOTPROVIDED</EndToEndId>"}${detail.chequeNumber ? `<ChqNb>${xml(detail.chequeNumber)}</ChqNb>` : ""}`;
  const parties = camtParty(credit ? "Dbtr" : "Cdtr", detail.name, detail.iban, v8);
  return [
    "<TxDtls>",
    `<Refs>${refs}</Refs>`,
    `<AmtDtls><TxAmt><Amt Ccy="${currency}">${decimal(detail.amount)}</Amt></TxAmt></AmtDtls>`,
    parties ? `<RltdPties>${parties}</RltdPties>` : "",
    detail.remittance ? `<RmtInf><Ustrd>${xml(detail.remittance)}</Ustrd></RmtInf>` : "",
    detail.returnReason ? `<RtrInf><Rsn><Cd>${detail.returnReason}</Cd></Rsn></RtrInf>` : "",
    "</TxDtls>",
  ].join("");
}

function camtEntry(entry: GeneratedEntry, currency: string, v8: boolean): string {
  const credit = entry.amount > 0n;
  const [domain, family, subFamily] = (entry.transactionCode ?? (credit ? "PMNT/RCDT/ESCT" : "PMNT/ICDT/ESCT")).split("/");
  const details: GeneratedDetail[] = entry.details ?? [
    {
      amount: entry.amount,
      name: entry.name,
      iban: entry.iban,
      remittance: entry.remittance,
      endToEndId: entry.endToEndId,
      returnReason: entry.returnReason,
      chequeNumber: entry.chequeNumber,
    },
  ];
  const batch = entry.details
    ? `<Btch>${entry.batchId ? `<PmtInfId>${xml(entry.batchId)}</PmtInfId>` : ""}<NbOfTxs>${entry.details.length}</NbOfTxs></Btch>`
    : "";
  return [
    `<Ntry>`,
    entry.bankReference ? `<NtryRef>${xml(entry.bankReference)}</NtryRef>` : "",
    `<Amt Ccy="${currency}">${decimal(entry.amount)}</Amt><CdtDbtInd>${sign(entry.amount)}</CdtDbtInd>`,
    v8 ? "<Sts><Cd>BOOK</Cd></Sts>" : "<Sts>BOOK</Sts>",
    `<BookgDt><Dt>${entry.bookingDate}</Dt></BookgDt><ValDt><Dt>${entry.valueDate ?? entry.bookingDate}</Dt></ValDt>`,
    entry.bankReference ? `<AcctSvcrRef>${xml(entry.bankReference)}</AcctSvcrRef>` : "",
    `<BkTxCd><Domn><Cd>${domain}</Cd><Fmly><Cd>${family}</Cd><SubFmlyCd>${subFamily}</SubFmlyCd></Fmly></Domn></BkTxCd>`,
    `<NtryDtls>${batch}${details.map((d) => camtTransaction(d, credit, currency, v8)).join("")}</NtryDtls>`,
    entry.label ? `<AddtlNtryInf>${xml(entry.label)}</AddtlNtryInf>` : "",
    "</Ntry>\n",
  ].join("");
}

/** The pieces of a camt.053 file, in order (small strings: the caller joins or streams them). */
function* camtPieces(input: Statements, options: CamtOptions): Generator<string> {
  const version = options.version ?? "camt.053.001.02";
  const currency = options.currency ?? "EUR";
  const v8 = version === "camt.053.001.08";
  yield `<?xml version="1.0" encoding="${options.encoding ?? "UTF-8"}"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:${version}">\n<BkToCstmrStmt>\n`;
  yield "<GrpHdr><MsgId>GEN-STATEMENT</MsgId><CreDtTm>2026-01-31T20:00:00</CreDtTm></GrpHdr>\n";
  for (const [index, statement] of statementsOf(input).entries()) {
    const closing = closingOf(statement);
    yield `<Stmt><Id>${xml(statement.id ?? `STMT-${index + 1}`)}</Id><CreDtTm>${statement.to}T20:00:00</CreDtTm>`;
    yield `<Acct><Id><IBAN>${statement.iban}</IBAN></Id><Ccy>${currency}</Ccy></Acct>\n`;
    yield camtBalance("OPBD", statement.opening, statement.from, currency);
    yield camtBalance("CLBD", closing, statement.to, currency);
    for (const entry of statement.entries) yield camtEntry(entry, currency, v8);
    yield "</Stmt>\n";
  }
  yield "</BkToCstmrStmt>\n</Document>\n";
}

/** A camt.053 file as a string. */
export function camt053(input: Statements, options: CamtOptions = {}): string {
  return [...camtPieces(input, options)].join("");
}

/** A camt.053 file streamed in chunks of about `chunkSize` bytes: 100 000 entries never held whole. */
export async function* camt053Chunks(input: Statements, options: CamtOptions & { chunkSize?: number } = {}): AsyncGenerator<Uint8Array> {
  const size = options.chunkSize ?? 1 << 16;
  // iconv-lite writes "?" for what ISO-8859-1 lacks, as a bank's export would.
  const encode = (text: string) => (options.encoding === "ISO-8859-1" ? iconv.encode(text, "iso-8859-1") : Buffer.from(text, "utf8"));
  let pending = "";
  for (const piece of camtPieces(input, options)) {
    pending += piece;
    if (pending.length >= size) {
      yield encode(pending);
      pending = "";
    }
  }
  if (pending) yield encode(pending);
}

// ---------------------------------------------------------------------------------- CFONB 120

export interface CfonbOptions {
  lineBreaks: boolean | "CRLF" | "LF";
  encoding: "utf-8" | "latin1";
}

const OVERPUNCH_POSITIVE = "{ABCDEFGHI";
const OVERPUNCH_NEGATIVE = "}JKLMNOPQR";

/** A CFONB amount: 14 characters, the last digit overpunched with the sign. */
export function cfonbAmount(cents: bigint): string {
  const digits = String(abs(cents)).padStart(14, "0");
  const last = Number(digits.charAt(13));
  return digits.slice(0, 13) + (cents < 0n ? OVERPUNCH_NEGATIVE : OVERPUNCH_POSITIVE).charAt(last);
}

const ddmmyy = (date: string) => `${date.slice(8, 10)}${date.slice(5, 7)}${date.slice(2, 4)}`;
const field = (text: string, width: number) => text.slice(0, width).padEnd(width, " ");

function ribOf(iban: string): { bank: string; branch: string; account: string } {
  const compact = iban.replace(/\s+/g, "").toUpperCase();
  if (!compact.startsWith("FR") || compact.length !== 27) throw new RangeError("a CFONB statement needs a French IBAN");
  return { bank: compact.slice(4, 9), branch: compact.slice(9, 14), account: compact.slice(14, 25) };
}

/** A CFONB 120 record of the given code; `middle` fills columns 33–90, `tail` columns 105–120. */
function cfonbRecord(
  code: string,
  rib: { bank: string; branch: string; account: string },
  middle: string,
  amount: string,
  tail = "",
  internal = "    ",
): string {
  const record = `${code}${rib.bank}${field(internal, 4)}${rib.branch}EUR2 ${rib.account}${field(middle, 58)}${amount}${field(tail, 16)}`;
  if (record.length !== 120) throw new Error(`generated a CFONB record of ${record.length} characters`);
  return record;
}

/** The CFONB 120 records (each 120 characters) of the statements. */
export function cfonb120Records(input: Statements): string[] {
  const records: string[] = [];
  for (const statement of statementsOf(input)) {
    const rib = ribOf(statement.iban);
    const closing = closingOf(statement);
    records.push(cfonbRecord("01", rib, `  ${ddmmyy(statement.from)}`, cfonbAmount(statement.opening)));
    for (const entry of statement.entries) {
      const operation = field(entry.transactionCode ?? "05", 2);
      const booking = ddmmyy(entry.bookingDate);
      const reject = entry.returnReason ? (cfonbCodeOfIsoReason(entry.returnReason) ?? "60") : "  ";
      const label = entry.label ?? `VIR ${entry.name ?? ""}`.trim();
      const middle = `${operation}${booking}${reject}${ddmmyy(entry.valueDate ?? entry.bookingDate)}${field(label, 31)}  0000001  `;
      records.push(cfonbRecord("04", rib, middle, cfonbAmount(entry.amount), entry.bankReference ?? "", "0005"));
      const complement = (qualifier: string, info: string) =>
        records.push(`05${rib.bank}0005${rib.branch}EUR2 ${rib.account}${operation}${booking}     ${qualifier}${field(info, 70)}  `);
      for (let start = 0; entry.remittance && start < entry.remittance.length; start += 70) complement("LIB", entry.remittance.slice(start, start + 70));
      if (entry.name) complement(entry.amount > 0n ? "NPY" : "NBE", entry.name);
      if (entry.endToEndId) complement("RCN", entry.endToEndId);
    }
    records.push(cfonbRecord("07", rib, `  ${ddmmyy(statement.to)}`, cfonbAmount(closing)));
  }
  return records;
}

/** A CFONB 120 file: records joined by CRLF or LF (`true` is CRLF) or by nothing. */
export function cfonb120(input: Statements, options: CfonbOptions): Buffer {
  const records = cfonb120Records(input);
  const separator = options.lineBreaks === false ? "" : options.lineBreaks === "LF" ? "\n" : "\r\n";
  const text = records.join(separator) + separator;
  return options.encoding === "latin1" ? iconv.encode(text, "iso-8859-1") : Buffer.from(text, "utf8");
}

// ---------------------------------------------------------------------------------- pain.002

export interface GeneratedStatusReport {
  originalMessageId: string;
  groupStatus?: string;
  groupReason?: string;
  paymentInformationId?: string;
  paymentInformationStatus?: string;
  transactions: { endToEndId: string; status?: string; reasonCode?: string; date?: string }[];
  version?: "pain.002.001.03" | "pain.002.001.10";
  createdAt?: string;
}

/** A pain.002 customer payment status report on one of our pain.001 files. */
export function pain002(input: GeneratedStatusReport): string {
  const version = input.version ?? "pain.002.001.03";
  const reason = (code: string | undefined) => (code ? `<StsRsnInf><Rsn><Cd>${code}</Cd></Rsn></StsRsnInf>` : "");
  const transactions = input.transactions
    .map(
      (tx, i) =>
        `<TxInfAndSts><StsId>S${i + 1}</StsId><OrgnlEndToEndId>${xml(tx.endToEndId)}</OrgnlEndToEndId>${tx.status ? `<TxSts>${tx.status}</TxSts>` : ""}${reason(tx.reasonCode)}${tx.date ? `<AccptncDtTm>${tx.date}T10:00:00</AccptncDtTm>` : ""}</TxInfAndSts>`,
    )
    .join("\n");
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:${version}"><CstmrPmtStsRpt>`,
    `<GrpHdr><MsgId>STS-${xml(input.originalMessageId)}</MsgId><CreDtTm>${input.createdAt ?? "2026-02-02T08:00:00"}</CreDtTm></GrpHdr>`,
    `<OrgnlGrpInfAndSts><OrgnlMsgId>${xml(input.originalMessageId)}</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId>${input.groupStatus ? `<GrpSts>${input.groupStatus}</GrpSts>` : ""}${reason(input.groupReason)}</OrgnlGrpInfAndSts>`,
    `<OrgnlPmtInfAndSts><OrgnlPmtInfId>${xml(input.paymentInformationId ?? `${input.originalMessageId}-1`)}</OrgnlPmtInfId>${input.paymentInformationStatus ? `<PmtInfSts>${input.paymentInformationStatus}</PmtInfSts>` : ""}`,
    transactions,
    "</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>",
    "",
  ].join("\n");
}
