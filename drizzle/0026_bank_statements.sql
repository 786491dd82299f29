CREATE TABLE "bank_statement_lines" (
	"id" uuid PRIMARY KEY NOT NULL,
	"bank_account_id" uuid NOT NULL,
	"statement_id" uuid NOT NULL,
	"natural_key" text NOT NULL,
	"position" integer NOT NULL,
	"booking_date" date NOT NULL,
	"value_date" date,
	"amount" bigint NOT NULL,
	"bank_reference" text,
	"label" text NOT NULL,
	"transaction_code" text,
	"details" jsonb NOT NULL,
	"status" text DEFAULT 'new' NOT NULL,
	"reason" text,
	"matched" jsonb,
	"transaction_id" uuid,
	"resolved_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bank_statement_lines_status" CHECK ("bank_statement_lines"."status" IN ('new', 'matched', 'suspense', 'settled_order', 'rejected_order', 'returned_order')),
	CONSTRAINT "bank_statement_lines_amount" CHECK ("bank_statement_lines"."amount" <> 0)
);
--> statement-breakpoint
CREATE TABLE "bank_statements" (
	"id" uuid PRIMARY KEY NOT NULL,
	"bank_account_id" uuid NOT NULL,
	"natural_key" text NOT NULL,
	"format" text NOT NULL,
	"statement_id" text,
	"from_date" date NOT NULL,
	"to_date" date NOT NULL,
	"opening_balance" bigint NOT NULL,
	"closing_balance" bigint NOT NULL,
	"entry_count" integer NOT NULL,
	"difference" bigint NOT NULL,
	"opening_gap" bigint NOT NULL,
	"consistent" boolean NOT NULL,
	"imported_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bank_statements_format" CHECK ("bank_statements"."format" IN ('camt.053', 'cfonb120')),
	CONSTRAINT "bank_statements_dates" CHECK ("bank_statements"."from_date" <= "bank_statements"."to_date")
);
--> statement-breakpoint
CREATE TABLE "matching_rules" (
	"payer" text PRIMARY KEY NOT NULL,
	"priority" integer DEFAULT 100 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"spec" jsonb NOT NULL,
	"updated_by" text DEFAULT 'migration' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "matching_rules_payer" CHECK ("matching_rules"."payer" ~ '^[A-Z0-9_-]{1,40}$')
);
--> statement-breakpoint
ALTER TABLE "alerts" ALTER COLUMN "beneficiary_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "bank_statement_lines" ADD CONSTRAINT "bank_statement_lines_bank_account_id_bank_accounts_id_fk" FOREIGN KEY ("bank_account_id") REFERENCES "public"."bank_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bank_statement_lines" ADD CONSTRAINT "bank_statement_lines_statement_id_bank_statements_id_fk" FOREIGN KEY ("statement_id") REFERENCES "public"."bank_statements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bank_statements" ADD CONSTRAINT "bank_statements_bank_account_id_bank_accounts_id_fk" FOREIGN KEY ("bank_account_id") REFERENCES "public"."bank_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "bank_statement_lines_natural_key" ON "bank_statement_lines" USING btree ("bank_account_id","natural_key");--> statement-breakpoint
CREATE INDEX "bank_statement_lines_account_date_idx" ON "bank_statement_lines" USING btree ("bank_account_id","booking_date");--> statement-breakpoint
CREATE INDEX "bank_statement_lines_statement_idx" ON "bank_statement_lines" USING btree ("statement_id","position");--> statement-breakpoint
CREATE INDEX "bank_statement_lines_status_idx" ON "bank_statement_lines" USING btree ("status") WHERE "bank_statement_lines"."status" IN ('new', 'suspense');--> statement-breakpoint
CREATE UNIQUE INDEX "bank_statements_natural_key" ON "bank_statements" USING btree ("bank_account_id","natural_key");--> statement-breakpoint
CREATE INDEX "bank_statements_account_idx" ON "bank_statements" USING btree ("bank_account_id","to_date");--> statement-breakpoint
-- hand-written: the default rules for CAF and MSA (src/domain/matching-rules.ts), data an admin edits
INSERT INTO matching_rules (payer, priority, active, spec) VALUES
  ('CAF', 10, true, '{"names":["\\bCAF\\b","CAISSE D.?ALLOCATIONS FAMILIALES"],"ibans":[],"numberField":"cafNumber","numberPattern":"(?:ALLOCATAIRE|ALLOC|MATRICULE|N°|NUM|NO)\\s*:?\\s*(\\d{7,13})\\b","prestations":[{"prestation":"RSA","pattern":"\\bRSA\\b"},{"prestation":"AAH","pattern":"\\bAAH\\b"},{"prestation":"APL","pattern":"\\bAPL\\b"},{"prestation":"ALS","pattern":"\\bALS\\b"},{"prestation":"ALF","pattern":"\\bALF\\b"},{"prestation":"PAJE","pattern":"\\bPAJE\\b"},{"prestation":"ASF","pattern":"\\bASF\\b"},{"prestation":"ARS","pattern":"\\bARS\\b"},{"prestation":"AEEH","pattern":"\\bAEEH\\b"},{"prestation":"CF","pattern":"\\bCF\\b|COMPLEMENT FAMILIAL"},{"prestation":"AF","pattern":"\\bAF\\b|ALLOCATIONS FAMILIALES"}],"notManaged":[{"label":"prime d''activité","pattern":"PRIME D.?ACTIVITE|\\bPPA\\b"}]}'::jsonb),
  ('MSA', 20, true, '{"names":["\\bMSA\\b","MUTUALITE SOCIALE AGRICOLE"],"ibans":[],"numberField":"msaNumber","numberPattern":"(?:ADHERENT|MATRICULE|N°|NUM|NO)\\s*:?\\s*(\\d{7,13})\\b","prestations":[{"prestation":"RSA","pattern":"\\bRSA\\b"},{"prestation":"AAH","pattern":"\\bAAH\\b"},{"prestation":"APL","pattern":"\\bAPL\\b"},{"prestation":"ALS","pattern":"\\bALS\\b"},{"prestation":"AVA","pattern":"\\bAVA\\b|VIEILLESSE AGRICOLE"},{"prestation":"ASI","pattern":"\\bASI\\b"}],"notManaged":[{"label":"prime d''activité","pattern":"PRIME D.?ACTIVITE|\\bPPA\\b"}]}'::jsonb)
ON CONFLICT (payer) DO NOTHING;
