import type { Executor } from "../db/client";
import { runText } from "../db/sql";
import { DEFAULT_BANK_ADDRESS } from "../domain/bank-accounts";
import { ENVELOPE_KINDS, type EnvelopeKind, type EnvelopeRef } from "../domain/envelopes";

type Side = "debit" | "credit";

export interface AccountSpec {
  address: string;
  label: string;
  normalSide: Side;
  pcgAccount: string;
  allowNegative: boolean;
  balanceCached: boolean;
  beneficiaryId?: string;
}

/**
 * PCG numbers (plan comptable général) for the accounting export to come. The
 * beneficiaries' money is third-party money: class 4, never the provider's income.
 */
const PCG = {
  bank: "512",
  cash: "531",
  beneficiaryFunds: "4671",
  payerClearing: "4672",
  paymentsInTransit: "4673",
  openingBalances: "890",
  suspense: "471",
  bankFees: "627",
} as const;

/** Payment orders written and not yet debited by the bank: every payment credits it. */
export const PAYMENTS_IN_TRANSIT = "payments:in-transit";

/**
 * System accounts touched by every credit or payment. They may go negative (a payer
 * clearing account is negative until the bank statement matches it) and keep no
 * cached balance row: one row updated by every credit would serialise all traffic
 * (docs/performance.md, trap 3). Their balance is derived from postings.
 */
export const SYSTEM_ACCOUNTS: readonly AccountSpec[] = [
  { address: DEFAULT_BANK_ADDRESS, label: "Banque — compte principal", normalSide: "debit", pcgAccount: PCG.bank, allowNegative: true, balanceCached: false },
  {
    address: PAYMENTS_IN_TRANSIT,
    label: "Paiements émis non débités",
    normalSide: "credit",
    pcgAccount: PCG.paymentsInTransit,
    allowNegative: true,
    balanceCached: false,
  },
];

/**
 * Money on a statement nobody has explained yet (PCG 471, opérations en attente): never an
 * envelope until finance staff decide (statement import, suspense list).
 */
export const SUSPENSE_ACCOUNT: AccountSpec = {
  address: "suspense:bank",
  label: "Opérations bancaires en attente d'affectation",
  normalSide: "credit",
  pcgAccount: PCG.suspense,
  allowNegative: true,
  balanceCached: false,
};

/** The association's own expense (PCG 627, services bancaires): bank fees, never the beneficiaries' money. */
export const BANK_FEES_ACCOUNT: AccountSpec = {
  address: "expenses:bank-fees",
  label: "Frais bancaires",
  normalSide: "debit",
  pcgAccount: PCG.bankFees,
  allowNegative: true,
  balanceCached: false,
};

/** A bank account's ledger account: a system account (no cached balance, never locked, may go negative). */
export function bankLedgerAccount(address: string, name: string): AccountSpec {
  return { address, label: `Banque — ${name}`, normalSide: "debit", pcgAccount: PCG.bank, allowNegative: true, balanceCached: false };
}

/**
 * The cash box fed by withdrawals from a bank account (`bank:main` → `cash:main`,
 * `bank:<id>` → `cash:<id>`), PCG 53 (caisse). Unlike a bank account it keeps a cached
 * balance that may not go negative: nobody hands over cash the box does not hold, and
 * few operations touch it, so its row lock costs nothing.
 */
export function cashBoxAccount(bankAddress: string, name: string): AccountSpec {
  if (!bankAddress.startsWith("bank:")) throw new TypeError("a cash box belongs to a bank account");
  return {
    address: `cash:${bankAddress.slice("bank:".length)}`,
    label: `Caisse — ${name}`,
    normalSide: "debit",
    pcgAccount: PCG.cash,
    allowNegative: false,
    balanceCached: true,
  };
}

