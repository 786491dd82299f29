/**
 * Where the money is held: one pooled account for every beneficiary, or one account per
 * beneficiary (both models exist in practice). Each bank account is one ledger account.
 */
export const BANK_ACCOUNT_KINDS = ["pooled", "beneficiary"] as const;
export type BankAccountKind = (typeof BANK_ACCOUNT_KINDS)[number];

/** The SEPA credit-transfer file a bank accepts: the 2019 version by default. */
export const PAIN_VERSIONS = ["pain.001.001.09", "pain.001.001.03"] as const;
export type PainVersion = (typeof PAIN_VERSIONS)[number];

/**
 * The ledger address of the pooled account that existed before bank accounts did: kept,
 * so the history already posted to it stays where it is.
 */
export const DEFAULT_BANK_ADDRESS = "bank:main";

/** `bank:<account id>` for every account created after the default one. */
export const bankAddress = (bankAccountId: string): string => `bank:${bankAccountId}`;
