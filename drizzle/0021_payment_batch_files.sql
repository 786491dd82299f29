CREATE TABLE "payment_batch_file_parts" (
	"batch_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"gzip" "bytea" NOT NULL,
	CONSTRAINT "payment_batch_file_parts_batch_id_seq_pk" PRIMARY KEY("batch_id","seq")
);
--> statement-breakpoint
CREATE TABLE "payment_batch_files" (
	"batch_id" uuid PRIMARY KEY NOT NULL,
	"bytes" bigint NOT NULL,
	"sha256" text NOT NULL,
	"parts" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payment_batch_files_parts" CHECK ("payment_batch_files"."parts" > 0 AND "payment_batch_files"."bytes" > 0)
);
--> statement-breakpoint
ALTER TABLE "payment_batch_file_parts" ADD CONSTRAINT "payment_batch_file_parts_batch_id_payment_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."payment_batches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_batch_files" ADD CONSTRAINT "payment_batch_files_batch_id_payment_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."payment_batches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- hand-written
-- A stored file is the bytes the bank was (or will be) given: never changed.
CREATE TRIGGER payment_batch_files_append_only BEFORE UPDATE OR DELETE ON payment_batch_files
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER payment_batch_file_parts_append_only BEFORE UPDATE OR DELETE ON payment_batch_file_parts
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
