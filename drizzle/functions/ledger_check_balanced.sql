CREATE OR REPLACE FUNCTION public.ledger_check_balanced()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE
  v_sum numeric;
  v_debits bigint;
  v_credits bigint;
BEGIN
  SELECT coalesce(sum(CASE p.direction WHEN 'debit' THEN p.amount ELSE -p.amount END), 0),
         count(*) FILTER (WHERE p.direction = 'debit'),
         count(*) FILTER (WHERE p.direction = 'credit')
    INTO v_sum, v_debits, v_credits
    FROM ledger_postings p WHERE p.transaction_id = NEW.id;
  IF v_sum <> 0 OR v_debits = 0 OR v_credits = 0 THEN
    RAISE EXCEPTION 'transaction % is not balanced (debits - credits = %, % debit and % credit postings)',
      NEW.id, v_sum, v_debits, v_credits USING ERRCODE = 'MLUNB';
  END IF;
  RETURN NULL;
END
$function$
