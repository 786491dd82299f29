CREATE TABLE "measure_closings" (
	"measure_id" uuid PRIMARY KEY NOT NULL,
	"beneficiary_id" uuid NOT NULL,
	"closed_on" date NOT NULL,
	"pending_orders" text NOT NULL,
	"final_payment" text NOT NULL,
	"cancelled_orders" integer NOT NULL,
	"held" bigint NOT NULL,
	"payers" text[] NOT NULL,
	"statement" jsonb NOT NULL,
	"actor" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "measure_closings_pending_orders" CHECK ("measure_closings"."pending_orders" IN ('cancel', 'keep')),
	CONSTRAINT "measure_closings_final_payment" CHECK ("measure_closings"."final_payment" IN ('transfer', 'cash', 'cheque', 'hold')),
	CONSTRAINT "measure_closings_held" CHECK ("measure_closings"."held" >= 0)
);
--> statement-breakpoint
ALTER TABLE "measure_amendments" ADD COLUMN "end_date" date;--> statement-breakpoint
ALTER TABLE "measure_amendments" ADD COLUMN "previous_end_date" date;--> statement-breakpoint
ALTER TABLE "measure_closings" ADD CONSTRAINT "measure_closings_measure_id_measures_id_fk" FOREIGN KEY ("measure_id") REFERENCES "public"."measures"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "measure_closings" ADD CONSTRAINT "measure_closings_beneficiary_id_beneficiaries_id_fk" FOREIGN KEY ("beneficiary_id") REFERENCES "public"."beneficiaries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "measure_closings_beneficiary_idx" ON "measure_closings" USING btree ("beneficiary_id");