/**
 * Which bank account an order's money leaves from, in SQL for the batch queries (100 000
 * orders are never looked up one by one): the beneficiary's own account, else the
 * default pooled one — the rule `bankAccountFor` (services/banking/bank-accounts.ts)
 * applies to one beneficiary. Fragments over `o` (payment_orders) and `b` (beneficiaries).
 */
export const ORDER_ACCOUNT_SQL = {
  accountOf: "coalesce(b.bank_account_id, (select d.id from bank_accounts d where d.is_default))",
  /** Orders paid by SEPA transfer (cash and cheques never go in a file). */
  transferOnly: "true",
  /** The creditor's postal address as the file needs it (hybrid: town and country at least). */
  creditorAddress: `case o.kind
      when 'rent' then (select l.landlord_address from leases l
                         where l.beneficiary_id = o.beneficiary_id and l.landlord_iban = o.creditor_iban
                         order by l.start_date desc limit 1)
      when 'charge' then (select c.creditor_address from charges c where c.id = o.charge_id)
      else b.address end`,
} as const;

/** The debtor side of a file: `select … from bank_accounts` (append a `where`). */
export const BANK_ACCOUNT_SQL = "select id, name, iban, bic, pain_version, batch_booking from bank_accounts";
