-- Writes a chunk of payment orders set-based, in one statement: each order with its
-- ledger transaction (same id: envelope debited, payments in transit credited). The
-- natural key (beneficiary, kind, period or charge, business date) makes every order
-- exactly-once: an order already written is skipped, and so is its posting. The
-- statement-level posting trigger moves the envelopes' cached balances once per chunk.
CREATE FUNCTION create_payment_orders(p_items jsonb, OUT out_created integer, OUT out_amount bigint) LANGUAGE plpgsql AS $$
BEGIN
  WITH items AS (
    SELECT * FROM jsonb_to_recordset(p_items) AS x(
      id uuid, natural_key text, beneficiary_id uuid, measure_id uuid, kind text, period text, charge_id uuid,
      business_date date, amount bigint, creditor_name text, creditor_iban text, envelope text, description text, actor text)
  ), orders AS (
    INSERT INTO payment_orders (id, natural_key, beneficiary_id, measure_id, kind, period, charge_id, business_date, amount,
                                creditor_name, creditor_iban, status, ledger_transaction_id)
    SELECT id, natural_key, beneficiary_id, measure_id, kind, period, charge_id, business_date, amount,
           creditor_name, creditor_iban, 'pending', id FROM items
    ON CONFLICT (natural_key) DO NOTHING
    RETURNING id
  ), txns AS (
    INSERT INTO ledger_transactions (id, kind, value_date, description, idempotency_key, content_hash, metadata, actor, beneficiary_id)
    SELECT i.id, 'payment.' || i.kind, i.business_date, i.description, 'payment:' || i.natural_key,
           md5(i.natural_key || ':' || i.amount), jsonb_build_object('paymentOrderId', i.id, 'kind', i.kind, 'period', i.period, 'chargeId', i.charge_id),
           i.actor, i.beneficiary_id
      FROM items i JOIN orders o ON o.id = i.id
    RETURNING id
  ), postings AS (
    INSERT INTO ledger_postings (transaction_id, account_id, direction, amount, value_date)
    SELECT i.id, a.id, p.direction, i.amount, i.business_date
      FROM items i JOIN txns t ON t.id = i.id
     CROSS JOIN LATERAL (VALUES (i.envelope, 'debit'), ('payments:in-transit', 'credit')) AS p(address, direction)
      JOIN ledger_accounts a ON a.address = p.address
    RETURNING ledger_postings.direction, ledger_postings.amount
  )
  SELECT count(*) FILTER (WHERE direction = 'debit'), coalesce(sum(postings.amount) FILTER (WHERE direction = 'debit'), 0)
    INTO out_created, out_amount FROM postings;
END
$$;
