-- The D.271-2 catalogue, version in force (28 live items; 16° was repealed). A decree
-- that changes the list adds a new version in a new migration; this one is never edited.
INSERT INTO prestation_catalogue_versions (version, valid_from, source)
VALUES ('D271-2/2016', '2016-01-01', 'Art. D.271-2 CASF; extension R.271-3; affectation R.271-4; MASP 3 R.271-6');
--> statement-breakpoint
INSERT INTO prestation_catalogue (version, code, item, label, payer, scope, earmarked, masp3) VALUES
  ('D271-2/2016', 'APL', 1, 'Aide personnalisée au logement (si non versée au bailleur)', 'CAF/MSA', 'default', 'housing', 'base'),
  ('D271-2/2016', 'ALS', 2, 'Allocation de logement sociale (si non versée au bailleur)', 'CAF/MSA', 'default', 'housing', 'base'),
  ('D271-2/2016', 'APA', 3, 'Allocation personnalisée d''autonomie (si non versée au service d''aide)', 'Département', 'default', 'care', NULL),
  ('D271-2/2016', 'ASPA', 4, 'Allocation de solidarité aux personnes âgées', 'CARSAT/MSA/SASPA', 'default', NULL, 'base'),
  ('D271-2/2016', 'AVTS', 5, 'Allocation aux vieux travailleurs salariés', 'Caisse de retraite', 'default', NULL, 'base'),
  ('D271-2/2016', 'AVTNS', 6, 'Allocation aux vieux travailleurs non salariés', 'Caisse de retraite', 'default', NULL, 'base'),
  ('D271-2/2016', 'AMF', 7, 'Allocation aux mères de famille', 'Caisse de retraite', 'default', NULL, 'base'),
  ('D271-2/2016', 'ASV', 8, 'Allocation spéciale vieillesse (et sa majoration)', 'Caisse de retraite', 'default', NULL, 'base'),
  ('D271-2/2016', 'AVR', 9, 'Allocation viagère des rapatriés', 'Caisse de retraite', 'default', NULL, 'base'),
  ('D271-2/2016', 'AVA', 10, 'Allocation de vieillesse agricole', 'MSA', 'default', NULL, 'base'),
  ('D271-2/2016', 'ASUP', 11, 'Allocation supplémentaire (ancien L.815-2)', 'Caisse de retraite', 'default', NULL, 'base'),
  ('D271-2/2016', 'ASI', 12, 'Allocation supplémentaire d''invalidité', 'CPAM/MSA', 'default', NULL, 'base'),
  ('D271-2/2016', 'AAH', 13, 'Allocation aux adultes handicapés (et ses compléments)', 'CAF/MSA', 'default', NULL, 'base'),
  ('D271-2/2016', 'ACTP', 14, 'Allocation compensatrice pour tierce personne', 'Département', 'default', 'care', NULL),
  ('D271-2/2016', 'PCH', 15, 'Prestation de compensation du handicap (adulte)', 'Département', 'default', 'care', NULL),
  ('D271-2/2016', 'RSA', 17, 'Revenu de solidarité active', 'CAF/MSA', 'default', NULL, 'base'),
  ('D271-2/2016', 'PAJE', 18, 'Prestation d''accueil du jeune enfant', 'CAF/MSA', 'extension', NULL, 'extension'),
  ('D271-2/2016', 'AF', 19, 'Allocations familiales', 'CAF/MSA', 'extension', NULL, 'extension'),
  ('D271-2/2016', 'CF', 20, 'Complément familial', 'CAF/MSA', 'extension', NULL, 'extension'),
  ('D271-2/2016', 'ALF', 21, 'Allocation de logement familiale (si non versée au bailleur)', 'CAF/MSA', 'extension', 'housing', 'extension'),
  ('D271-2/2016', 'AEEH', 22, 'Allocation d''éducation de l''enfant handicapé', 'CAF/MSA', 'extension', NULL, 'extension'),
  ('D271-2/2016', 'ASF', 23, 'Allocation de soutien familial', 'CAF/MSA', 'extension', NULL, 'extension'),
  ('D271-2/2016', 'ARS', 24, 'Allocation de rentrée scolaire', 'CAF/MSA', 'extension', NULL, 'extension'),
  ('D271-2/2016', 'AJPP', 25, 'Allocation journalière de présence parentale', 'CAF/MSA', 'extension', NULL, 'extension'),
  ('D271-2/2016', 'RENTE_AT_ORPHELIN', 26, 'Rente aux orphelins (accident du travail)', 'CPAM/MSA', 'extension', NULL, 'extension'),
  ('D271-2/2016', 'ARSM', 27, 'Allocation représentative de services ménagers', 'Département', 'extension', 'care', NULL),
  ('D271-2/2016', 'ADIFF', 28, 'Allocation différentielle', 'Département', 'extension', NULL, 'extension'),
  ('D271-2/2016', 'PCH_ENFANT', 29, 'Prestation de compensation du handicap (enfant)', 'Département', 'extension', 'care', NULL);
--> statement-breakpoint
-- Reference data, the audit trail and measure history are append-only like the ledger.
CREATE TRIGGER prestation_catalogue_append_only BEFORE UPDATE OR DELETE ON prestation_catalogue
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER measure_events_append_only BEFORE UPDATE OR DELETE ON measure_events
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER measure_amendments_append_only BEFORE UPDATE OR DELETE ON measure_amendments
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER measure_reviews_append_only BEFORE UPDATE OR DELETE ON measure_reviews
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
-- Past rent periods keep the amounts they had: terms in force from a month that has
-- begun (Paris time) are never edited; only terms for a future month may be corrected.
CREATE FUNCTION lease_terms_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.effective_month <= (now() AT TIME ZONE 'Europe/Paris')::date
     OR (TG_OP = 'UPDATE' AND NEW.effective_month <= (now() AT TIME ZONE 'Europe/Paris')::date) THEN
    RAISE EXCEPTION 'lease terms in force from % are history: add terms from a later month instead',
      OLD.effective_month USING ERRCODE = 'MLAPP';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
--> statement-breakpoint
CREATE TRIGGER lease_terms_history_guard BEFORE UPDATE OR DELETE ON lease_terms
  FOR EACH ROW EXECUTE FUNCTION lease_terms_guard();
