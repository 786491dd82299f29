-- Writes a batch of already-allocated credits in ONE round trip (TigerBeetle's
-- "everything is a batch"): for each item, claim its idempotency key, post its ledger
-- transaction, record the credit and its audit row. An item whose key is already
-- claimed (a racing duplicate that committed first) is skipped and reported, and the
-- caller answers it from the stored response. Items arrive sorted by key, so two
-- batches never wait on each other's keys in opposite orders.
CREATE FUNCTION record_credit_batch(p_items jsonb)
RETURNS TABLE (out_key text, out_claimed boolean) LANGUAGE plpgsql AS $$
DECLARE
  v_item jsonb;
  v_post jsonb;
BEGIN
  FOR v_item IN SELECT value FROM jsonb_array_elements(p_items) LOOP
    INSERT INTO idempotency_keys (scope, key, request_hash, response_status, response)
    VALUES ('credit', v_item->>'key', v_item->>'hash', 201, (v_item->>'response')::json)
    ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
      RETURN QUERY SELECT v_item->>'key', false;
      CONTINUE;
    END IF;
    v_post := v_item->'post';
    PERFORM ledger_post(
      (v_post->>0)::uuid, v_post->>1, (v_post->>2)::date, v_post->>3, v_post->>4, v_post->>5, (v_post->>6)::jsonb,
      v_post->>7, (v_post->>8)::uuid, (v_post->>9)::uuid, (v_post->>10)::text[], (v_post->>11)::text[], (v_post->>12)::bigint[]);
    INSERT INTO credits (id, beneficiary_id, measure_id, payer, prestation, amount, value_date, reference, allocations)
    VALUES ((v_post->>0)::uuid, (v_item->>'beneficiaryId')::uuid, (v_item->>'measureId')::uuid, v_item->>'payer', v_item->>'prestation',
            (v_item->>'amount')::bigint, (v_item->>'valueDate')::date, v_item->>'reference', v_item->'allocations');
    INSERT INTO audit_log (actor, role, request_id, action, entity_type, entity_id, beneficiary_id, changes)
    VALUES (v_item->>'actor', v_item->>'role', v_item->>'requestId', 'credit.record', 'credit', (v_post->>0)::uuid,
            (v_item->>'beneficiaryId')::uuid, v_item->'audit');
    RETURN QUERY SELECT v_item->>'key', true;
  END LOOP;
END
$$;
