CREATE OR REPLACE FUNCTION public.ledger_transaction_stamp()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  NEW.created_at := now();
  RETURN NEW;
END
$function$
