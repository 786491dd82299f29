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
$function$
