ALTER TABLE "measures" ADD COLUMN "living_monthly" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "measures" ADD COLUMN "reversement_while_rent_short" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "measures" ADD CONSTRAINT "measures_living_monthly" CHECK ("measures"."living_monthly" >= 0);--> statement-breakpoint
-- hand-written
-- Rule 5 (issue 15): R.271-4 earmarks items 1°-3°, 14°, 15°, 27° and 29° only. The seed of
-- migration 0003 earmarked ALF (21°) for housing, which the text does not: a correction of a
-- misread seed, not a change of the law, so it is made in place (the append-only trigger is
-- lifted for this one statement, in this migration's transaction).
ALTER TABLE prestation_catalogue DISABLE TRIGGER prestation_catalogue_append_only;
--> statement-breakpoint
UPDATE prestation_catalogue SET earmarked = NULL WHERE code = 'ALF' AND item = 21;
--> statement-breakpoint
ALTER TABLE prestation_catalogue ENABLE TRIGGER prestation_catalogue_append_only;
