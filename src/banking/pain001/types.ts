/**
 * What a SEPA credit-transfer file (ISO 20022 pain.001) is written from. Plain data, no
 * database: the batch service maps its orders and bank account onto these.
 */

import type { PainVersion } from "../../domain/bank-accounts";

/** The contract's address: structured, town and country (ISO 3166 alpha-2) at least. */
export interface PainAddress {
  street?: string | null;
  postalCode?: string | null;
  town: string;
  country: string;
}

/** The account the money leaves from; one file is written for one debtor account. */
export interface PainDebtor {
  name: string;
  iban: string;
  /** Without a BIC the debtor agent is written `NOTPROVIDED` (the IBAN is enough in SEPA). */
  bic?: string | null;
  painVersion: PainVersion;
  /** One debit per payment block on the statement (true) or one per transfer (false). */
  batchBooking: boolean;
}

export interface PainOrder {
  /** ≤ 35 characters, unique, finds the order again: see endToEndIdFor(). */
  endToEndId: string;
  /** Integer cents, > 0; written as decimal text, never through a float. */
  amountCents: bigint;
  creditorName: string;
  creditorIban: string;
  creditorBic?: string | null;
  creditorAddress?: PainAddress | null;
  /** Free text the creditor reads on the statement (RmtInf/Ustrd), e.g. "LOYER 01/2026 DURAND M". */
  remittance: string;
  /** `YYYY-MM-DD`, already a TARGET2 business day (see domain/business-days.ts). */
  executionDate: string;
}

/**
 * One payment block (PmtInf) of the file: its execution date, how many orders and their
 * total. The header needs the totals before the first order is written, and the file is
 * streamed, so the caller states them up front (one SQL aggregate) and the writer checks
 * them against the orders it actually writes.
 */
export interface PainGroup {
  executionDate: string;
  count: number;
  totalCents: bigint;
}

export interface PainFileInput {
  /** ≤ 35 characters, unique per file: given, so that writing again yields the same bytes. */
  msgId: string;
  /** CreDtTm: given for the same reason; written in UTC to the second. */
  createdAt: Date;
  /** Who sends the file (InitgPty/Nm), usually the organisation's name. */
  initiatingParty: string;
  debtor: PainDebtor;
  /** In the order the orders arrive: orders come grouped by execution date, in this order. */
  groups: readonly PainGroup[];
  orders: AsyncIterable<PainOrder> | Iterable<PainOrder>;
}
