-- One ledger writer: ledger_post_many(jsonb) replaces ledger_post's thirteen positional
-- parameters, and record_credit_batch and create_payment_orders post through it. The
-- content hash is computed in SQL only (ledger_content_hash, marked 'v2:'); hashes
-- stored before (SHA-256 from the application, md5 for payment orders) stay as they
-- are: a replay against one of them is compared by hashing the stored content again.
-- Each function's text is a copy of drizzle/functions/<name>.sql.
DROP FUNCTION ledger_post(uuid, text, date, text, text, text, jsonb, text, uuid, uuid, text[], text[], bigint[]);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION public.ledger_content_hash(p_kind text, p_value_date date, p_beneficiary_id uuid, p_reverses_id uuid, p_postings jsonb)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE
AS $function$
  -- What a transaction moves, canonically (version 2, the only one computed since
  -- migration 0009): a replay under the same idempotency key must move exactly this.
  -- Postings are a multiset: sorted bytewise (COLLATE "C") so no locale changes the hash.
  SELECT 'v2:' || encode(sha256(convert_to(jsonb_build_array(p_kind, p_value_date, p_beneficiary_id, p_reverses_id,
    (SELECT coalesce(jsonb_agg(jsonb_build_array(e->>'account', e->>'direction', (e->>'amount')::bigint)
                                ORDER BY e->>'account' COLLATE "C", e->>'direction' COLLATE "C", (e->>'amount')::bigint), '[]')
       FROM jsonb_array_elements(p_postings) e))::text, 'UTF8')), 'hex')
$function$;
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
-- concurrent writers queue instead of deadlocking; the uncached system accounts are
-- never locked (they would serialise every credit). An idempotency key already used
-- is a replay when it moved the same content (answered with the stored id), MLIDC
-- otherwise; a racing duplicate waits on the unique key, then finds the first.
DECLARE
  v_addresses text[];
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
  PERFORM 1 FROM ledger_accounts a
   WHERE a.address = ANY (v_addresses) AND a.balance_cached
   ORDER BY a.id FOR NO KEY UPDATE;

  WITH accounts AS (
    SELECT a.id, a.address, a.normal_side FROM ledger_accounts a WHERE a.address = ANY (v_addresses)
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
$function$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION public.record_credit_batch(p_items jsonb)
 RETURNS TABLE(out_key text, out_claimed boolean)
 LANGUAGE plpgsql
AS $function$
-- Writes a batch of already-allocated credits in one round trip and a few set-based
-- statements (TigerBeetle's "everything is a batch"): claim the idempotency keys,
-- post the claimed items' ledger transactions through ledger_post_many, record the
-- credits and their audit rows. An item whose key is already claimed (a racing
-- duplicate that committed first) is skipped and reported, and the caller answers it
-- from the stored response. Items arrive sorted by key, so two batches never wait on
-- each other's keys in opposite orders.
DECLARE
  v_claimed text[];
BEGIN
  WITH claimed AS (
    INSERT INTO idempotency_keys (scope, key, request_hash, response_status, response)
    SELECT 'credit', i->>'key', i->>'hash', 201, (i->>'response')::json FROM jsonb_array_elements(p_items) i
    ON CONFLICT DO NOTHING
    RETURNING key
  )
  SELECT coalesce(array_agg(key), '{}') INTO v_claimed FROM claimed;

  IF cardinality(v_claimed) > 0 THEN
    PERFORM 1 FROM ledger_post_many((SELECT jsonb_agg(i->'post') FROM jsonb_array_elements(p_items) i
                                      WHERE i->>'key' = ANY (v_claimed)));
    INSERT INTO credits (id, beneficiary_id, measure_id, payer, prestation, amount, value_date, reference, allocations)
    SELECT (i->'post'->>'id')::uuid, (i->>'beneficiaryId')::uuid, (i->>'measureId')::uuid, i->>'payer', i->>'prestation',
           (i->>'amount')::bigint, (i->>'valueDate')::date, i->>'reference', i->'allocations'
      FROM jsonb_array_elements(p_items) i WHERE i->>'key' = ANY (v_claimed);
    INSERT INTO audit_log (actor, role, request_id, action, entity_type, entity_id, beneficiary_id, changes)
    SELECT i->>'actor', i->>'role', i->>'requestId', 'credit.record', 'credit', (i->'post'->>'id')::uuid,
           (i->>'beneficiaryId')::uuid, i->'audit'
      FROM jsonb_array_elements(p_items) i WHERE i->>'key' = ANY (v_claimed);
  END IF;

  RETURN QUERY SELECT i->>'key', i->>'key' = ANY (v_claimed) FROM jsonb_array_elements(p_items) i;
END
$function$;
--> statement-breakpoint
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
  SELECT jsonb_agg(jsonb_build_object(
           'id', i.id, 'kind', 'payment.' || i.kind, 'value_date', i.business_date, 'description', i.description,
           'idempotency_key', 'payment:' || i.natural_key, 'actor', i.actor, 'beneficiary_id', i.beneficiary_id,
           'metadata', jsonb_build_object('paymentOrderId', i.id, 'kind', i.kind, 'period', i.period, 'chargeId', i.charge_id),
           'postings', jsonb_build_array(jsonb_build_object('account', i.envelope, 'direction', 'debit', 'amount', i.amount),
                                         jsonb_build_object('account', 'payments:in-transit', 'direction', 'credit', 'amount', i.amount))))
    INTO v_posts
    FROM (SELECT DISTINCT ON (x.natural_key) x.* FROM jsonb_to_recordset(p_items) AS x(
            id uuid, natural_key text, beneficiary_id uuid, kind text, period text, charge_id uuid,
            business_date date, amount bigint, envelope text, description text, actor text)
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
     WHERE x.id = ANY (v_posted)
    ON CONFLICT (natural_key) DO NOTHING
    RETURNING amount
  )
  SELECT count(*), coalesce(sum(amount), 0) INTO out_created, out_amount FROM orders;
END
$function$;
