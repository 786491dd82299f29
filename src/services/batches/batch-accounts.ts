import { ACCOUNT_OF_BENEFICIARY_SQL } from "../banking/bank-accounts";

/**
 * SQL fragments for the batch queries (100 000 orders are never looked up one by one),
 * over `o` (payment_orders) and `b` (beneficiaries).
 */
export const ORDER_ACCOUNT_SQL = {
  /** Which bank account an order's money leaves from: the beneficiary's (services/banking). */
  accountOf: ACCOUNT_OF_BENEFICIARY_SQL,
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
export const BANK_ACCOUNT_SQL = "select id, name, iban, bic, pain_version, batch_booking from bank_accounts";
