CREATE TABLE "bank_accounts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"iban" text,
	"bic" text,
	"kind" text NOT NULL,
	"beneficiary_id" uuid,
	"pain_version" text DEFAULT 'pain.001.001.09' NOT NULL,
	"batch_booking" boolean DEFAULT true NOT NULL,
	"ledger_address" text NOT NULL,
	"is_default" boolean DEFAULT false NOT NULL,
	"opening_balance" bigint,
	"opening_date" date,
	"opening_transaction_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bank_accounts_ledger_address_unique" UNIQUE("ledger_address"),
	CONSTRAINT "bank_accounts_kind" CHECK ("bank_accounts"."kind" IN ('pooled', 'beneficiary')),
	CONSTRAINT "bank_accounts_pain_version" CHECK ("bank_accounts"."pain_version" IN ('pain.001.001.09', 'pain.001.001.03')),
	CONSTRAINT "bank_accounts_beneficiary_kind" CHECK (("bank_accounts"."kind" = 'beneficiary') = ("bank_accounts"."beneficiary_id" IS NOT NULL)),
	CONSTRAINT "bank_accounts_default_pooled" CHECK (NOT "bank_accounts"."is_default" OR "bank_accounts"."kind" = 'pooled'),
	CONSTRAINT "bank_accounts_iban_or_default" CHECK ("bank_accounts"."iban" IS NOT NULL OR "bank_accounts"."is_default"),
	CONSTRAINT "bank_accounts_address_format" CHECK ("bank_accounts"."ledger_address" ~ '^bank:[A-Za-z0-9_-]+$'),
	CONSTRAINT "bank_accounts_opening" CHECK (("bank_accounts"."opening_balance" IS NULL) = ("bank_accounts"."opening_date" IS NULL))
);
--> statement-breakpoint
ALTER TABLE "alerts" DROP CONSTRAINT "alerts_type";--> statement-breakpoint
ALTER TABLE "payment_orders" DROP CONSTRAINT "payment_orders_status";--> statement-breakpoint
DROP INDEX "alerts_one_open_episode";--> statement-breakpoint
ALTER TABLE "beneficiaries" ADD COLUMN "address" jsonb;--> statement-breakpoint
ALTER TABLE "beneficiaries" ADD COLUMN "bank_account_id" uuid;--> statement-breakpoint
ALTER TABLE "charges" ADD COLUMN "creditor_address" jsonb;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "audience" text DEFAULT 'caseworker' NOT NULL;--> statement-breakpoint
ALTER TABLE "leases" ADD COLUMN "landlord_address" jsonb;--> statement-breakpoint
ALTER TABLE "payment_orders" ADD COLUMN "bank_account_id" uuid;--> statement-breakpoint
ALTER TABLE "payment_orders" ADD COLUMN "status_date" date;--> statement-breakpoint
ALTER TABLE "payment_orders" ADD COLUMN "reason_code" text;--> statement-breakpoint
ALTER TABLE "bank_accounts" ADD CONSTRAINT "bank_accounts_beneficiary_id_beneficiaries_id_fk" FOREIGN KEY ("beneficiary_id") REFERENCES "public"."beneficiaries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bank_accounts" ADD CONSTRAINT "bank_accounts_opening_transaction_id_ledger_transactions_id_fk" FOREIGN KEY ("opening_transaction_id") REFERENCES "public"."ledger_transactions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "bank_accounts_one_default" ON "bank_accounts" USING btree ("is_default") WHERE "bank_accounts"."is_default";--> statement-breakpoint
CREATE UNIQUE INDEX "bank_accounts_iban_unique" ON "bank_accounts" USING btree ("iban");--> statement-breakpoint
CREATE INDEX "bank_accounts_beneficiary_idx" ON "bank_accounts" USING btree ("beneficiary_id");--> statement-breakpoint
ALTER TABLE "beneficiaries" ADD CONSTRAINT "beneficiaries_bank_account_id_bank_accounts_id_fk" FOREIGN KEY ("bank_account_id") REFERENCES "public"."bank_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_orders" ADD CONSTRAINT "payment_orders_bank_account_id_bank_accounts_id_fk" FOREIGN KEY ("bank_account_id") REFERENCES "public"."bank_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_one_open_episode" ON "alerts" USING btree ("beneficiary_id","type") WHERE "alerts"."status" <> 'closed' AND "alerts"."audience" = 'caseworker';--> statement-breakpoint
ALTER TABLE "beneficiaries" ADD CONSTRAINT "beneficiaries_address" CHECK ("beneficiaries"."address" IS NULL OR (jsonb_typeof("beneficiaries"."address"->'town') = 'string' AND ("beneficiaries"."address"->>'country') ~ '^[A-Z]{2}$'));--> statement-breakpoint
ALTER TABLE "charges" ADD CONSTRAINT "charges_creditor_address" CHECK ("charges"."creditor_address" IS NULL OR (jsonb_typeof("charges"."creditor_address"->'town') = 'string' AND ("charges"."creditor_address"->>'country') ~ '^[A-Z]{2}$'));--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_audience" CHECK ("alerts"."audience" IN ('caseworker', 'finance'));--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_type" CHECK ("alerts"."type" IN ('unpaid_rent', 'masp3_trigger', 'payment_rejected', 'payment_returned'));--> statement-breakpoint
ALTER TABLE "leases" ADD CONSTRAINT "leases_landlord_address" CHECK ("leases"."landlord_address" IS NULL OR (jsonb_typeof("leases"."landlord_address"->'town') = 'string' AND ("leases"."landlord_address"->>'country') ~ '^[A-Z]{2}$'));--> statement-breakpoint
ALTER TABLE "payment_orders" ADD CONSTRAINT "payment_orders_status" CHECK ("payment_orders"."status" IN ('pending', 'batched', 'sent', 'settled', 'rejected', 'returned', 'cancelled'));--> statement-breakpoint
-- hand-written
-- The pooled account that held every beneficiary's money before bank accounts existed:
-- it keeps its ledger address, so nothing already posted moves. Its IBAN is given by an
-- admin (POST /v1/bank-accounts with kind "pooled" completes it).
INSERT INTO bank_accounts (id, name, kind, ledger_address, is_default)
VALUES (gen_random_uuid(), 'Compte principal', 'pooled', 'bank:main', true);
