CREATE TABLE "proposals" (
	"id" uuid PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"payload" jsonb NOT NULL,
	"summary" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text DEFAULT 'pending_approval' NOT NULL,
	"beneficiary_id" uuid,
	"proposed_by_actor" text NOT NULL,
	"proposed_by_role" text NOT NULL,
	"proposed_by_user" uuid,
	"proposed_by_token" uuid,
	"decided_by_actor" text,
	"decided_by_role" text,
	"decided_by_user" uuid,
	"decided_by_token" uuid,
	"comment" text,
	"result" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_at" timestamp with time zone,
	CONSTRAINT "proposals_status_valid" CHECK ("proposals"."status" IN ('pending_approval', 'approved', 'rejected')),
	CONSTRAINT "proposals_decided_by_other_user" CHECK ("proposals"."decided_by_user" IS NULL OR "proposals"."proposed_by_user" IS NULL OR "proposals"."decided_by_user" <> "proposals"."proposed_by_user"),
	CONSTRAINT "proposals_decided_by_other_token" CHECK ("proposals"."decided_by_token" IS NULL OR "proposals"."proposed_by_user" IS NOT NULL OR "proposals"."decided_by_token" <> "proposals"."proposed_by_token"),
	CONSTRAINT "proposals_decision_complete" CHECK (("proposals"."status" = 'pending_approval') = ("proposals"."decided_at" IS NULL))
);
--> statement-breakpoint
ALTER TABLE "api_tokens" DROP CONSTRAINT "api_tokens_role_valid";--> statement-breakpoint
ALTER TABLE "users" DROP CONSTRAINT "users_role_valid";--> statement-breakpoint
CREATE INDEX "proposals_status_idx" ON "proposals" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "proposals_beneficiary_idx" ON "proposals" USING btree ("beneficiary_id");--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_role_valid" CHECK ("api_tokens"."role" IN ('admin', 'finance', 'caseworker', 'manager'));--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_role_valid" CHECK ("users"."role" IN ('admin', 'finance', 'caseworker', 'manager'));