CREATE OR REPLACE FUNCTION public.credits_transaction_check()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
-- A credit is the business record of the ledger transaction of the same id: once per
-- statement, every inserted or updated credit must have one (the foreign key it replaces,
-- with its SQLSTATE). Ledger transactions are never deleted.
DECLARE
  v_missing uuid;
BEGIN
  SELECT n.id INTO v_missing FROM new_credits n LEFT JOIN ledger_transactions t ON t.id = n.id WHERE t.id IS NULL LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'credit % has no ledger transaction of the same id', v_missing USING ERRCODE = '23503';
  END IF;
  RETURN NULL;
END
$function$
