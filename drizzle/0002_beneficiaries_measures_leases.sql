CREATE TABLE "users" (
	"id" uuid PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"display_name" text NOT NULL,
	"role" text NOT NULL,
	"password_hash" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"disabled_at" timestamp with time zone,
	CONSTRAINT "users_email_unique" UNIQUE("email"),
	CONSTRAINT "users_role_valid" CHECK ("users"."role" IN ('admin', 'finance', 'caseworker'))
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"role" text NOT NULL,
	"request_id" text,
	"action" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" uuid NOT NULL,
	"beneficiary_id" uuid,
	"changes" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "prestation_catalogue" (
	"version" text NOT NULL,
	"code" text NOT NULL,
	"item" integer NOT NULL,
	"label" text NOT NULL,
	"payer" text NOT NULL,
	"scope" text NOT NULL,
	"earmarked" text,
	"masp3" text,
	CONSTRAINT "prestation_catalogue_version_code_pk" PRIMARY KEY("version","code"),
	CONSTRAINT "prestation_catalogue_scope" CHECK ("prestation_catalogue"."scope" IN ('default', 'extension')),
	CONSTRAINT "prestation_catalogue_earmarked" CHECK ("prestation_catalogue"."earmarked" IS NULL OR "prestation_catalogue"."earmarked" IN ('housing', 'care')),
	CONSTRAINT "prestation_catalogue_masp3" CHECK ("prestation_catalogue"."masp3" IS NULL OR "prestation_catalogue"."masp3" IN ('base', 'extension'))
);
--> statement-breakpoint
CREATE TABLE "prestation_catalogue_versions" (
	"version" text PRIMARY KEY NOT NULL,
	"valid_from" date NOT NULL,
	"source" text NOT NULL,
	CONSTRAINT "prestation_catalogue_versions_valid_from_unique" UNIQUE("valid_from")
);
--> statement-breakpoint
CREATE TABLE "beneficiaries" (
	"id" uuid PRIMARY KEY NOT NULL,
	"first_name" text NOT NULL,
	"last_name" text NOT NULL,
	"birth_date" date NOT NULL,
	"caf_number" text,
	"msa_number" text,
	"iban" text,
	"caseworker_id" uuid,
	"mjagbf" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "beneficiaries_caf_digits" CHECK ("beneficiaries"."caf_number" IS NULL OR "beneficiaries"."caf_number" ~ '^[0-9]{1,13}$'),
	CONSTRAINT "beneficiaries_msa_digits" CHECK ("beneficiaries"."msa_number" IS NULL OR "beneficiaries"."msa_number" ~ '^[0-9]{1,13}$')
);
--> statement-breakpoint
CREATE TABLE "measure_amendments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"measure_id" uuid NOT NULL,
	"effective_date" date NOT NULL,
	"reason" text NOT NULL,
	"managed_prestations" text[],
	"extension" boolean,
	"extension_reason" text,
	"budget_plan_note" text,
	"actor" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "measure_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "measure_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"measure_id" uuid NOT NULL,
	"type" text NOT NULL,
	"effective_date" date NOT NULL,
	"status" text NOT NULL,
	"actor" text NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "measure_reviews" (
	"id" uuid PRIMARY KEY NOT NULL,
	"measure_id" uuid NOT NULL,
	"review_date" date NOT NULL,
	"author" text NOT NULL,
	"outcome" text NOT NULL,
	"comment" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "measures" (
	"id" uuid PRIMARY KEY NOT NULL,
	"beneficiary_id" uuid NOT NULL,
	"level" text NOT NULL,
	"start_date" date NOT NULL,
	"end_date" date NOT NULL,
	"status" text NOT NULL,
	"managed_prestations" text[] NOT NULL,
	"extension" boolean DEFAULT false NOT NULL,
	"extension_reason" text,
	"catalogue_version" text NOT NULL,
	"previous_measure_id" uuid,
	"ended_on" date,
	"end_reason" text,
	"end_orientation" text,
	"end_comment" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "measures_previous_measure_id_unique" UNIQUE("previous_measure_id"),
	CONSTRAINT "measures_level" CHECK ("measures"."level" IN ('MASP1', 'MASP2')),
	CONSTRAINT "measures_status" CHECK ("measures"."status" IN ('active', 'renewed', 'ended')),
	CONSTRAINT "measures_dates" CHECK ("measures"."start_date" <= "measures"."end_date"),
	CONSTRAINT "measures_masp1_manages_nothing" CHECK ("measures"."level" = 'MASP2' OR cardinality("measures"."managed_prestations") = 0),
	CONSTRAINT "measures_extension_reason" CHECK (NOT "measures"."extension" OR "measures"."extension_reason" IS NOT NULL),
	CONSTRAINT "measures_end" CHECK (("measures"."status" = 'ended') = ("measures"."ended_on" IS NOT NULL AND "measures"."end_reason" IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE "lease_terms" (
	"id" uuid PRIMARY KEY NOT NULL,
	"lease_id" uuid NOT NULL,
	"effective_month" date NOT NULL,
	"rent" bigint NOT NULL,
	"charges" bigint NOT NULL,
	"housing_benefit_to_landlord" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lease_terms_month_unique" UNIQUE("lease_id","effective_month"),
	CONSTRAINT "lease_terms_first_of_month" CHECK (extract(day from "lease_terms"."effective_month") = 1),
	CONSTRAINT "lease_terms_amounts" CHECK ("lease_terms"."rent" >= 0 AND "lease_terms"."charges" >= 0 AND "lease_terms"."housing_benefit_to_landlord" >= 0),
	CONSTRAINT "lease_terms_due_non_negative" CHECK ("lease_terms"."rent" + "lease_terms"."charges" >= "lease_terms"."housing_benefit_to_landlord")
);
--> statement-breakpoint
CREATE TABLE "leases" (
	"id" uuid PRIMARY KEY NOT NULL,
	"beneficiary_id" uuid NOT NULL,
	"landlord_name" text NOT NULL,
	"landlord_iban" text NOT NULL,
	"due_day" integer NOT NULL,
	"start_date" date NOT NULL,
	"end_date" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "leases_due_day" CHECK ("leases"."due_day" BETWEEN 1 AND 28),
	CONSTRAINT "leases_dates" CHECK ("leases"."end_date" IS NULL OR "leases"."end_date" >= "leases"."start_date")
);
--> statement-breakpoint
CREATE TABLE "charges" (
	"id" uuid PRIMARY KEY NOT NULL,
	"beneficiary_id" uuid NOT NULL,
	"label" text NOT NULL,
	"category" text NOT NULL,
	"amount" bigint NOT NULL,
	"due_day" integer NOT NULL,
	"priority" integer NOT NULL,
	"creditor_name" text NOT NULL,
	"creditor_iban" text NOT NULL,
	"frequency" text DEFAULT 'monthly' NOT NULL,
	"months" integer[] DEFAULT '{}'::integer[] NOT NULL,
	"start_date" date NOT NULL,
	"end_date" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "charges_amount" CHECK ("charges"."amount" > 0),
	CONSTRAINT "charges_due_day" CHECK ("charges"."due_day" BETWEEN 1 AND 28),
	CONSTRAINT "charges_priority" CHECK ("charges"."priority" BETWEEN 1 AND 1000),
	CONSTRAINT "charges_category" CHECK ("charges"."category" IN ('energy', 'water', 'insurance', 'debt_plan', 'telecom', 'care', 'other')),
	CONSTRAINT "charges_frequency" CHECK ("charges"."frequency" IN ('monthly', 'quarterly', 'yearly')),
	CONSTRAINT "charges_dates" CHECK ("charges"."end_date" IS NULL OR "charges"."end_date" >= "charges"."start_date")
);
--> statement-breakpoint
ALTER TABLE "api_tokens" ADD COLUMN "user_id" uuid;--> statement-breakpoint
ALTER TABLE "prestation_catalogue" ADD CONSTRAINT "prestation_catalogue_version_prestation_catalogue_versions_version_fk" FOREIGN KEY ("version") REFERENCES "public"."prestation_catalogue_versions"("version") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "beneficiaries" ADD CONSTRAINT "beneficiaries_caseworker_id_users_id_fk" FOREIGN KEY ("caseworker_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "measure_amendments" ADD CONSTRAINT "measure_amendments_measure_id_measures_id_fk" FOREIGN KEY ("measure_id") REFERENCES "public"."measures"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "measure_events" ADD CONSTRAINT "measure_events_measure_id_measures_id_fk" FOREIGN KEY ("measure_id") REFERENCES "public"."measures"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "measure_reviews" ADD CONSTRAINT "measure_reviews_measure_id_measures_id_fk" FOREIGN KEY ("measure_id") REFERENCES "public"."measures"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "measures" ADD CONSTRAINT "measures_beneficiary_id_beneficiaries_id_fk" FOREIGN KEY ("beneficiary_id") REFERENCES "public"."beneficiaries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "measures" ADD CONSTRAINT "measures_previous_measure_id_measures_id_fk" FOREIGN KEY ("previous_measure_id") REFERENCES "public"."measures"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lease_terms" ADD CONSTRAINT "lease_terms_lease_id_leases_id_fk" FOREIGN KEY ("lease_id") REFERENCES "public"."leases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leases" ADD CONSTRAINT "leases_beneficiary_id_beneficiaries_id_fk" FOREIGN KEY ("beneficiary_id") REFERENCES "public"."beneficiaries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "charges" ADD CONSTRAINT "charges_beneficiary_id_beneficiaries_id_fk" FOREIGN KEY ("beneficiary_id") REFERENCES "public"."beneficiaries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_entity_idx" ON "audit_log" USING btree ("entity_id","at");--> statement-breakpoint
CREATE INDEX "audit_log_beneficiary_idx" ON "audit_log" USING btree ("beneficiary_id","at");--> statement-breakpoint
CREATE INDEX "beneficiaries_name_idx" ON "beneficiaries" USING btree (lower("last_name"),lower("first_name"),"id");--> statement-breakpoint
CREATE INDEX "beneficiaries_caf_idx" ON "beneficiaries" USING btree ("caf_number");--> statement-breakpoint
CREATE INDEX "beneficiaries_caseworker_idx" ON "beneficiaries" USING btree ("caseworker_id");--> statement-breakpoint
CREATE INDEX "measure_amendments_measure_idx" ON "measure_amendments" USING btree ("measure_id","effective_date");--> statement-breakpoint
CREATE INDEX "measure_events_measure_idx" ON "measure_events" USING btree ("measure_id","id");--> statement-breakpoint
CREATE INDEX "measure_reviews_measure_idx" ON "measure_reviews" USING btree ("measure_id");--> statement-breakpoint
CREATE INDEX "measures_beneficiary_idx" ON "measures" USING btree ("beneficiary_id","start_date");--> statement-breakpoint
CREATE INDEX "leases_beneficiary_idx" ON "leases" USING btree ("beneficiary_id","start_date");--> statement-breakpoint
CREATE INDEX "charges_beneficiary_idx" ON "charges" USING btree ("beneficiary_id","priority");--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;