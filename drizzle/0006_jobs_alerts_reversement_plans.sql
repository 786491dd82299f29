CREATE TABLE "alerts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"beneficiary_id" uuid NOT NULL,
	"measure_id" uuid,
	"type" text NOT NULL,
	"episode" text NOT NULL,
	"periods" text[] NOT NULL,
	"evidence" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"acknowledged_at" timestamp with time zone,
	"acknowledged_by" text,
	"closed_at" timestamp with time zone,
	"closed_by" text,
	"close_reason" text,
	"close_comment" text,
	CONSTRAINT "alerts_type" CHECK ("alerts"."type" IN ('unpaid_rent', 'masp3_trigger')),
	CONSTRAINT "alerts_status" CHECK ("alerts"."status" IN ('open', 'acknowledged', 'closed'))
);
--> statement-breakpoint
CREATE TABLE "job_runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"job" text NOT NULL,
	"as_of" date NOT NULL,
	"trigger" text NOT NULL,
	"status" text NOT NULL,
	"summary" jsonb,
	"error" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "reversement_plans" (
	"beneficiary_id" uuid PRIMARY KEY NOT NULL,
	"frequency" text NOT NULL,
	"weekday" integer,
	"day" integer,
	"mode" text NOT NULL,
	"amount" bigint,
	"buffer" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reversement_plans_schedule" CHECK (("reversement_plans"."frequency" = 'weekly' AND "reversement_plans"."weekday" BETWEEN 1 AND 7 AND "reversement_plans"."day" IS NULL) OR ("reversement_plans"."frequency" = 'monthly' AND "reversement_plans"."day" BETWEEN 1 AND 31 AND "reversement_plans"."weekday" IS NULL)),
	CONSTRAINT "reversement_plans_amount" CHECK (("reversement_plans"."mode" = 'fixed' AND "reversement_plans"."amount" > 0) OR ("reversement_plans"."mode" = 'all_available' AND "reversement_plans"."amount" IS NULL)),
	CONSTRAINT "reversement_plans_buffer" CHECK ("reversement_plans"."buffer" >= 0)
);
--> statement-breakpoint
DROP INDEX "ledger_transactions_beneficiary_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_one_open_episode" ON "alerts" USING btree ("beneficiary_id","type") WHERE "alerts"."status" <> 'closed';--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_episode_unique" ON "alerts" USING btree ("beneficiary_id","type","episode");--> statement-breakpoint
CREATE INDEX "alerts_status_idx" ON "alerts" USING btree ("status","type","created_at");--> statement-breakpoint
CREATE INDEX "job_runs_job_idx" ON "job_runs" USING btree ("job","started_at");