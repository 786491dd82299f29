-- Ledger invariants, enforced by PostgreSQL itself so that no code path (ours, a
-- psql session, a future service) can break them. Custom SQLSTATEs (class ML) let the
-- application map each refusal to a clear error:
--   MLAPP append-only refusal   MLUNB unbalanced transaction   MLBAL cached balance tampering
--   MLIDC idempotency key reused with other content            MLACC unknown account
ALTER TABLE "ledger_transactions" ADD CONSTRAINT "ledger_transactions_reverses_id_fk"
  FOREIGN KEY ("reverses_id") REFERENCES "ledger_transactions"("id");
--> statement-breakpoint
ALTER TABLE "ledger_postings" ADD CONSTRAINT "ledger_postings_direction_valid" CHECK ("direction" IN ('debit', 'credit'));
--> statement-breakpoint
ALTER TABLE "ledger_accounts" ADD CONSTRAINT "ledger_accounts_normal_side_valid" CHECK ("normal_side" IN ('debit', 'credit'));
--> statement-breakpoint
-- A transaction's insertion time is its database transaction's start, whatever the
-- INSERT says: the posting trigger relies on it to recognise a transaction of its own.
CREATE FUNCTION ledger_transaction_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.created_at := now();
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER ledger_transactions_stamp BEFORE INSERT ON ledger_transactions
  FOR EACH ROW EXECUTE FUNCTION ledger_transaction_stamp();
--> statement-breakpoint
CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the ledger is append-only: % on % is refused; post a reversing transaction instead',
    TG_OP, TG_TABLE_NAME USING ERRCODE = 'MLAPP';
END
$$;
--> statement-breakpoint
CREATE TRIGGER ledger_postings_append_only BEFORE UPDATE OR DELETE ON ledger_postings
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER ledger_postings_no_truncate BEFORE TRUNCATE ON ledger_postings
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ledger_transactions
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER ledger_transactions_no_truncate BEFORE TRUNCATE ON ledger_transactions
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER ledger_accounts_no_truncate BEFORE TRUNCATE ON ledger_accounts
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
-- Postings move the cached balances of their accounts, once per INSERT statement
-- (a transition table, not a trigger call per row), and the CHECK on ledger_accounts
-- refuses a forbidden negative balance there and then. Postings join only a
-- transaction inserted by the same database transaction (same start time, now()) and
-- carry its value date: a committed transaction is closed, even to a balanced pair.
CREATE FUNCTION ledger_postings_apply() RETURNS trigger LANGUAGE plpgsql AS $$
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
$$;
--> statement-breakpoint
CREATE TRIGGER ledger_postings_apply AFTER INSERT ON ledger_postings
  REFERENCING NEW TABLE AS new_postings FOR EACH STATEMENT EXECUTE FUNCTION ledger_postings_apply();
--> statement-breakpoint
-- Accounts are never deleted, their nature never changes, and a cached balance moves
-- only through a posting (the posting trigger runs at depth 2; a direct UPDATE at 1).
CREATE FUNCTION ledger_account_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.balance <> 0 THEN
      RAISE EXCEPTION 'account % must open with a zero balance: money enters by posting', NEW.address USING ERRCODE = 'MLBAL';
    END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'ledger accounts are never deleted (%)', OLD.address USING ERRCODE = 'MLAPP';
  END IF;
  IF NEW.balance IS DISTINCT FROM OLD.balance AND pg_trigger_depth() < 2 THEN
    RAISE EXCEPTION 'the cached balance of % changes only through postings', OLD.address USING ERRCODE = 'MLBAL';
  END IF;
  IF (NEW.id, NEW.address, NEW.beneficiary_id, NEW.normal_side, NEW.pcg_account, NEW.allow_negative, NEW.balance_cached)
     IS DISTINCT FROM
     (OLD.id, OLD.address, OLD.beneficiary_id, OLD.normal_side, OLD.pcg_account, OLD.allow_negative, OLD.balance_cached) THEN
    RAISE EXCEPTION 'the nature of ledger account % cannot change', OLD.address USING ERRCODE = 'MLAPP';
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER ledger_accounts_guard BEFORE INSERT OR UPDATE OR DELETE ON ledger_accounts
  FOR EACH ROW EXECUTE FUNCTION ledger_account_guard();
