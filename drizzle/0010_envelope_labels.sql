-- Envelope labels in the UI's French (docs/glossary.md): "Enveloppe rent" read as two
-- languages at once. A label is not part of an account's nature (the guard trigger
-- leaves it free), so the existing accounts are renamed in place.
UPDATE ledger_accounts SET label = CASE split_part(address, ':', 3)
    WHEN 'rent' THEN 'Enveloppe loyer'
    WHEN 'charge' THEN 'Enveloppe charge'
    WHEN 'care' THEN 'Enveloppe aide à domicile'
    WHEN 'available' THEN 'Enveloppe disponible'
  END
 WHERE address LIKE 'beneficiary:%' AND split_part(address, ':', 3) IN ('rent', 'charge', 'care', 'available');
