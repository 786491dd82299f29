CREATE OR REPLACE FUNCTION public.lease_terms_guard()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  IF OLD.effective_month <= (now() AT TIME ZONE 'Europe/Paris')::date
     OR (TG_OP = 'UPDATE' AND NEW.effective_month <= (now() AT TIME ZONE 'Europe/Paris')::date) THEN
    RAISE EXCEPTION 'lease terms in force from % are history: add terms from a later month instead',
      OLD.effective_month USING ERRCODE = 'MLAPP';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$function$
