DROP INDEX "audit_log_entity_idx";--> statement-breakpoint
-- hand-written
-- The payment-order writer made cheaper again after the one ledger writer (issue 11),
-- measured in bench/README.md: create_payment_orders takes the orders and their ledger
-- transactions as two arrays, so the transactions go to ledger_post_many as they came
-- (picked out again only when a run meets orders already written), and
-- ledger_post_many looks each account up once, by the statement that locks it.
-- Copied from drizzle/functions/create_payment_orders.sql and ledger_post_many.sql.
-- The audit log's two indexes go because nothing reads them (one row per credit).
DROP FUNCTION public.create_payment_orders(jsonb);
--> statement-breakpoint
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
--> statement-breakpoint
CREATE OR REPLACE FUNCTION public.ledger_post_many(p_transactions jsonb)
 RETURNS TABLE(out_transaction_id uuid, out_idempotency_key text, out_replayed boolean)
 LANGUAGE plpgsql
AS $function$
-- The one ledger writer. p_transactions: [{id, kind, value_date, description,
-- idempotency_key, metadata, actor, beneficiary_id, reverses_id,
-- postings: [{account (address), direction, amount}]}]. One statement writes every
-- transaction and every posting; the posting trigger then moves each cached balance
-- once for the whole set (so a balance's CHECK sees its net movement over the set:
-- callers put in one set only transactions that may commit together), and the
-- deferred trigger checks that each transaction balances.
-- The cached balances are locked first, in id order, once for the whole set, so that
-- concurrent writers queue instead of deadlocking, by the statement that looks them up;
-- the uncached system accounts are never locked (they would serialise every credit). An idempotency key already used
-- is a replay when it moved the same content (answered with the stored id), MLIDC
-- otherwise; a racing duplicate waits on the unique key, then finds the first.
DECLARE
  v_addresses text[];
  v_ids bigint[];
  v_found text[];
  v_sides text[];
  v_posted uuid[];
  v_expected bigint;
  v_inserted bigint;
  v_keys text[];
  v_conflict text;
