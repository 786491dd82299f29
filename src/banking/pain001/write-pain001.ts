import { XMLBuilder } from "fast-xml-parser";
import type { PainVersion } from "../../domain/bank-accounts";
import { isCalendarDate } from "../../domain/business-date";
import { ValidationError } from "../../domain/errors";
import { normalizeIban } from "../../domain/iban";
import { decimalEuros } from "../../domain/money";
import { epcText, isEpcIdentifier } from "./epc-text";
import type { PainAddress, PainDebtor, PainFileInput, PainGroup, PainOrder } from "./types";

/** EPC ceiling for one transfer (999 999 999,99 €); the ledger's own ceiling is far below. */
const MAX_TRANSFER_CENTS = 99_999_999_999n;
/** Text is handed on in chunks of about this many characters, never as one document. */
const CHUNK_CHARS = 64 * 1024;
/** The .03 schema's BIC pattern, the stricter of the two versions, so it passes both. */
const BIC = /^[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?$/;
const COUNTRY = /^[A-Z]{2}$/;
/** Distinct creditor IBANs remembered per file. */
const IBAN_MEMO = 10_000;

/** A tree of elements: `@name` keys are attributes, `#` the text beside them. */
type Elements = { [name: string]: string | Elements };

/**
 * The parts written once per file (header, payment block): fast-xml-parser's builder
 * (a plain serialiser) escapes the text. One line each.
 */
const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@", textNodeName: "#" });
const xml = (elements: Elements): string => `${builder.build(elements) as string}\n`;

/** The builder's escaping (its default entities, `&` first): the transactions give the same bytes as through it. */
const ENTITIES: Record<string, string> = { "&": "&amp;", ">": "&gt;", "<": "&lt;", "'": "&apos;", '"': "&quot;" };
const SPECIAL = /[&<>'"]/;
const SPECIALS = /[&<>'"]/g;
const escapeXml = (text: string): string => (SPECIAL.test(text) ? text.replace(SPECIALS, (c) => ENTITIES[c]!) : text);

/** Where the two versions differ, in one place. */
const DIALECT = {
  "pain.001.001.09": { bic: "BICFI", executionDate: (date: string): Elements | string => ({ Dt: date }) },
  "pain.001.001.03": { bic: "BIC", executionDate: (date: string): Elements | string => date },
} as const satisfies Record<PainVersion, unknown>;

/**
 * Writes a SEPA credit-transfer initiation (pain.001.001.09 or .03, the debtor account's
 * choice) as chunks of text (UTF-8 once encoded): one PmtInf per execution date (a file is for one
 * debtor account), ChrgBr SLEV, service level SEPA, amounts from integer cents.
 * Orders are pulled one at a time from `input.orders`, so memory stays flat whatever
 * the batch size. The same input gives the same bytes (MsgId and CreDtTm are inputs).
 *
 * Throws ValidationError on input the file cannot carry, including orders that do not
 * add up to the stated groups; text already yielded must then be discarded.
 */
export async function* writePain001(input: PainFileInput): AsyncGenerator<string, void, undefined> {
  const version = input.debtor.painVersion;
  const dialect = DIALECT[version];
  const groups = checkGroups(input.groups);
  if (!isEpcIdentifier(input.msgId)) throw new ValidationError("MsgId must be 1 to 35 characters of the EPC set");
  const initiatingParty = required(epcText(input.initiatingParty, 70), "initiating party name");
  const debtor = debtorParts(input.debtor, dialect.bic);

  let chunks: string[] = [];
  let size = 0;
  const write = (text: string) => {
    chunks.push(text);
    size += text.length;
  };
  const take = (): string => {
    const text = chunks.join("");
    chunks = [];
    size = 0;
    return text;
  };

  // The elements that hold the streamed parts are opened and closed by hand (fixed names,
  // no data); everything carrying data is built by the XML library, which escapes it.
  write(`<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:${version}">\n<CstmrCdtTrfInitn>\n`);
  write(
    xml({
      GrpHdr: {
        MsgId: input.msgId,
        CreDtTm: `${input.createdAt.toISOString().slice(0, 19)}Z`,
        NbOfTxs: String(groups.reduce((n, g) => n + g.count, 0)),
        CtrlSum: decimalEuros(groups.reduce((sum, g) => sum + g.totalCents, 0n)),
        InitgPty: { Nm: initiatingParty },
      },
    }),
  );

  // A landlord paid for many tenants is checked once (ibantools' checksum is most of an
  // order's cost); bounded, so that a file of distinct creditors keeps a flat memory.
  const checked = new Map<string, string | null>();
  const creditorIban = (raw: string): string | null => {
    let iban = checked.get(raw);
    if (iban === undefined) {
      if (checked.size >= IBAN_MEMO) checked.clear();
      iban = normalizeIban(raw);
      checked.set(raw, iban);
    }
    return iban;
  };
  const seen = new Set<string>();
  let index = -1;
  let open: { group: PainGroup; count: number; totalCents: bigint } | undefined;
  const close = () => {
    if (!open) return;
    if (open.count !== open.group.count || open.totalCents !== open.group.totalCents) {
      throw new ValidationError(`the orders of ${open.group.executionDate} do not add up to the stated count and total`);
    }
    write("</PmtInf>\n");
    open = undefined;
  };

  for await (const order of input.orders) {
    if (open?.group.executionDate !== order.executionDate) {
      close();
      const group = groups[++index];
      if (group?.executionDate !== order.executionDate) {
        throw new ValidationError("orders must arrive grouped by execution date, in the order of the stated groups");
      }
      open = { group, count: 0, totalCents: 0n };
      write("<PmtInf>");
      write(
        xml({
          PmtInfId: `${input.msgId.slice(0, 26)}-${group.executionDate.replace(/-/g, "")}`,
          PmtMtd: "TRF",
          BtchBookg: String(input.debtor.batchBooking),
          NbOfTxs: String(group.count),
          CtrlSum: decimalEuros(group.totalCents),
          PmtTpInf: { SvcLvl: { Cd: "SEPA" } },
          ReqdExctnDt: dialect.executionDate(group.executionDate),
          ...debtor,
          ChrgBr: "SLEV",
        }),
      );
    }
    if (seen.has(order.endToEndId)) throw new ValidationError("EndToEndId must be unique in a file");
    seen.add(order.endToEndId);
    write(transaction(order, dialect.bic, creditorIban));
    open.count += 1;
    open.totalCents += order.amountCents;
    if (size >= CHUNK_CHARS) yield take();
  }
  close();
  if (index !== groups.length - 1) throw new ValidationError("a stated group has no order");
  write("</CstmrCdtTrfInitn>\n</Document>\n");
  yield take();
}

function checkGroups(groups: readonly PainGroup[]): readonly PainGroup[] {
  if (groups.length === 0) throw new ValidationError("a transfer file needs at least one order");
  const dates = new Set<string>();
  for (const g of groups) {
    if (!isCalendarDate(g.executionDate)) throw new ValidationError("an execution date is not a calendar date");
    if (dates.has(g.executionDate)) throw new ValidationError("one group per execution date");
    dates.add(g.executionDate);
    if (!Number.isSafeInteger(g.count) || g.count < 1 || g.totalCents < BigInt(g.count)) {
      throw new ValidationError("a group has at least one order and a total of at least one cent per order");
    }
  }
  return groups;
}

function debtorParts(debtor: PainDebtor, bicElement: string): Elements {
  const iban = normalizeIban(debtor.iban);
  if (!iban) throw new ValidationError("the debtor IBAN fails its checksum");
  const bic = debtor.bic ? checkBic(debtor.bic) : undefined;
  return {
    Dbtr: { Nm: required(epcText(debtor.name, 70), "debtor name") },
    DbtrAcct: { Id: { IBAN: iban } },
    // SEPA lets the IBAN alone route the payment: the agent is then "not provided".
    DbtrAgt: { FinInstnId: bic ? { [bicElement]: bic } : { Othr: { Id: "NOTPROVIDED" } } },
  };
}

/**
 * One transaction on one line, as the builder would write `{ CdtTrfTxInf: … }` (the same
 * elements, order and escaping), by hand: it runs 100 000 times a file and the builder
 * was most of the writer's time. The order's execution date was matched against its
 * group's, which checkGroups checked.
 */
function transaction(order: PainOrder, bicElement: string, creditorIban: (raw: string) => string | null): string {
  if (!isEpcIdentifier(order.endToEndId)) throw new ValidationError("EndToEndId must be 1 to 35 characters of the EPC set");
  if (typeof order.amountCents !== "bigint" || order.amountCents < 1n || order.amountCents > MAX_TRANSFER_CENTS) {
    throw new ValidationError("a transfer amount is between 0,01 € and 999 999 999,99 €");
  }
  const iban = creditorIban(order.creditorIban);
  if (!iban) throw new ValidationError("a creditor IBAN fails its checksum");
  const bic = order.creditorBic ? checkBic(order.creditorBic) : undefined;
  const address = order.creditorAddress ? postalAddress(order.creditorAddress) : "";
  const name = required(epcText(order.creditorName, 70), "creditor name");
  const remittance = epcText(order.remittance, 140);
  return (
    `<CdtTrfTxInf><PmtId><EndToEndId>${escapeXml(order.endToEndId)}</EndToEndId></PmtId>` +
    `<Amt><InstdAmt Ccy="EUR">${decimalEuros(order.amountCents)}</InstdAmt></Amt>` +
    (bic ? `<CdtrAgt><FinInstnId><${bicElement}>${bic}</${bicElement}></FinInstnId></CdtrAgt>` : "") +
    `<Cdtr><Nm>${escapeXml(name)}</Nm>${address}</Cdtr>` +
    `<CdtrAcct><Id><IBAN>${iban}</IBAN></Id></CdtrAcct>` +
    (remittance ? `<RmtInf><Ustrd>${escapeXml(remittance)}</Ustrd></RmtInf>` : "") +
    "</CdtTrfTxInf>\n"
  );
}

/** Structured address (EPC 2023): street, postal code, town and country, in schema order (PstlAdr). */
function postalAddress(address: PainAddress): string {
  const country = address.country.trim().toUpperCase();
  if (!COUNTRY.test(country)) throw new ValidationError("an address country is an ISO 3166 alpha-2 code");
  const street = epcText(address.street, 70);
  const postalCode = epcText(address.postalCode, 16);
  const town = required(epcText(address.town, 35), "address town");
  return (
    "<PstlAdr>" +
    (street ? `<StrtNm>${escapeXml(street)}</StrtNm>` : "") +
    (postalCode ? `<PstCd>${escapeXml(postalCode)}</PstCd>` : "") +
    `<TwnNm>${escapeXml(town)}</TwnNm><Ctry>${country}</Ctry></PstlAdr>`
  );
}

function checkBic(value: string): string {
  const bic = value.replace(/\s+/g, "").toUpperCase();
  if (!BIC.test(bic)) throw new ValidationError("a BIC is 8 or 11 letters and digits");
  return bic;
}

function required(value: string | undefined, what: string): string {
  if (value === undefined) throw new ValidationError(`${what} has no character a bank accepts`);
  return value;
}

/** The whole file as one string: for small batches, tests, or storing a batch's file once. */
export async function pain001Text(input: PainFileInput): Promise<string> {
  const parts: string[] = [];
  for await (const part of writePain001(input)) parts.push(part);
  return parts.join("");
}

/**
 * For orders already in memory: sorts them by execution date (stable) and states the
 * groups, then writes the file.
 */
export function pain001FromOrders(input: Omit<PainFileInput, "groups" | "orders"> & { orders: readonly PainOrder[] }): Promise<string> {
  const orders = [...input.orders].sort((a, b) => (a.executionDate < b.executionDate ? -1 : a.executionDate > b.executionDate ? 1 : 0));
  const groups = new Map<string, PainGroup>();
  for (const order of orders) {
    const group = groups.get(order.executionDate) ?? { executionDate: order.executionDate, count: 0, totalCents: 0n };
    groups.set(order.executionDate, { ...group, count: group.count + 1, totalCents: group.totalCents + order.amountCents });
  }
  return pain001Text({ ...input, groups: [...groups.values()], orders });
}
