CREATE TABLE "payment_batch_orders" (
	"batch_id" uuid NOT NULL,
	"order_id" uuid NOT NULL,
	"end_to_end_id" text NOT NULL,
	"amount" bigint NOT NULL,
	"creditor_name" text NOT NULL,
	"creditor_iban" text NOT NULL,
	"creditor_bic" text,
	"creditor_address" jsonb,
	"remittance" text NOT NULL,
	CONSTRAINT "payment_batch_orders_batch_id_order_id_pk" PRIMARY KEY("batch_id","order_id"),
	CONSTRAINT "payment_batch_orders_amount" CHECK ("payment_batch_orders"."amount" > 0),
	CONSTRAINT "payment_batch_orders_end_to_end" CHECK (length("payment_batch_orders"."end_to_end_id") <= 35)
);
--> statement-breakpoint
CREATE TABLE "payment_batches" (
	"id" uuid PRIMARY KEY NOT NULL,
	"bank_account_id" uuid NOT NULL,
	"execution_date" date NOT NULL,
	"status" text DEFAULT 'prepared' NOT NULL,
	"msg_id" text NOT NULL,
	"debtor" jsonb NOT NULL,
	"order_count" integer NOT NULL,
	"total" bigint NOT NULL,
	"prepared_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"dissolved_at" timestamp with time zone,
	CONSTRAINT "payment_batches_msg_id_unique" UNIQUE("msg_id"),
	CONSTRAINT "payment_batches_status" CHECK ("payment_batches"."status" IN ('prepared', 'sent', 'dissolved')),
	CONSTRAINT "payment_batches_total" CHECK ("payment_batches"."total" > 0 AND "payment_batches"."order_count" > 0),
	CONSTRAINT "payment_batches_msg_id" CHECK (length("payment_batches"."msg_id") <= 35)
);
--> statement-breakpoint
ALTER TABLE "payment_batch_orders" ADD CONSTRAINT "payment_batch_orders_batch_id_payment_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."payment_batches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_batch_orders" ADD CONSTRAINT "payment_batch_orders_order_id_payment_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."payment_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_batches" ADD CONSTRAINT "payment_batches_bank_account_id_bank_accounts_id_fk" FOREIGN KEY ("bank_account_id") REFERENCES "public"."bank_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "payment_batch_orders_order_idx" ON "payment_batch_orders" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "payment_batches_account_idx" ON "payment_batches" USING btree ("bank_account_id","execution_date");--> statement-breakpoint
CREATE INDEX "payment_batches_status_idx" ON "payment_batches" USING btree ("status","created_at");