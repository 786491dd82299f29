import { decimalToCents, isoDate } from "./amounts";
import type { BankEntry, BankEntryDetail, BankStatement, StatementHead, StatementSource } from "./types";
import type { XmlHandler, XmlPathReader } from "./xml-reader";

const STMT = "/Document/BkToCstmrStmt/Stmt";
const BAL = `${STMT}/Bal`;
const NTRY = `${STMT}/Ntry`;
const TX = `${NTRY}/NtryDtls/TxDtls`;

/** Every element the reader looks at; the XML reader skips the others without reporting them. */
export const CAMT053_PATHS = [STMT, BAL, NTRY, TX].concat(
  [
    "/Acct/Ccy",
    "/Acct/Id/IBAN",
    "/Bal/Amt",
    "/Bal/CdtDbtInd",
    "/Bal/Dt/Dt",
    "/Bal/Dt/DtTm",
    "/Bal/Tp/CdOrPrtry/Cd",
    "/Id",
    "/Ntry/AcctSvcrRef",
    "/Ntry/AddtlNtryInf",
    "/Ntry/Amt",
    "/Ntry/BkTxCd/Domn/Cd",
    "/Ntry/BkTxCd/Domn/Fmly/Cd",
    "/Ntry/BkTxCd/Domn/Fmly/SubFmlyCd",
    "/Ntry/BkTxCd/Prtry/Cd",
    "/Ntry/BookgDt/Dt",
    "/Ntry/BookgDt/DtTm",
    "/Ntry/CdtDbtInd",
    "/Ntry/NtryDtls/Btch/MsgId",
    "/Ntry/NtryDtls/Btch/NbOfTxs",
    "/Ntry/NtryDtls/Btch/PmtInfId",
    "/Ntry/NtryDtls/TxDtls/Amt",
    "/Ntry/NtryDtls/TxDtls/AmtDtls/TxAmt/Amt",
    "/Ntry/NtryDtls/TxDtls/CdtDbtInd",
    "/Ntry/NtryDtls/TxDtls/Refs/ChqNb",
    "/Ntry/NtryDtls/TxDtls/Refs/EndToEndId",
    "/Ntry/NtryDtls/TxDtls/Refs/MsgId",
    "/Ntry/NtryDtls/TxDtls/Refs/PmtInfId",
    "/Ntry/NtryDtls/TxDtls/RltdPties/Cdtr/Nm",
    "/Ntry/NtryDtls/TxDtls/RltdPties/Cdtr/Pty/Nm",
    "/Ntry/NtryDtls/TxDtls/RltdPties/CdtrAcct/Id/IBAN",
    "/Ntry/NtryDtls/TxDtls/RltdPties/Dbtr/Nm",
    "/Ntry/NtryDtls/TxDtls/RltdPties/Dbtr/Pty/Nm",
    "/Ntry/NtryDtls/TxDtls/RltdPties/DbtrAcct/Id/IBAN",
    "/Ntry/NtryDtls/TxDtls/RltdPties/UltmtCdtr/Nm",
    "/Ntry/NtryDtls/TxDtls/RltdPties/UltmtCdtr/Pty/Nm",
    "/Ntry/NtryDtls/TxDtls/RltdPties/UltmtDbtr/Nm",
    "/Ntry/NtryDtls/TxDtls/RltdPties/UltmtDbtr/Pty/Nm",
    "/Ntry/NtryDtls/TxDtls/RmtInf/Ustrd",
    "/Ntry/NtryDtls/TxDtls/RtrInf/Rsn/Cd",
    "/Ntry/NtryRef",
    "/Ntry/Sts",
    "/Ntry/Sts/Cd",
    "/Ntry/ValDt/Dt",
    "/Ntry/ValDt/DtTm",
  ].map((rel) => STMT + rel),
);

interface Balance {
  code: string | null;
  amount: bigint | null;
  sign: string | null;
  date: string | null;
}

interface Detail {
  amount: bigint | null;
  sign: string | null;
  endToEndId: string | null;
  debtorName: string | null;
  ultimateDebtorName: string | null;
  debtorIban: string | null;
  creditorName: string | null;
  ultimateCreditorName: string | null;
  creditorIban: string | null;
  remittance: string[];
  returnReason: string | null;
  chequeNumber: string | null;
  messageId: string | null;
  paymentInfoId: string | null;
}

interface Entry {
  amount: bigint | null;
  sign: string | null;
  status: string | null;
  bookingDate: string | null;
  valueDate: string | null;
  entryRef: string | null;
  servicerRef: string | null;
  domain: string | null;
  family: string | null;
  subFamily: string | null;
  proprietary: string | null;
  info: string[];
  batchMessageId: string | null;
  batchPaymentInfoId: string | null;
  batchCount: number | null;
  details: Detail[];
}

