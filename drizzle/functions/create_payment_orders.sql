CREATE OR REPLACE FUNCTION public.create_payment_orders(p_items jsonb, p_posts jsonb, OUT out_created integer, OUT out_amount bigint)
 RETURNS record
 LANGUAGE plpgsql
AS $function$
-- Writes a chunk of payment orders set-based: each order (p_items) with its ledger
-- transaction (p_posts, same id: envelope debited, payments in transit credited, built
-- and validated by the application, src/ledger/post.ts), posted through
-- ledger_post_many. The natural key (beneficiary, kind, period or charge, business
-- date) makes every order exactly-once: an order already written is skipped, and so
-- is its posting (the chunk's beneficiaries are locked by the caller, and the
-- transaction's idempotency key is the natural key).
DECLARE
  v_posts jsonb := p_posts;
  v_posted uuid[];
BEGIN
  out_created := 0;
  out_amount := 0;
  -- Only a run again for the same date finds orders already written (or a chunk that
  -- names an order twice): then, and only then, the new orders' transactions are picked.
  IF EXISTS (SELECT 1 FROM payment_orders o
              WHERE o.natural_key = ANY (ARRAY(SELECT x->>'natural_key' FROM jsonb_array_elements(p_items) x)))
     OR (SELECT count(DISTINCT x->>'natural_key') <> count(*) FROM jsonb_array_elements(p_items) x) THEN
    SELECT jsonb_agg(i.post) INTO v_posts
      FROM (SELECT DISTINCT ON (x.natural_key) p.post
              FROM jsonb_to_recordset(p_items) AS x(id text, natural_key text)
              JOIN jsonb_array_elements(p_posts) AS p(post) ON p.post->>'id' = x.id
             WHERE NOT EXISTS (SELECT 1 FROM payment_orders o WHERE o.natural_key = x.natural_key)) i;
  END IF;
  IF v_posts IS NULL OR jsonb_array_length(v_posts) = 0 THEN
    RETURN;
  END IF;

  SELECT coalesce(array_agg(out_transaction_id), '{}') INTO v_posted FROM ledger_post_many(v_posts) WHERE NOT out_replayed;

  WITH orders AS (
    INSERT INTO payment_orders (id, natural_key, beneficiary_id, measure_id, kind, period, lease_id, charge_id, business_date, amount,
                                creditor_name, creditor_iban, method, status, ledger_transaction_id)
    SELECT x.id, x.natural_key, x.beneficiary_id, x.measure_id, x.kind, x.period, x.lease_id, x.charge_id, x.business_date, x.amount,
           x.creditor_name, x.creditor_iban, coalesce(x.method, 'transfer'), 'pending', x.id
      FROM jsonb_to_recordset(p_items) AS x(
             id uuid, natural_key text, beneficiary_id uuid, measure_id uuid, kind text, period text, lease_id uuid, charge_id uuid,
             business_date date, amount bigint, creditor_name text, creditor_iban text, method text)
      JOIN unnest(v_posted) AS p(id) ON p.id = x.id
    ON CONFLICT (natural_key) DO NOTHING
    RETURNING amount
  )
  SELECT count(*), coalesce(sum(amount), 0) INTO out_created, out_amount FROM orders;
END
$function$
