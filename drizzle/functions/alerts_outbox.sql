CREATE OR REPLACE FUNCTION public.alerts_outbox()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE
  event_kind text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    event_kind := 'raised';
  ELSIF NEW.status = 'closed' AND OLD.status <> 'closed' THEN
    event_kind := 'closed';
  ELSIF NEW.status <> 'closed'
    AND (NOT (NEW.periods <@ OLD.periods)
      OR (jsonb_typeof(NEW.evidence -> 'arrears') = 'number'
        AND (NEW.evidence ->> 'arrears')::numeric > coalesce(CASE WHEN jsonb_typeof(OLD.evidence -> 'arrears') = 'number' THEN (OLD.evidence ->> 'arrears')::numeric END, 0))) THEN
    event_kind := 'updated';
  ELSE
    RETURN NULL;
  END IF;
  INSERT INTO notification_events (id, alert_id, version, kind, alert_status, periods, evidence)
  VALUES (gen_random_uuid(), NEW.id,
          coalesce((SELECT max(e.version) FROM notification_events e WHERE e.alert_id = NEW.id), 0) + 1,
          event_kind, NEW.status, NEW.periods, NEW.evidence);
  RETURN NULL;
END
$function$
