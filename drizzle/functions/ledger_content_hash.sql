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
$function$
