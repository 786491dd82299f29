CREATE TABLE "rent_period_entries" (
	"id" uuid PRIMARY KEY NOT NULL,
	"beneficiary_id" uuid NOT NULL,
	"lease_id" uuid NOT NULL,
	"period" text NOT NULL,
	"kind" text NOT NULL,
	"amount" bigint NOT NULL,
	"source" text,
	"evidence" text NOT NULL,
	"effective_date" date NOT NULL,
	"recorded_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rent_period_entries_period" CHECK ("rent_period_entries"."period" ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
	CONSTRAINT "rent_period_entries_kind" CHECK ("rent_period_entries"."kind" IN ('external_payment', 'housing_aid_adjustment')),
	CONSTRAINT "rent_period_entries_amount" CHECK (("rent_period_entries"."kind" = 'external_payment' AND "rent_period_entries"."amount" > 0 AND "rent_period_entries"."source" IS NOT NULL) OR ("rent_period_entries"."kind" = 'housing_aid_adjustment' AND "rent_period_entries"."amount" <> 0 AND "rent_period_entries"."source" IS NULL))
);
--> statement-breakpoint
ALTER TABLE "lease_terms" DROP CONSTRAINT "lease_terms_amounts";--> statement-breakpoint
ALTER TABLE "lease_terms" DROP CONSTRAINT "lease_terms_due_non_negative";--> statement-breakpoint
ALTER TABLE "lease_terms" ADD COLUMN "person_share" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "leases" ADD COLUMN "first_period" text;--> statement-breakpoint
ALTER TABLE "leases" ADD COLUMN "prorata" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "leases" ADD COLUMN "arrears_plan_monthly" bigint;--> statement-breakpoint
ALTER TABLE "payment_orders" ADD COLUMN "lease_id" uuid;--> statement-breakpoint
ALTER TABLE "rent_period_entries" ADD CONSTRAINT "rent_period_entries_beneficiary_id_beneficiaries_id_fk" FOREIGN KEY ("beneficiary_id") REFERENCES "public"."beneficiaries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rent_period_entries" ADD CONSTRAINT "rent_period_entries_lease_id_leases_id_fk" FOREIGN KEY ("lease_id") REFERENCES "public"."leases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "rent_period_entries_beneficiary_idx" ON "rent_period_entries" USING btree ("beneficiary_id","period");--> statement-breakpoint
ALTER TABLE "lease_terms" ADD CONSTRAINT "lease_terms_amounts" CHECK ("lease_terms"."rent" >= 0 AND "lease_terms"."charges" >= 0 AND "lease_terms"."housing_benefit_to_landlord" >= 0 AND "lease_terms"."person_share" >= 0);--> statement-breakpoint
ALTER TABLE "lease_terms" ADD CONSTRAINT "lease_terms_due_non_negative" CHECK ("lease_terms"."rent" + "lease_terms"."charges" >= "lease_terms"."housing_benefit_to_landlord" + "lease_terms"."person_share");--> statement-breakpoint
ALTER TABLE "leases" ADD CONSTRAINT "leases_first_period" CHECK ("leases"."first_period" IS NULL OR "leases"."first_period" ~ '^[0-9]{4}-(0[1-9]|1[0-2])$');--> statement-breakpoint
ALTER TABLE "leases" ADD CONSTRAINT "leases_arrears_plan" CHECK ("leases"."arrears_plan_monthly" IS NULL OR "leases"."arrears_plan_monthly" > 0);--> statement-breakpoint
-- hand-written
-- Rule 2 (issue 15): a rent order names the lease it pays, so that after a move each
-- lease's periods are paid, and counted, apart. Orders written before name the latest
-- lease that covered their period (what the ledger paid them toward then).
UPDATE payment_orders o SET lease_id = (
  SELECT l.id FROM leases l
   WHERE l.beneficiary_id = o.beneficiary_id AND to_char(l.start_date, 'YYYY-MM') <= o.period
     AND (l.end_date IS NULL OR to_char(l.end_date, 'YYYY-MM') >= o.period)
   ORDER BY l.start_date DESC LIMIT 1)
 WHERE o.kind = 'rent' AND o.lease_id IS NULL;
--> statement-breakpoint
-- Copied from drizzle/functions/create_payment_orders.sql: the orders carry their lease and their method.
CREATE OR REPLACE FUNCTION public.create_payment_orders(p_items jsonb, p_posts jsonb, OUT out_created integer, OUT out_amount bigint)
 RETURNS record
 LANGUAGE plpgsql
AS $function$
-- Writes a chunk of payment orders set-based: each order (p_items) with its ledger
-- transaction (p_posts, same id: envelope debited, payments in transit credited, built
-- and validated by the application, src/ledger/post.ts), posted through
-- ledger_post_many. The natural key (beneficiary, kind, period or charge, business
-- date) makes every order exactly-once: an order already written is skipped, and so
-- is its posting (the chunk's beneficiaries are locked by the caller, and the
-- transaction's idempotency key is the natural key).
DECLARE
  v_posts jsonb := p_posts;
  v_posted uuid[];
BEGIN
  out_created := 0;
  out_amount := 0;
  -- Only a run again for the same date finds orders already written (or a chunk that
  -- names an order twice): then, and only then, the new orders' transactions are picked.
  IF EXISTS (SELECT 1 FROM payment_orders o
              WHERE o.natural_key = ANY (ARRAY(SELECT x->>'natural_key' FROM jsonb_array_elements(p_items) x)))
     OR (SELECT count(DISTINCT x->>'natural_key') <> count(*) FROM jsonb_array_elements(p_items) x) THEN
    SELECT jsonb_agg(i.post) INTO v_posts
      FROM (SELECT DISTINCT ON (x.natural_key) p.post
              FROM jsonb_to_recordset(p_items) AS x(id text, natural_key text)
              JOIN jsonb_array_elements(p_posts) AS p(post) ON p.post->>'id' = x.id
             WHERE NOT EXISTS (SELECT 1 FROM payment_orders o WHERE o.natural_key = x.natural_key)) i;
  END IF;
  IF v_posts IS NULL OR jsonb_array_length(v_posts) = 0 THEN
    RETURN;
  END IF;

  SELECT coalesce(array_agg(out_transaction_id), '{}') INTO v_posted FROM ledger_post_many(v_posts) WHERE NOT out_replayed;

  WITH orders AS (
    INSERT INTO payment_orders (id, natural_key, beneficiary_id, measure_id, kind, period, lease_id, charge_id, business_date, amount,
                                creditor_name, creditor_iban, method, status, ledger_transaction_id)
    SELECT x.id, x.natural_key, x.beneficiary_id, x.measure_id, x.kind, x.period, x.lease_id, x.charge_id, x.business_date, x.amount,
           x.creditor_name, x.creditor_iban, coalesce(x.method, 'transfer'), 'pending', x.id
      FROM jsonb_to_recordset(p_items) AS x(
             id uuid, natural_key text, beneficiary_id uuid, measure_id uuid, kind text, period text, lease_id uuid, charge_id uuid,
             business_date date, amount bigint, creditor_name text, creditor_iban text, method text)
      JOIN unnest(v_posted) AS p(id) ON p.id = x.id
    ON CONFLICT (natural_key) DO NOTHING
    RETURNING amount
  )
  SELECT count(*), coalesce(sum(amount), 0) INTO out_created, out_amount FROM orders;
END
$function$
;
