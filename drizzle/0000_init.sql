CREATE TABLE "ledger_accounts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "ledger_accounts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"address" text NOT NULL,
	"beneficiary_id" uuid,
	"label" text NOT NULL,
	"normal_side" text NOT NULL,
	"pcg_account" text NOT NULL,
	"allow_negative" boolean NOT NULL,
	"balance_cached" boolean NOT NULL,
	"balance" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_accounts_address_unique" UNIQUE("address"),
	CONSTRAINT "ledger_accounts_balance_non_negative" CHECK ("ledger_accounts"."allow_negative" OR "ledger_accounts"."balance" >= 0),
	CONSTRAINT "ledger_accounts_non_negative_needs_cache" CHECK ("ledger_accounts"."allow_negative" OR "ledger_accounts"."balance_cached"),
	CONSTRAINT "ledger_accounts_uncached_has_no_balance" CHECK ("ledger_accounts"."balance_cached" OR "ledger_accounts"."balance" = 0),
	CONSTRAINT "ledger_accounts_pcg_format" CHECK ("ledger_accounts"."pcg_account" ~ '^[1-8][0-9]{2,7}$'),
	CONSTRAINT "ledger_accounts_address_format" CHECK ("ledger_accounts"."address" ~ '^[a-z][a-z0-9_-]*(:[A-Za-z0-9_-]+)+$')
);
--> statement-breakpoint
CREATE TABLE "ledger_postings" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "ledger_postings_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"transaction_id" uuid NOT NULL,
	"account_id" bigint NOT NULL,
	"direction" text NOT NULL,
	"amount" bigint NOT NULL,
	"value_date" date NOT NULL,
	CONSTRAINT "ledger_postings_amount_positive" CHECK ("ledger_postings"."amount" > 0)
);
--> statement-breakpoint
CREATE TABLE "ledger_transactions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"value_date" date NOT NULL,
	"description" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"content_hash" text NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"actor" text NOT NULL,
	"beneficiary_id" uuid,
	"reverses_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_transactions_idempotency_key_unique" UNIQUE("idempotency_key"),
	CONSTRAINT "ledger_transactions_reverses_id_unique" UNIQUE("reverses_id"),
	CONSTRAINT "ledger_transactions_kind_format" CHECK ("ledger_transactions"."kind" ~ '^[a-z][a-z0-9_.]{0,63}$'),
	CONSTRAINT "ledger_transactions_key_length" CHECK (length("ledger_transactions"."idempotency_key") BETWEEN 1 AND 255)
);
--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_tokens_token_hash_unique" UNIQUE("token_hash"),
	CONSTRAINT "api_tokens_role_valid" CHECK ("api_tokens"."role" IN ('admin', 'finance', 'caseworker'))
);
--> statement-breakpoint
ALTER TABLE "ledger_postings" ADD CONSTRAINT "ledger_postings_transaction_id_ledger_transactions_id_fk" FOREIGN KEY ("transaction_id") REFERENCES "public"."ledger_transactions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_postings" ADD CONSTRAINT "ledger_postings_account_id_ledger_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."ledger_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ledger_accounts_beneficiary_idx" ON "ledger_accounts" USING btree ("beneficiary_id");--> statement-breakpoint
CREATE INDEX "ledger_postings_transaction_idx" ON "ledger_postings" USING btree ("transaction_id");--> statement-breakpoint
CREATE INDEX "ledger_postings_account_idx" ON "ledger_postings" USING btree ("account_id","value_date");--> statement-breakpoint
CREATE INDEX "ledger_transactions_beneficiary_idx" ON "ledger_transactions" USING btree ("beneficiary_id","value_date");