import { composeIBAN, electronicFormatIBAN, isValidIBAN } from "ibantools";
import { isoReasonOfCfonbCode } from "../../domain/cfonb-reject-reasons";
import { realDate } from "./amounts";
import { type BankEntry, BankFileError, type BankStatement, type StatementHead, type StatementSource } from "./types";

export const RECORD_LENGTH = 120;

/** The overpunched last digit of a CFONB amount: `{` and A–I positive 0–9, `}` and J–R negative. */
const OVERPUNCH: Record<string, { sign: 1n | -1n; digit: string }> = {};
for (const [index, char] of [..."{ABCDEFGHI"].entries()) OVERPUNCH[char] = { sign: 1n, digit: String(index) };
for (const [index, char] of [..."}JKLMNOPQR"].entries()) OVERPUNCH[char] = { sign: -1n, digit: String(index) };

interface Account {
  bank: string;
  branch: string;
  account: string;
}

interface Entry {
  record: number;
  entry: BankEntry;
  credit: boolean;
  libs: string[];
  unstructured: string[];
  debtor: string | null;
  creditor: string | null;
  ultimateDebtor: string | null;
  ultimateCreditor: string | null;
  debtorId: string | null;
  creditorId: string | null;
  reference: string | null;
}

interface Statement {
  record: number;
  account: Account;
  from: string;
  opening: bigint;
  /** The entries not yet handed on (`pending`); `count` numbers them all. */
  entries: BankEntry[];
  count: number;
}

const NOT_PROVIDED = "NOTPROVIDED";
const text = (value: string): string | null => {
  const trimmed = value.trim();
  return trimmed === "" || trimmed.toUpperCase() === NOT_PROVIDED ? null : trimmed;
};

/** The IBAN of a French RIB (bank 5, branch 5, account 11 characters, letters allowed). */
export function ibanOfRib(rib: Account): string | null {
  const bban = `${rib.bank}${rib.branch}${rib.account}`.toUpperCase();
  if (!/^\d{10}[0-9A-Z]{11}$/.test(bban)) return null;
  // The RIB key (the statement leaves it out) turns letters into digits by the French table.
  const digits = bban.replace(/[A-Z]/g, (char) => String(((char.charCodeAt(0) - 65 + (char >= "S" ? 1 : 0)) % 9) + 1));
  const key = 97n - ((89n * BigInt(digits.slice(0, 5)) + 15n * BigInt(digits.slice(5, 10)) + 3n * BigInt(digits.slice(10))) % 97n);
  return composeIBAN({ countryCode: "FR", bban: `${bban}${String(key).padStart(2, "0")}` });
}

/**
 * Reads CFONB 120 records (01 old balance, 04 movement, 05 complement, 07 new balance),
 * one at a time, into statements: one per 01…07 run, several accounts per file allowed.
 * Every refusal names its record number (1-based).
 */
export class Cfonb120Reader implements StatementSource {
  /** The statements finished and not yet taken (read-bank-file.ts drains them as the file streams). */
  readonly statements: BankStatement[] = [];
  private statement: Statement | null = null;
  private entry: Entry | null = null;
  private record = 0;

  private fail(message: string, record = this.record): never {
    throw new BankFileError(`record ${record}: ${message}`, record);
  }

  /** One record of exactly 120 characters (the caller splits the file). */
  read(line: string): void {
    this.record++;
    if (line.length !== RECORD_LENGTH) this.fail(`${line.length} characters, a CFONB 120 record has ${RECORD_LENGTH}`);
    const code = line.slice(0, 2);
    switch (code) {
      case "01":
        this.oldBalance(line);
        break;
      case "04":
        this.movement(line);
        break;
      case "05":
        this.complement(line);
        break;
      case "07":
        this.newBalance(line);
        break;
      default:
        this.fail(`unknown record code ${JSON.stringify(code)} (01, 04, 05 or 07 expected)`);
    }
  }

