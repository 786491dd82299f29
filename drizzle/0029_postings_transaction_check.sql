-- A posting's transaction is checked once per INSERT statement by the posting trigger
-- (ledger_postings_apply: the transaction exists and was inserted by this database
-- transaction, MLAPP), and transactions are never deleted or truncated (MLAPP). The
-- foreign key checked the same row by row, taking a KEY SHARE lock on the new
-- transaction once per posting: ≈ 0.13 ms of PostgreSQL time per credit (bench/README.md).
ALTER TABLE "ledger_postings" DROP CONSTRAINT "ledger_postings_transaction_id_ledger_transactions_id_fk";
