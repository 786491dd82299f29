CREATE TABLE "payers" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"iban" text,
	"address" jsonb,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payers_address" CHECK ("payers"."address" IS NULL OR (jsonb_typeof("payers"."address"->'town') = 'string' AND ("payers"."address"->>'country') ~ '^[A-Z]{2}$'))
);
--> statement-breakpoint
ALTER TABLE "payment_orders" DROP CONSTRAINT "payment_orders_kind";--> statement-breakpoint
ALTER TABLE "payment_orders" ALTER COLUMN "creditor_iban" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "payment_orders" ADD COLUMN "method" text DEFAULT 'transfer' NOT NULL;--> statement-breakpoint
ALTER TABLE "payment_orders" ADD COLUMN "cheque_number" text;--> statement-breakpoint
ALTER TABLE "payment_orders" ADD COLUMN "receipt_number" text;--> statement-breakpoint
ALTER TABLE "payment_orders" ADD CONSTRAINT "payment_orders_method" CHECK ("payment_orders"."method" IN ('transfer', 'cash', 'cheque'));--> statement-breakpoint
ALTER TABLE "payment_orders" ADD CONSTRAINT "payment_orders_transfer_iban" CHECK ("payment_orders"."method" <> 'transfer' OR "payment_orders"."creditor_iban" IS NOT NULL);--> statement-breakpoint
ALTER TABLE "payment_orders" ADD CONSTRAINT "payment_orders_kind" CHECK ("payment_orders"."kind" IN ('rent', 'charge', 'reversement', 'one_off', 'final', 'forward', 'return_to_payer'));--> statement-breakpoint
-- hand-written: every payer the catalogue names becomes a record (its name is its code until an admin completes it)
INSERT INTO payers (code, name) SELECT DISTINCT payer, payer FROM prestation_catalogue ON CONFLICT DO NOTHING;