  /** The open statement's entries not yet handed on, taken: the reader keeps no hold on them. */
  pending(): { head: StatementHead; entries: BankEntry[] } | null {
    const statement = this.statement;
    if (!statement || statement.entries.length === 0) return null;
    const entries = statement.entries;
    statement.entries = [];
    const { account } = statement;
    return { head: { format: "cfonb120", iban: ibanOfRib(account), rib: { ...account } }, entries };
  }

  pendingCount(): number {
    return this.statement?.entries.length ?? 0;
  }

  /** The file ended: a statement still open was cut short. */
  end(): void {
    if (this.record === 0) throw new BankFileError("the file is empty", 1);
    if (this.statement) {
      this.fail(`truncated file: the statement opened at record ${this.statement.record} has no closing 07 record`, this.record);
    }
  }

  private account(line: string): Account {
    return { bank: line.slice(2, 7), branch: line.slice(11, 16), account: line.slice(21, 32) };
  }

  private checkCurrency(line: string): void {
    const currency = line.slice(16, 19);
    if (currency !== "EUR") this.fail(`currency ${JSON.stringify(currency)}, only EUR is read`);
  }

  private date(value: string, what: string): string {
    const match = /^(\d{2})(\d{2})(\d{2})$/.exec(value);
    // Two-digit years: 00–69 are this century (statements are recent; 1970–1999 for older ones).
    const date = match ? realDate(Number(match[3]) + (Number(match[3]) < 70 ? 2000 : 1900), Number(match[2]), Number(match[1])) : null;
    if (date === null) this.fail(`${what} ${JSON.stringify(value)} is not a date (DDMMYY)`);
    return date;
  }

  private amount(line: string): bigint {
    const field = line.slice(90, 104);
    const decimals = line.charAt(19);
    if (!/^\d$/.test(decimals)) this.fail(`number of decimals ${JSON.stringify(decimals)} is not a digit`);
    const last = OVERPUNCH[field.charAt(13)];
    if (!last) this.fail(`amount ${JSON.stringify(field)}: ${JSON.stringify(field.charAt(13))} is not a sign character ({, A–I, }, J–R)`);
    if (!/^\d{13}$/.test(field.slice(0, 13))) this.fail(`amount ${JSON.stringify(field)} is not 13 digits and a sign character`);
    const value = BigInt(field.slice(0, 13) + last.digit);
    const scale = Number(decimals);
    let cents: bigint;
    if (scale <= 2) cents = value * 10n ** BigInt(2 - scale);
    else {
      const divisor = 10n ** BigInt(scale - 2);
      if (value % divisor !== 0n) this.fail(`amount ${JSON.stringify(field)} has fractions of a cent`);
      cents = value / divisor;
    }
    return last.sign * cents;
  }

  private sameAccount(line: string, what: string): void {
    const statement = this.statement;
    if (!statement) this.fail(`a ${what} record outside a statement (no 01 record before it)`);
    const account = this.account(line);
    const open = statement.account;
    if (account.bank !== open.bank || account.branch !== open.branch || account.account !== open.account) {
      this.fail(`a ${what} record for account ${account.bank} ${account.branch} ${account.account.trim()} inside the statement of another account`);
    }
  }

  private oldBalance(line: string): void {
    if (this.statement) this.fail(`a new statement (01) before the statement opened at record ${this.statement.record} closed (07)`);
    this.checkCurrency(line);
    const account = this.account(line);
    if (!/^\d{5}$/.test(account.bank) || !/^\d{5}$/.test(account.branch) || !/^[0-9A-Z]{11}$/.test(account.account)) {
      this.fail(`account ${JSON.stringify(`${account.bank} ${account.branch} ${account.account}`)} is not a French RIB (bank 5, branch 5, account 11)`);
    }
    this.statement = {
      record: this.record,
      account,
      from: this.date(line.slice(34, 40), "old balance date"),
      opening: this.amount(line),
      entries: [],
      count: 0,
    };
  }

