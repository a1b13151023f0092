-- Scoring writes (issue 5). An incremental run rescores a few thousand debtors spread over the whole table, and
-- its time went mostly into writing them: each changed score updates its debtor's row and adds a score_history
-- row. Measured on a million debtors (EXPLAIN (ANALYZE, BUFFERS, WAL), a 5,000-debtor chunk) the history insert
-- touched about three pages per row, and the foreign-key check cost one query per row (58 ms a chunk):
--   * Time-ordered ids (UUID version 7, made by the writer like the tracking tables' since V10): new rows go to
--     the right edge of the primary key instead of a random leaf page each.
--   * No foreign key to debtors. The writer only records ids it has just read from debtors in the same run,
--     and debtors are never deleted (V10's debtors_never_deleted trigger refuses DELETE), so a history row
--     cannot name a missing debtor.
ALTER TABLE score_history DROP CONSTRAINT IF EXISTS score_history_debtor_id_fkey;
ALTER TABLE score_history ALTER COLUMN id SET DEFAULT beacon_uuid_v7();
