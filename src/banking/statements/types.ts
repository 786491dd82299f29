type StatementFormat = "camt.053" | "cfonb120";
/** One booked line as the bank reports it. Amounts are signed integer cents (credit > 0). */
export interface BankEntry {
  /** 0-based position of the entry within its statement (natural key when no bank reference). */
  position: number;
  bookingDate: string; // YYYY-MM-DD
  valueDate: string | null;
  amount: bigint; // signed cents
  /** The bank's own reference of the entry (camt AcctSvcrRef / NtryRef; CFONB 04 ref), if any. */
  bankReference: string | null;
  label: string; // human text (camt AddtlNtryInf/Ustrd joined; CFONB 04 label + LIB)
  /** ISO bank transaction code or CFONB operation code, for rules (e.g. "PMNT/RCDT/ESCT", "05"). */
  transactionCode: string | null;
  /** One per underlying transaction; a batch-booked debit has several; a simple line has one. */
  details: BankEntryDetail[];
}
export interface BankEntryDetail {
  amount: bigint | null; // signed cents of this transaction when given
  endToEndId: string | null;
  counterpartyName: string | null; // debtor for a credit, creditor for a debit (CFONB NPY/NBE)
  counterpartyIban: string | null;
  remittance: string | null; // Ustrd / CFONB LIB lines joined
  /** ISO 20022 reason of a return (camt RtrInf/Rsn/Cd, CFONB reject code mapped to ISO). */
  returnReason: string | null;
  /** The bank's own return code when it is not ISO (the two-character CFONB code), kept beside its ISO mapping. */
  bankReturnCode?: string | null;
  chequeNumber: string | null;
  /** Original message or batch id when the bank gives it (camt BtchBookg / PmtInfId / MsgId). */
  batchId: string | null;
  numberOfTransactions: number | null;
}
export interface BankStatement {
  format: StatementFormat;
  /** The account as the file names it: IBAN (camt, or built from the RIB) and/or French RIB. */
  iban: string | null;
  rib: { bank: string; branch: string; account: string } | null;
  currency: "EUR";
  /** The bank's statement id (camt Stmt/Id; CFONB: account + dates). */
  statementId: string | null;
  from: string; // YYYY-MM-DD (opening balance date)
  to: string; // YYYY-MM-DD (closing balance date)
  openingBalance: bigint; // signed cents
  closingBalance: bigint;
  entries: BankEntry[];
}
export interface PaymentStatusReport {
  originalMessageId: string; // our pain.001 MsgId
  groupStatus: string | null; // ACCP, ACSC, RJCT, PART...
  groupReason: string | null;
  transactions: { endToEndId: string; status: string; reasonCode: string | null; date: string | null }[];
  /** The status of each original payment information block (PmtInfId) the bank reports on. */
  paymentInformations?: { paymentInformationId: string; status: string | null; reasonCode: string | null }[];
}
/** What a statement's entries need to find its account, known before its first entry. */
export type StatementHead = Pick<BankStatement, "format" | "iban" | "rib">;
/** A statement reader as the file streams: finished statements, and the open one's entries, are taken as they come. */
export interface StatementSource {
  readonly statements: BankStatement[];
  pending(): { head: StatementHead; entries: BankEntry[] } | null;
  pendingCount(): number;
}
/**
 * Where a statement file is read to, a bounded number of entries at a time: `entries` hands
 * on entries of statement `index` (0-based in the file) as they are read, in order;
 * `statement` then gives it whole, its `entries` being only those not handed on yet.
 */
export interface StatementSink {
  entries(index: number, head: StatementHead, entries: BankEntry[]): Promise<void>;
  statement(index: number, statement: BankStatement): Promise<void>;
}
/** A file read to a sink: its statements went there; a pain.002's reports are small and come back. */
export type StreamedBankFile = { kind: "statements"; format: StatementFormat } | { kind: "status_report"; reports: PaymentStatusReport[] };
export type BankFile = { kind: "statements"; format: StatementFormat; statements: BankStatement[] } | { kind: "status_report"; reports: PaymentStatusReport[] };
/** A file we cannot read: the message names the line or record (1-based). */
export class BankFileError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
  }
}