interface Statement {
  id: string | null;
  iban: string | null;
  opening: Balance | null;
  closing: Balance | null;
  /** The entries not yet handed on (`pending`); `count` numbers them all. */
  entries: BankEntry[];
  count: number;
}

const newDetail = (): Detail => ({
  amount: null,
  sign: null,
  endToEndId: null,
  debtorName: null,
  ultimateDebtorName: null,
  debtorIban: null,
  creditorName: null,
  ultimateCreditorName: null,
  creditorIban: null,
  remittance: [],
  returnReason: null,
  chequeNumber: null,
  messageId: null,
  paymentInfoId: null,
});

const newEntry = (): Entry => ({
  amount: null,
  sign: null,
  status: null,
  bookingDate: null,
  valueDate: null,
  entryRef: null,
  servicerRef: null,
  domain: null,
  family: null,
  subFamily: null,
  proprietary: null,
  info: [],
  batchMessageId: null,
  batchPaymentInfoId: null,
  batchCount: null,
  details: [],
});

/** Empty text and the ISO placeholder "NOTPROVIDED" both mean the bank gave nothing. */
const given = (text: string): string | null => (text === "" || text.toUpperCase() === "NOTPROVIDED" ? null : text);

const signed = (amount: bigint, sign: string | null): bigint => (sign === "DBIT" ? -amount : amount);

/**
 * Reads the statements of a camt.053 (.001.02 and .001.08: the elements we read have the
 * same names, .08 nesting party names under `Pty`) as the SAX reader streams it, keeping
 * only the entries' fields. Entries whose status is not booked (PDNG, INFO) are skipped:
 * they are not in the closing balance.
 */
export class Camt053Reader implements XmlHandler, StatementSource {
  /** The statements finished and not yet taken (read-bank-file.ts drains them as the file streams). */
  readonly statements: BankStatement[] = [];
  /** How many statements were finished, taken or not. */
  private finished = 0;
  private statement: Statement | null = null;
  private balance: Balance | null = null;
  private entry: Entry | null = null;
  private detail: Detail | null = null;
  private entryNumber = 0;

  constructor(private readonly xml: XmlPathReader) {}

  private fail(message: string): never {
    throw this.xml.error(message);
  }

  /** The open statement's entries not yet handed on, taken: the reader keeps no hold on them. */
  pending(): { head: StatementHead; entries: BankEntry[] } | null {
    const statement = this.statement;
    // The schema puts Acct before the entries; a file that does not is read whole, its account known at its end.
    if (!statement || statement.entries.length === 0 || statement.iban === null) return null;
    const entries = statement.entries;
    statement.entries = [];
    return { head: { format: "camt.053", iban: statement.iban, rib: null }, entries };
  }

  pendingCount(): number {
    return this.statement?.iban ? this.statement.entries.length : 0;
  }

  private where(): string {
    return `entry ${this.entryNumber} of statement ${JSON.stringify(this.statement?.id ?? String(this.finished + 1))}`;
  }

  private amountOf(text: string, attributes: Record<string, string>, what: string): bigint {
    const currency = attributes.Ccy ?? "";
    if (currency !== "EUR") this.fail(`${what}: currency ${JSON.stringify(currency)}, only EUR is read`);
    const cents = decimalToCents(text);
    if (cents === null) this.fail(`${what}: ${JSON.stringify(text.slice(0, 40))} is not an amount in euros`);
    return cents;
  }

  private dateOf(text: string, what: string): string {
    const date = isoDate(text);
    if (date === null) this.fail(`${what}: ${JSON.stringify(text.slice(0, 40))} is not a date`);
    return date;
  }

  open(path: string): void {
    if (path === STMT) {
      this.statement = { id: null, iban: null, opening: null, closing: null, entries: [], count: 0 };
      this.entryNumber = 0;
    } else if (path === BAL) this.balance = { code: null, amount: null, sign: null, date: null };
    else if (path === NTRY) {
      this.entry = newEntry();
      this.entryNumber++;
    } else if (path === TX) this.detail = newDetail();
  }

  close(path: string, text: string, attributes: Record<string, string>): void {
    if (path.startsWith(TX)) this.closeDetail(path, text, attributes);
    else if (path.startsWith(NTRY)) this.closeEntry(path, text, attributes);
    else if (path.startsWith(BAL)) this.closeBalance(path, text, attributes);
    else this.closeStatement(path, text);
  }