--> statement-breakpoint
-- Every transaction balances: checked at commit (deferred). Once per transaction is
-- enough: a posting can only join a transaction inserted by the same database
-- transaction (ledger_postings_apply), so at that commit the check sees all of them;
-- a transaction without postings is refused too.
CREATE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_sum numeric;
  v_debits bigint;
  v_credits bigint;
BEGIN
  SELECT coalesce(sum(CASE p.direction WHEN 'debit' THEN p.amount ELSE -p.amount END), 0),
         count(*) FILTER (WHERE p.direction = 'debit'),
         count(*) FILTER (WHERE p.direction = 'credit')
    INTO v_sum, v_debits, v_credits
    FROM ledger_postings p WHERE p.transaction_id = NEW.id;
  IF v_sum <> 0 OR v_debits = 0 OR v_credits = 0 THEN
    RAISE EXCEPTION 'transaction % is not balanced (debits - credits = %, % debit and % credit postings)',
      NEW.id, v_sum, v_debits, v_credits USING ERRCODE = 'MLUNB';
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER ledger_transactions_balanced AFTER INSERT ON ledger_transactions
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced();
--> statement-breakpoint
-- One round trip per post. Locks the cached balances it moves in id order (so that
-- concurrent posts queue instead of deadlocking) and never the uncached system
-- accounts (they would serialise every credit). The idempotency key is claimed by
-- the unique constraint: a racing duplicate waits for the first, then finds it.
CREATE FUNCTION ledger_post(
  p_id uuid, p_kind text, p_value_date date, p_description text, p_idempotency_key text,
  p_content_hash text, p_metadata jsonb, p_actor text, p_beneficiary_id uuid, p_reverses_id uuid,
  p_accounts text[], p_directions text[], p_amounts bigint[]
) RETURNS TABLE (out_transaction_id uuid, out_replayed boolean) LANGUAGE plpgsql AS $$
DECLARE
  v_existing_id uuid;
  v_existing_hash text;
  v_inserted bigint;
BEGIN
  PERFORM 1 FROM ledger_accounts a
   WHERE a.address = ANY (p_accounts) AND a.balance_cached
   ORDER BY a.id FOR NO KEY UPDATE;

  INSERT INTO ledger_transactions (id, kind, value_date, description, idempotency_key, content_hash,
                                   metadata, actor, beneficiary_id, reverses_id)
  VALUES (p_id, p_kind, p_value_date, p_description, p_idempotency_key, p_content_hash,
          coalesce(p_metadata, '{}'::jsonb), p_actor, p_beneficiary_id, p_reverses_id)
  ON CONFLICT (idempotency_key) DO NOTHING;

  IF NOT FOUND THEN
    SELECT t.id, t.content_hash INTO v_existing_id, v_existing_hash
      FROM ledger_transactions t WHERE t.idempotency_key = p_idempotency_key;
    IF v_existing_hash = p_content_hash THEN
      RETURN QUERY SELECT v_existing_id, true;
      RETURN;
    END IF;
    RAISE EXCEPTION 'idempotency key "%" was already used for another transaction', p_idempotency_key
      USING ERRCODE = 'MLIDC';
  END IF;

  -- Increases before decreases, so a transaction that moves money within one account
  -- never shows a transient negative balance.
  INSERT INTO ledger_postings (transaction_id, account_id, direction, amount, value_date)
  SELECT p_id, a.id, x.direction, x.amount, p_value_date
    FROM unnest(p_accounts, p_directions, p_amounts) WITH ORDINALITY AS x(address, direction, amount, ord)
    JOIN ledger_accounts a ON a.address = x.address
   ORDER BY (a.normal_side = x.direction) DESC, x.ord;
  GET DIAGNOSTICS v_inserted = ROW_COUNT;
  IF v_inserted <> cardinality(p_accounts) THEN
    RAISE EXCEPTION 'unknown ledger account among %', p_accounts USING ERRCODE = 'MLACC';
  END IF;

  RETURN QUERY SELECT p_id, false;
END
$$;
