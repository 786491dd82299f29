CREATE TABLE "notification_deliveries" (
	"id" uuid PRIMARY KEY NOT NULL,
	"delivery_key" text NOT NULL,
	"channel" text NOT NULL,
	"kind" text NOT NULL,
	"event_id" uuid,
	"alert_id" uuid,
	"event" text NOT NULL,
	"user_id" uuid,
	"subscription_id" uuid,
	"mode" text DEFAULT 'immediate' NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"response_status" integer,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"digest_id" uuid,
	"payload" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone,
	CONSTRAINT "notification_deliveries_delivery_key_unique" UNIQUE("delivery_key"),
	CONSTRAINT "notification_deliveries_channel" CHECK ("notification_deliveries"."channel" IN ('mail', 'webhook')),
	CONSTRAINT "notification_deliveries_kind" CHECK ("notification_deliveries"."kind" IN ('alert', 'digest', 'notice')),
	CONSTRAINT "notification_deliveries_mode" CHECK ("notification_deliveries"."mode" IN ('immediate', 'digest')),
	CONSTRAINT "notification_deliveries_status" CHECK ("notification_deliveries"."status" IN ('pending', 'delivered', 'failed', 'grouped')),
	CONSTRAINT "notification_deliveries_recipient" CHECK (("notification_deliveries"."channel" = 'mail' AND "notification_deliveries"."user_id" IS NOT NULL AND "notification_deliveries"."subscription_id" IS NULL) OR ("notification_deliveries"."channel" = 'webhook' AND "notification_deliveries"."subscription_id" IS NOT NULL AND "notification_deliveries"."user_id" IS NULL))
);
--> statement-breakpoint
CREATE TABLE "notification_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"alert_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"kind" text NOT NULL,
	"alert_status" text NOT NULL,
	"periods" text[] NOT NULL,
	"evidence" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"dispatched_at" timestamp with time zone,
	CONSTRAINT "notification_events_kind" CHECK ("notification_events"."kind" IN ('raised', 'updated', 'closed'))
);
--> statement-breakpoint
CREATE TABLE "notification_preferences" (
	"user_id" uuid NOT NULL,
	"alert_type" text NOT NULL,
	"mode" text NOT NULL,
	CONSTRAINT "notification_preferences_user_id_alert_type_pk" PRIMARY KEY("user_id","alert_type"),
	CONSTRAINT "notification_preferences_type" CHECK ("notification_preferences"."alert_type" IN ('unpaid_rent', 'masp3_trigger', 'charge_arrears', 'no_credit_received', 'housing_aid_without_lease', 'measure_ending', 'payment_rejected', 'payment_returned', 'statement_inconsistent', 'bank_difference')),
	CONSTRAINT "notification_preferences_mode" CHECK ("notification_preferences"."mode" IN ('immediate', 'digest')),
	CONSTRAINT "notification_preferences_masp3" CHECK ("notification_preferences"."alert_type" <> 'masp3_trigger' OR "notification_preferences"."mode" = 'immediate')
);
--> statement-breakpoint
CREATE TABLE "outbound_mails" (
	"id" uuid PRIMARY KEY NOT NULL,
	"delivery_id" uuid NOT NULL,
	"message_id" text NOT NULL,
	"to" text NOT NULL,
	"subject" text NOT NULL,
	"text" text NOT NULL,
	"html" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "outbound_mails_delivery_id_unique" UNIQUE("delivery_id")
);
--> statement-breakpoint
CREATE TABLE "user_absences" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"from" date NOT NULL,
	"to" date NOT NULL,
	"substitute_id" uuid NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "user_absences_range" CHECK ("user_absences"."from" <= "user_absences"."to"),
	CONSTRAINT "user_absences_other" CHECK ("user_absences"."substitute_id" <> "user_absences"."user_id")
);
--> statement-breakpoint
CREATE TABLE "webhook_subscriptions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"url" text NOT NULL,
	"events" text[] NOT NULL,
	"secret" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	"paused_at" timestamp with time zone,
	"pause_reason" text,
	CONSTRAINT "webhook_subscriptions_status" CHECK ("webhook_subscriptions"."status" IN ('active', 'paused', 'deleted'))
);
--> statement-breakpoint
ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_event_id_notification_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."notification_events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_alert_id_alerts_id_fk" FOREIGN KEY ("alert_id") REFERENCES "public"."alerts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_subscription_id_webhook_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."webhook_subscriptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_events" ADD CONSTRAINT "notification_events_alert_id_alerts_id_fk" FOREIGN KEY ("alert_id") REFERENCES "public"."alerts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_preferences" ADD CONSTRAINT "notification_preferences_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbound_mails" ADD CONSTRAINT "outbound_mails_delivery_id_notification_deliveries_id_fk" FOREIGN KEY ("delivery_id") REFERENCES "public"."notification_deliveries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_absences" ADD CONSTRAINT "user_absences_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_absences" ADD CONSTRAINT "user_absences_substitute_id_users_id_fk" FOREIGN KEY ("substitute_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "notification_deliveries_due" ON "notification_deliveries" USING btree ("next_attempt_at") WHERE "notification_deliveries"."status" = 'pending' AND "notification_deliveries"."mode" = 'immediate';--> statement-breakpoint
CREATE INDEX "notification_deliveries_digest" ON "notification_deliveries" USING btree ("user_id") WHERE "notification_deliveries"."status" = 'pending' AND "notification_deliveries"."mode" = 'digest';--> statement-breakpoint
CREATE INDEX "notification_deliveries_subscription" ON "notification_deliveries" USING btree ("subscription_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "notification_events_version" ON "notification_events" USING btree ("alert_id","version");--> statement-breakpoint
CREATE INDEX "notification_events_pending" ON "notification_events" USING btree ("created_at") WHERE "notification_events"."dispatched_at" IS NULL;--> statement-breakpoint
CREATE INDEX "outbound_mails_created" ON "outbound_mails" USING btree ("created_at");--> statement-breakpoint
-- hand-written
-- The outbox: every alert raised, grown or closed gets its event row in the transaction that changed it, whoever wrote it.
CREATE FUNCTION alerts_outbox()
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
;--> statement-breakpoint
CREATE TRIGGER alerts_outbox AFTER INSERT OR UPDATE ON alerts FOR EACH ROW EXECUTE FUNCTION alerts_outbox();