  private closeStatement(path: string, text: string): void {
    const statement = this.statement!;
    switch (path) {
      case `${STMT}/Id`:
        statement.id = given(text);
        break;
      case `${STMT}/Acct/Id/IBAN`:
        statement.iban = text.replace(/\s+/g, "").toUpperCase() || null;
        break;
      case `${STMT}/Acct/Ccy`:
        if (text !== "EUR") this.fail(`statement ${JSON.stringify(statement.id)}: account currency ${JSON.stringify(text)}, only EUR is read`);
        break;
      case STMT:
        this.statements.push(this.finishStatement(statement));
        this.finished++;
        this.statement = null;
        break;
    }
  }

  private finishStatement(statement: Statement): BankStatement {
    const name = JSON.stringify(statement.id ?? String(this.finished + 1));
    const { opening, closing } = statement;
    if (!opening) this.fail(`statement ${name} has no opening balance (Bal OPBD or PRCD)`);
    if (!closing) this.fail(`statement ${name} has no closing balance (Bal CLBD)`);
    return {
      format: "camt.053",
      iban: statement.iban,
      rib: null,
      currency: "EUR",
      statementId: statement.id,
      from: opening.date!,
      to: closing.date!,
      openingBalance: signed(opening.amount!, opening.sign),
      closingBalance: signed(closing.amount!, closing.sign),
      entries: statement.entries,
    };
  }

  private closeBalance(path: string, text: string, attributes: Record<string, string>): void {
    const balance = this.balance!;
    const what = () => `balance ${balance.code ?? ""} of statement ${JSON.stringify(this.statement?.id ?? null)}`;
    switch (path) {
      case `${BAL}/Tp/CdOrPrtry/Cd`:
        balance.code = text;
        break;
      case `${BAL}/Amt`:
        balance.amount = this.amountOf(text, attributes, what());
        break;
      case `${BAL}/CdtDbtInd`:
        balance.sign = text;
        break;
      case `${BAL}/Dt/Dt`:
      case `${BAL}/Dt/DtTm`:
        balance.date = this.dateOf(text, what());
        break;
      case BAL: {
        const statement = this.statement!;
        const opening = balance.code === "OPBD" || balance.code === "PRCD";
        if (!opening && balance.code !== "CLBD") break;
        if (balance.amount === null) this.fail(`${what()} has no amount`);
        if (balance.sign !== "CRDT" && balance.sign !== "DBIT") this.fail(`${what()}: CdtDbtInd ${JSON.stringify(balance.sign)} is neither CRDT nor DBIT`);
        if (balance.date === null) this.fail(`${what()} has no date`);
        // OPBD is the opening balance proper; PRCD (the previous closing) stands in for it.
        if (opening) {
          if (!statement.opening || balance.code === "OPBD") statement.opening = balance;
        } else statement.closing = balance;
        this.balance = null;
        break;
      }
    }
  }

  private closeEntry(path: string, text: string, attributes: Record<string, string>): void {
    const entry = this.entry!;
    switch (path) {
      case `${NTRY}/Amt`:
        entry.amount = this.amountOf(text, attributes, this.where());
        break;
      case `${NTRY}/CdtDbtInd`:
        entry.sign = text;
        break;
      case `${NTRY}/Sts`:
      case `${NTRY}/Sts/Cd`:
        // .08 nests the code (<Sts><Cd>BOOK</Cd></Sts>): the empty outer element keeps it.
        if (text) entry.status = text;
        break;
      case `${NTRY}/BookgDt/Dt`:
      case `${NTRY}/BookgDt/DtTm`:
        entry.bookingDate = this.dateOf(text, this.where());
        break;
      case `${NTRY}/ValDt/Dt`:
      case `${NTRY}/ValDt/DtTm`:
        entry.valueDate = this.dateOf(text, this.where());
        break;
      case `${NTRY}/NtryRef`:
        entry.entryRef = given(text);
        break;
      case `${NTRY}/AcctSvcrRef`:
        entry.servicerRef = given(text);
        break;
      case `${NTRY}/BkTxCd/Domn/Cd`:
        entry.domain = given(text);
        break;
      case `${NTRY}/BkTxCd/Domn/Fmly/Cd`:
        entry.family = given(text);
        break;
      case `${NTRY}/BkTxCd/Domn/Fmly/SubFmlyCd`:
        entry.subFamily = given(text);
        break;
      case `${NTRY}/BkTxCd/Prtry/Cd`:
        entry.proprietary = given(text);
        break;
      case `${NTRY}/AddtlNtryInf`:
        if (text) entry.info.push(text);
        break;
      case `${NTRY}/NtryDtls/Btch/MsgId`:
        entry.batchMessageId = given(text);
        break;
      case `${NTRY}/NtryDtls/Btch/PmtInfId`:
        entry.batchPaymentInfoId = given(text);
        break;
      case `${NTRY}/NtryDtls/Btch/NbOfTxs`: {
        const count = Number(text);
        entry.batchCount = Number.isSafeInteger(count) && count >= 0 ? count : null;
        break;
      }
      case NTRY:
        this.finishEntry(entry);
        this.entry = null;
        break;
    }
  }

