CREATE OR REPLACE FUNCTION public.access_log_guard()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  -- Only what has outlived the retention (ACCESS_TRACE_RETENTION_MONTHS) may go: the nightly purge.
  IF TG_OP = 'DELETE' AND OLD.at < now() - interval '12 months' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'access traces are append-only: % on % is refused (only traces older than 12 months are purged)',
    TG_OP, TG_TABLE_NAME USING ERRCODE = 'MLAPP';
END
$function$