  private movement(line: string): void {
    this.sameAccount(line, "04 (movement)");
    this.closeEntry();
    this.checkCurrency(line);
    const statement = this.statement!;
    const amount = this.amount(line);
    const valueDate = line.slice(42, 48);
    const rejectCode = text(line.slice(40, 42));
    const label = text(line.slice(48, 79)) ?? "";
    const cheque = /^(?:CHEQUE|CHQ)\.?\s*(?:N[°O]?\.?\s*)?(\d{1,11})\b/i.exec(label);
    this.entry = {
      record: this.record,
      credit: amount > 0n,
      entry: {
        position: statement.count++,
        bookingDate: this.date(line.slice(34, 40), "booking date"),
        valueDate: valueDate.trim() === "" ? null : this.date(valueDate, "value date"),
        amount,
        bankReference: text(line.slice(104, 120)),
        label,
        transactionCode: text(line.slice(32, 34)),
        details: [
          {
            amount,
            endToEndId: null,
            counterpartyName: null,
            counterpartyIban: null,
            remittance: null,
            returnReason: rejectCode ? isoReasonOfCfonbCode(rejectCode) : null,
            bankReturnCode: rejectCode,
            chequeNumber: cheque ? cheque[1]! : null,
            batchId: null,
            numberOfTransactions: null,
          },
        ],
      },
      libs: [],
      unstructured: [],
      debtor: null,
      creditor: null,
      ultimateDebtor: null,
      ultimateCreditor: null,
      debtorId: null,
      creditorId: null,
      reference: null,
    };
  }

  private complement(line: string): void {
    const entry = this.entry;
    if (!entry) this.fail("a 05 (complement) record without its 04 (movement) record");
    this.sameAccount(line, "05 (complement)");
    const info = line.slice(48, 118);
    switch (line.slice(45, 48)) {
      case "LIB":
        if (text(info)) entry.libs.push(info.trim());
        break;
      case "LCC":
      case "LC2":
        if (text(info)) entry.unstructured.push(info.trim());
        break;
      case "NPY":
        entry.debtor = text(info);
        break;
      case "NBE":
        entry.creditor = text(info);
        break;
      case "NPO":
        entry.ultimateDebtor = text(info);
        break;
      case "NBU":
        entry.ultimateCreditor = text(info);
        break;
      case "IPY":
        entry.debtorId = text(info.slice(0, 35));
        break;
      case "IBE":
        entry.creditorId = text(info.slice(0, 35));
        break;
      case "RCN":
        entry.entry.details[0]!.endToEndId = text(info.slice(0, 35));
        break;
      case "REF":
        entry.reference = text(info.slice(0, 35));
        break;
      // Other qualifiers (MMO, RUM, ICS, FEE, ...) say nothing we match on.
    }
  }

  private closeEntry(): void {
    const current = this.entry;
    if (!current) return;
    const { entry } = current;
    const detail = entry.details[0]!;
    const asIban = (id: string | null) => {
      const iban = id ? electronicFormatIBAN(id) : null;
      return iban && isValidIBAN(iban) ? iban : null;
    };
    detail.counterpartyName = current.credit ? (current.debtor ?? current.ultimateDebtor) : (current.creditor ?? current.ultimateCreditor);
    detail.counterpartyIban = asIban(current.credit ? current.debtorId : current.creditorId);
    const remittance = current.libs.length > 0 ? current.libs : current.unstructured;
    detail.remittance = remittance.length > 0 ? remittance.join(" ") : null;
    entry.label = [entry.label, ...current.libs].filter((part) => part !== "").join(" ");
    entry.bankReference ??= current.reference;
    this.statement!.entries.push(entry);
    this.entry = null;
  }

  private newBalance(line: string): void {
    this.sameAccount(line, "07 (new balance)");
    this.closeEntry();
    this.checkCurrency(line);
    const statement = this.statement!;
    const to = this.date(line.slice(34, 40), "new balance date");
    const { account } = statement;
    const iban = ibanOfRib(account);
    this.statements.push({
      format: "cfonb120",
      iban,
      rib: { bank: account.bank, branch: account.branch, account: account.account },
      currency: "EUR",
      statementId: `${account.bank}${account.branch}${account.account}:${statement.from}:${to}`,
      from: statement.from,
      to,
      openingBalance: statement.opening,
      closingBalance: this.amount(line),
      entries: statement.entries,
    });
    this.statement = null;
  }
}
