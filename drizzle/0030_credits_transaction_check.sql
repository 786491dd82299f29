-- A credit's ledger transaction is checked once per statement by a trigger, not row by
-- row by a foreign key that locked each new transaction (bench/README.md).
ALTER TABLE "credits" DROP CONSTRAINT "credits_id_ledger_transactions_id_fk";
--> statement-breakpoint
-- hand-written
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
$function$;
--> statement-breakpoint
CREATE TRIGGER credits_transaction_check_insert AFTER INSERT ON credits REFERENCING NEW TABLE AS new_credits
  FOR EACH STATEMENT EXECUTE FUNCTION credits_transaction_check();
--> statement-breakpoint
CREATE TRIGGER credits_transaction_check_update AFTER UPDATE ON credits REFERENCING NEW TABLE AS new_credits
  FOR EACH STATEMENT EXECUTE FUNCTION credits_transaction_check();