  private closeDetail(path: string, text: string, attributes: Record<string, string>): void {
    const detail = this.detail!;
    switch (path) {
      case `${TX}/Amt`:
      case `${TX}/AmtDtls/TxAmt/Amt`:
        detail.amount = this.amountOf(text, attributes, this.where());
        break;
      case `${TX}/CdtDbtInd`:
        detail.sign = text;
        break;
      case `${TX}/Refs/EndToEndId`:
        detail.endToEndId = given(text);
        break;
      case `${TX}/Refs/ChqNb`:
        detail.chequeNumber = given(text);
        break;
      case `${TX}/Refs/MsgId`:
        detail.messageId = given(text);
        break;
      case `${TX}/Refs/PmtInfId`:
        detail.paymentInfoId = given(text);
        break;
      case `${TX}/RltdPties/Dbtr/Nm`:
      case `${TX}/RltdPties/Dbtr/Pty/Nm`:
        detail.debtorName = given(text);
        break;
      case `${TX}/RltdPties/UltmtDbtr/Nm`:
      case `${TX}/RltdPties/UltmtDbtr/Pty/Nm`:
        detail.ultimateDebtorName = given(text);
        break;
      case `${TX}/RltdPties/DbtrAcct/Id/IBAN`:
        detail.debtorIban = given(text.replace(/\s+/g, "").toUpperCase());
        break;
      case `${TX}/RltdPties/Cdtr/Nm`:
      case `${TX}/RltdPties/Cdtr/Pty/Nm`:
        detail.creditorName = given(text);
        break;
      case `${TX}/RltdPties/UltmtCdtr/Nm`:
      case `${TX}/RltdPties/UltmtCdtr/Pty/Nm`:
        detail.ultimateCreditorName = given(text);
        break;
      case `${TX}/RltdPties/CdtrAcct/Id/IBAN`:
        detail.creditorIban = given(text.replace(/\s+/g, "").toUpperCase());
        break;
      case `${TX}/RmtInf/Ustrd`:
        if (text) detail.remittance.push(text);
        break;
      case `${TX}/RtrInf/Rsn/Cd`:
        detail.returnReason = given(text);
        break;
      case TX:
        this.entry!.details.push(detail);
        this.detail = null;
        break;
    }
  }

  private finishEntry(entry: Entry): void {
    const where = this.where();
    if (entry.status !== null && entry.status !== "BOOK") return;
    if (entry.amount === null) this.fail(`${where} has no amount`);
    if (entry.sign !== "CRDT" && entry.sign !== "DBIT") this.fail(`${where}: CdtDbtInd ${JSON.stringify(entry.sign)} is neither CRDT nor DBIT`);
    if (entry.bookingDate === null) this.fail(`${where} has no booking date`);
    const credit = entry.sign === "CRDT";
    const batchId = entry.batchPaymentInfoId ?? entry.batchMessageId;
    const several = entry.details.length > 1;
    const details: BankEntryDetail[] = (entry.details.length > 0 ? entry.details : [newDetail()]).map((d) => ({
      amount: d.amount === null ? (several ? null : signed(entry.amount!, entry.sign)) : signed(d.amount, d.sign ?? entry.sign),
      endToEndId: d.endToEndId,
      // The other party: who paid us on a credit, whom we paid on a debit.
      counterpartyName: credit ? (d.debtorName ?? d.ultimateDebtorName) : (d.creditorName ?? d.ultimateCreditorName),
      counterpartyIban: credit ? d.debtorIban : d.creditorIban,
      remittance: d.remittance.length > 0 ? d.remittance.join(" ") : null,
      returnReason: d.returnReason,
      chequeNumber: d.chequeNumber,
      batchId: batchId ?? d.paymentInfoId ?? d.messageId,
      numberOfTransactions: entry.batchCount ?? (several ? entry.details.length : null),
    }));
    const label = [...entry.info, ...(several ? [] : details.map((d) => d.remittance))].filter((part): part is string => !!part).join(" ");
    const statement = this.statement!;
    statement.entries.push({
      position: statement.count++,
      bookingDate: entry.bookingDate,
      valueDate: entry.valueDate,
      amount: signed(entry.amount, entry.sign),
      bankReference: entry.servicerRef ?? entry.entryRef,
      label: label || (details[0]?.counterpartyName ?? ""),
      transactionCode: entry.domain
        ? [entry.domain, entry.family, entry.subFamily].filter((code): code is string => code !== null).join("/")
        : entry.proprietary,
      details,
    });
  }
}