BEGIN
  -- The addresses as an array: looked up through the unique index (= ANY), never by
  -- a join that the planner, blind to the size of a JSON array, could turn into a scan.
  SELECT array_agg(DISTINCT p->>'account') INTO v_addresses
    FROM jsonb_array_elements(p_transactions) t, jsonb_array_elements(t->'postings') p;
  -- Each address is looked up once, into arrays that the insert below joins in memory:
  -- the cached accounts by their locking statement, then the few uncached ones.
  SELECT coalesce(array_agg(l.id), '{}'), coalesce(array_agg(l.address), '{}'), coalesce(array_agg(l.normal_side), '{}')
    INTO v_ids, v_found, v_sides
    FROM (SELECT a.id, a.address, a.normal_side FROM ledger_accounts a
           WHERE a.address = ANY (v_addresses) AND a.balance_cached
           ORDER BY a.id FOR NO KEY UPDATE) l;
  SELECT v_ids || coalesce(array_agg(a.id), '{}'), v_found || coalesce(array_agg(a.address), '{}'),
         v_sides || coalesce(array_agg(a.normal_side), '{}')
    INTO v_ids, v_found, v_sides
    FROM ledger_accounts a WHERE a.address = ANY (ARRAY(SELECT unnest(v_addresses) EXCEPT SELECT unnest(v_found)));

  WITH accounts AS (
    SELECT * FROM unnest(v_ids, v_found, v_sides) AS a(id, address, normal_side)
  ), items AS (
    SELECT * FROM jsonb_to_recordset(p_transactions) AS x(
      id uuid, kind text, value_date date, description text, idempotency_key text, metadata jsonb, actor text,
      beneficiary_id uuid, reverses_id uuid, postings jsonb)
  ), txns AS (
    INSERT INTO ledger_transactions (id, kind, value_date, description, idempotency_key, content_hash, metadata, actor,
                                     beneficiary_id, reverses_id)
    SELECT i.id, i.kind, i.value_date, i.description, i.idempotency_key,
           ledger_content_hash(i.kind, i.value_date, i.beneficiary_id, i.reverses_id, i.postings),
           coalesce(i.metadata, '{}'::jsonb), i.actor, i.beneficiary_id, i.reverses_id
      FROM items i
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id
  ), postings AS (
    -- Increases before decreases within a transaction: a reader of the postings in id
    -- order never sees an envelope go below zero half-way through a transaction.
    INSERT INTO ledger_postings (transaction_id, account_id, direction, amount, value_date)
    SELECT i.id, a.id, e.p->>'direction', (e.p->>'amount')::bigint, i.value_date
      FROM items i JOIN txns t ON t.id = i.id
     CROSS JOIN LATERAL jsonb_array_elements(i.postings) WITH ORDINALITY AS e(p, ord)
      JOIN accounts a ON a.address = e.p->>'account'
     ORDER BY i.id, (a.normal_side = e.p->>'direction') DESC, e.ord
    RETURNING 1
  )
  SELECT coalesce(array_agg(t.id), '{}'), (SELECT count(*) FROM postings),
         (SELECT coalesce(sum(jsonb_array_length(i.postings)), 0) FROM items i JOIN txns t2 ON t2.id = i.id)
    INTO v_posted, v_inserted, v_expected FROM txns t;

  IF v_inserted <> v_expected THEN
    RAISE EXCEPTION 'unknown ledger account among %',
      (SELECT array_agg(x) FROM unnest(v_addresses) x WHERE NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.address = x))
      USING ERRCODE = 'MLACC';
  END IF;

  IF cardinality(v_posted) = jsonb_array_length(p_transactions) THEN
    RETURN QUERY SELECT (t->>'id')::uuid, t->>'idempotency_key', false FROM jsonb_array_elements(p_transactions) t;
    RETURN;
  END IF;

  -- Keys already used. A hash of an older format (before version 2: SHA-256 computed
  -- by the application, or md5 for payment orders) is not compared as such: the
  -- stored transaction's content is hashed again, from its row and its postings.
  SELECT array_agg(t->>'idempotency_key') INTO v_keys
    FROM jsonb_array_elements(p_transactions) t WHERE NOT ((t->>'id')::uuid = ANY (v_posted));
  SELECT i.idempotency_key INTO v_conflict
    FROM jsonb_to_recordset(p_transactions) AS i(id uuid, kind text, value_date date, idempotency_key text,
                                                beneficiary_id uuid, reverses_id uuid, postings jsonb)
    JOIN ledger_transactions s ON s.idempotency_key = i.idempotency_key AND s.idempotency_key = ANY (v_keys)
   WHERE NOT (i.id = ANY (v_posted))
     AND ledger_content_hash(i.kind, i.value_date, i.beneficiary_id, i.reverses_id, i.postings)
         <> CASE WHEN s.content_hash LIKE 'v2:%' THEN s.content_hash
                 ELSE ledger_content_hash(s.kind, s.value_date, s.beneficiary_id, s.reverses_id,
                        (SELECT jsonb_agg(jsonb_build_object('account', a.address, 'direction', p.direction, 'amount', p.amount))
                           FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id WHERE p.transaction_id = s.id)) END
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'idempotency key "%" was already used for another transaction', v_conflict USING ERRCODE = 'MLIDC';
  END IF;

  RETURN QUERY
    SELECT coalesce(s.id, (x.t->>'id')::uuid), x.t->>'idempotency_key', s.id IS NOT NULL
      FROM jsonb_array_elements(p_transactions) WITH ORDINALITY AS x(t, ord)
      LEFT JOIN ledger_transactions s
        ON s.idempotency_key = x.t->>'idempotency_key' AND s.idempotency_key = ANY (v_keys)
       AND NOT ((x.t->>'id')::uuid = ANY (v_posted))
     ORDER BY x.ord;
END
$function$
;
