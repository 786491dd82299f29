-- create_payment_orders takes each order's ledger transaction built by the application
-- (src/ledger/post.ts ledgerTransaction) instead of assembling it in SQL: one JSON
-- building pass less per chunk. Copied from drizzle/functions/create_payment_orders.sql.
CREATE OR REPLACE FUNCTION public.create_payment_orders(p_items jsonb, OUT out_created integer, OUT out_amount bigint)
 RETURNS record
 LANGUAGE plpgsql
AS $function$
-- Writes a chunk of payment orders set-based: each order with its ledger transaction
-- (same id: envelope debited, payments in transit credited), posted through
-- ledger_post_many. The natural key (beneficiary, kind, period or charge, business
-- date) makes every order exactly-once: an order already written is skipped, and so
-- is its posting (the chunk's beneficiaries are locked by the caller, and the
-- transaction's idempotency key is the natural key).
DECLARE
  v_posts jsonb;
  v_posted uuid[];
BEGIN
  -- Each item carries its ledger transaction already in ledger_post_many's form (built
  -- and validated by the application, src/ledger/post.ts): only the new ones are posted.
  SELECT jsonb_agg(i.post) INTO v_posts
    FROM (SELECT DISTINCT ON (x.natural_key) x.post FROM jsonb_to_recordset(p_items) AS x(natural_key text, post jsonb)
           WHERE NOT EXISTS (SELECT 1 FROM payment_orders o WHERE o.natural_key = x.natural_key)) i;

  out_created := 0;
  out_amount := 0;
  IF v_posts IS NULL THEN
    RETURN;
  END IF;

  SELECT coalesce(array_agg(out_transaction_id), '{}') INTO v_posted FROM ledger_post_many(v_posts) WHERE NOT out_replayed;

  WITH orders AS (
    INSERT INTO payment_orders (id, natural_key, beneficiary_id, measure_id, kind, period, charge_id, business_date, amount,
                                creditor_name, creditor_iban, status, ledger_transaction_id)
    SELECT x.id, x.natural_key, x.beneficiary_id, x.measure_id, x.kind, x.period, x.charge_id, x.business_date, x.amount,
           x.creditor_name, x.creditor_iban, 'pending', x.id
      FROM jsonb_to_recordset(p_items) AS x(
             id uuid, natural_key text, beneficiary_id uuid, measure_id uuid, kind text, period text, charge_id uuid,
             business_date date, amount bigint, creditor_name text, creditor_iban text)
      JOIN unnest(v_posted) AS p(id) ON p.id = x.id
    ON CONFLICT (natural_key) DO NOTHING
    RETURNING amount
  )
  SELECT count(*), coalesce(sum(amount), 0) INTO out_created, out_amount FROM orders;
END
$function$
;
