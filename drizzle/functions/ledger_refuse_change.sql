CREATE OR REPLACE FUNCTION public.ledger_refuse_change()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  RAISE EXCEPTION 'the ledger is append-only: % on % is refused; post a reversing transaction instead',
    TG_OP, TG_TABLE_NAME USING ERRCODE = 'MLAPP';
END
$function$