/** Where a bank account's go-live balance comes from (PCG 890, bilan d'ouverture). */
export const OPENING_ACCOUNT: AccountSpec = {
  address: "opening:balances",
  label: "Soldes d'ouverture",
  normalSide: "credit",
  pcgAccount: PCG.openingBalances,
  allowNegative: true,
  balanceCached: false,
};

/** The clearing account of a payer (CAF, MSA, ...), created on first use. */
export function payerAccount(payer: string): AccountSpec {
  const code = payer.toUpperCase().replace(/[^A-Z0-9_-]/g, "_");
  return {
    address: `payer:${code}`,
    label: `Organisme payeur ${code}`,
    normalSide: "debit",
    pcgAccount: PCG.payerClearing,
    allowNegative: true,
    balanceCached: false,
  };
}

const ENVELOPE_PREFIX = "beneficiary";

/** The one spelling of an envelope's address: `beneficiary:<id>:<kind>[:<charge id>]`. */
export function envelopeAddress(beneficiaryId: string, envelope: EnvelopeKind, chargeId?: string): string {
  if ((envelope === "charge") !== (chargeId !== undefined)) {
    throw new TypeError("a charge envelope needs its charge id, and only it");
  }
  return `${ENVELOPE_PREFIX}:${beneficiaryId}:${envelope}${chargeId ? `:${chargeId}` : ""}`;
}

type EnvelopeAddress = { beneficiaryId: string } & EnvelopeRef;

/** The envelope an address names, or null when it names another kind of account. */
export function parseEnvelopeAddress(address: string): EnvelopeAddress | null {
  const [prefix, beneficiaryId, envelope, chargeId, ...rest] = address.split(":");
  if (prefix !== ENVELOPE_PREFIX || !beneficiaryId || rest.length > 0) return null;
  if (envelope === "charge") return chargeId ? { beneficiaryId, envelope, chargeId } : null;
  if (chargeId !== undefined || !(ENVELOPE_KINDS as readonly string[]).includes(envelope ?? "")) return null;
  return { beneficiaryId, envelope: envelope as Exclude<EnvelopeKind, "charge"> };
}

/** The account's label, in the UI's French (docs/glossary.md). */
const ENVELOPE_LABELS: Readonly<Record<EnvelopeKind, string>> = {
  rent: "Enveloppe loyer",
  charge: "Enveloppe charge",
  care: "Enveloppe aide à domicile",
  available: "Enveloppe disponible",
  living: "Enveloppe reste à vivre",
};

/** A beneficiary's envelope: never negative, balance cached and locked when it moves. */
export function envelopeAccount(beneficiaryId: string, envelope: EnvelopeKind, chargeId?: string): AccountSpec {
  return {
    address: envelopeAddress(beneficiaryId, envelope, chargeId),
    label: ENVELOPE_LABELS[envelope],
    normalSide: "credit",
    pcgAccount: PCG.beneficiaryFunds,
    allowNegative: false,
    balanceCached: true,
    beneficiaryId,
  };
}

/**
 * Creates the accounts that do not exist yet; existing ones are left as they are. `$1`:
 * the specs as JSON. One text for both paths: `ensureAccounts` through Drizzle, and the
 * credit batcher's raw transaction (the care envelope, opened on first use).
 */
export const ENSURE_ACCOUNTS_SQL = `insert into ledger_accounts (address, beneficiary_id, label, normal_side, pcg_account, allow_negative, balance_cached)
  select x.address, x."beneficiaryId", x.label, x."normalSide", x."pcgAccount", x."allowNegative", x."balanceCached"
    from jsonb_to_recordset($1::jsonb) as x(address text, "beneficiaryId" uuid, label text, "normalSide" text, "pcgAccount" text, "allowNegative" boolean, "balanceCached" boolean)
  on conflict (address) do nothing`;

export async function ensureAccounts(executor: Executor, specs: readonly AccountSpec[]): Promise<void> {
  if (specs.length > 0) await runText(executor, ENSURE_ACCOUNTS_SQL, [JSON.stringify(specs)]);
}
