CREATE OR REPLACE FUNCTION public.ledger_account_guard()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.balance <> 0 THEN
      RAISE EXCEPTION 'account % must open with a zero balance: money enters by posting', NEW.address USING ERRCODE = 'MLBAL';
    END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'ledger accounts are never deleted (%)', OLD.address USING ERRCODE = 'MLAPP';
  END IF;
  IF NEW.balance IS DISTINCT FROM OLD.balance AND pg_trigger_depth() < 2 THEN
    RAISE EXCEPTION 'the cached balance of % changes only through postings', OLD.address USING ERRCODE = 'MLBAL';
  END IF;
  IF (NEW.id, NEW.address, NEW.beneficiary_id, NEW.normal_side, NEW.pcg_account, NEW.allow_negative, NEW.balance_cached)
     IS DISTINCT FROM
     (OLD.id, OLD.address, OLD.beneficiary_id, OLD.normal_side, OLD.pcg_account, OLD.allow_negative, OLD.balance_cached) THEN
    RAISE EXCEPTION 'the nature of ledger account % cannot change', OLD.address USING ERRCODE = 'MLAPP';
  END IF;
  RETURN NEW;
END
$function$
