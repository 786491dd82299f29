import { ACCOUNT_OF_BENEFICIARY_SQL } from "../banking/bank-accounts";

/**
 * SQL fragments for the batch queries (100 000 orders are never looked up one by one),
 * over `o` (payment_orders) and `b` (beneficiaries).
 */
export const ORDER_ACCOUNT_SQL = {
  /** Which bank account an order's money leaves from: the beneficiary's (services/banking). */
  accountOf: ACCOUNT_OF_BENEFICIARY_SQL,
  /**
   * `accountOf = account`, written so that the planner sees how many beneficiaries it
   * covers (through a sub-select it guessed 0.5 %, and probed the orders of 100 000
   * beneficiaries one by one): `isDefault`, a parameter, says whether `account` is the
   * default pooled account, which holds every beneficiary without an account of their
   * own. coalesce(x, d) = a ⟺ x = a or (x is null and d = a).
   */
  accountIs: (account: string, isDefault: string) => `(b.bank_account_id = ${account} or (b.bank_account_id is null and ${isDefault}))`,
  /**
   * The creditor's postal address as the file needs it (hybrid: town and country at
   * least): the order's own (a one-off's), else its lease's or charge's, else the beneficiary's.
   */
  creditorAddress: `coalesce(o.creditor_address, case o.kind
      when 'rent' then (select l.landlord_address from leases l
                         where l.beneficiary_id = o.beneficiary_id and l.landlord_iban = o.creditor_iban
                         order by l.start_date desc limit 1)
      when 'charge' then (select c.creditor_address from charges c where c.id = o.charge_id)
      when 'one_off' then null
      else b.address end)`,
} as const;

/** The debtor side of a file: `select … from bank_accounts` (append a `where`). */
export const BANK_ACCOUNT_SQL = "select id, name, iban, bic, pain_version, batch_booking, is_default from bank_accounts";
