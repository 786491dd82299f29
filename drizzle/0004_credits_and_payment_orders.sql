CREATE TABLE "credits" (
	"id" uuid PRIMARY KEY NOT NULL,
	"beneficiary_id" uuid NOT NULL,
	"measure_id" uuid NOT NULL,
	"payer" text NOT NULL,
	"prestation" text NOT NULL,
	"amount" bigint NOT NULL,
	"value_date" date NOT NULL,
	"reference" text,
	"allocations" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "credits_amount_positive" CHECK ("credits"."amount" > 0)
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"response_status" integer NOT NULL,
	"response" json NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_scope_key_pk" PRIMARY KEY("scope","key")
);
--> statement-breakpoint
CREATE TABLE "payment_orders" (
	"id" uuid PRIMARY KEY NOT NULL,
	"natural_key" text NOT NULL,
	"beneficiary_id" uuid NOT NULL,
	"measure_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"period" text,
	"charge_id" uuid,
	"business_date" date NOT NULL,
	"amount" bigint NOT NULL,
	"creditor_name" text NOT NULL,
	"creditor_iban" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"ledger_transaction_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payment_orders_natural_key_unique" UNIQUE("natural_key"),
	CONSTRAINT "payment_orders_ledger_transaction_id_unique" UNIQUE("ledger_transaction_id"),
	CONSTRAINT "payment_orders_amount_positive" CHECK ("payment_orders"."amount" > 0),
	CONSTRAINT "payment_orders_kind" CHECK ("payment_orders"."kind" IN ('rent', 'charge', 'reversement')),
	CONSTRAINT "payment_orders_status" CHECK ("payment_orders"."status" IN ('pending', 'sent', 'settled', 'rejected')),
	CONSTRAINT "payment_orders_period" CHECK ("payment_orders"."period" IS NULL OR "payment_orders"."period" ~ '^[0-9]{4}-(0[1-9]|1[0-2])$')
);
--> statement-breakpoint
ALTER TABLE "credits" ADD CONSTRAINT "credits_id_ledger_transactions_id_fk" FOREIGN KEY ("id") REFERENCES "public"."ledger_transactions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_orders" ADD CONSTRAINT "payment_orders_ledger_transaction_id_ledger_transactions_id_fk" FOREIGN KEY ("ledger_transaction_id") REFERENCES "public"."ledger_transactions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "credits_beneficiary_idx" ON "credits" USING btree ("beneficiary_id","value_date");--> statement-breakpoint
CREATE INDEX "credits_value_date_idx" ON "credits" USING btree ("value_date");--> statement-breakpoint
CREATE INDEX "payment_orders_beneficiary_idx" ON "payment_orders" USING btree ("beneficiary_id","kind","period");--> statement-breakpoint
CREATE INDEX "payment_orders_status_idx" ON "payment_orders" USING btree ("status","business_date");--> statement-breakpoint
CREATE INDEX "ledger_transactions_beneficiary_id_idx" ON "ledger_transactions" USING btree ("beneficiary_id","id");