CREATE OR REPLACE FUNCTION public.ledger_postings_apply()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  IF EXISTS (SELECT 1 FROM new_postings n LEFT JOIN ledger_transactions t ON t.id = n.transaction_id
              WHERE t.id IS NULL OR t.created_at <> now() OR t.value_date <> n.value_date) THEN
    RAISE EXCEPTION 'postings join only a transaction inserted by this database transaction, with its value date'
      USING ERRCODE = 'MLAPP';
  END IF;
  UPDATE ledger_accounts a
     SET balance = a.balance + d.delta
    FROM (SELECT n.account_id, sum(CASE WHEN x.normal_side = n.direction THEN n.amount ELSE -n.amount END) AS delta
            FROM new_postings n JOIN ledger_accounts x ON x.id = n.account_id
           WHERE x.balance_cached GROUP BY n.account_id) d
   WHERE a.id = d.account_id;
  RETURN NULL;
END
$function$
