-- Journal rows the event tables refuse (issue 17). The enricher moves the journal in batches; a row whose data the
-- event tables refuse (an invalid value, a violated constraint: SQLSTATE classes 22 and 23) would fail its batch
-- again and again and hold back every row after it. The enricher halves the batch until that row is alone, then
-- moves it here with the SQLSTATE and PostgreSQL's message, in one transaction, and carries on. Nothing accepted
-- is lost: an operator can look at these rows (beacon_tracking_journal_rejected_total counts them) and, once the
-- cause is fixed, put them back with INSERT INTO tracking_journal (...) SELECT ... FROM tracking_journal_rejected.
CREATE TABLE tracking_journal_rejected (
    LIKE tracking_journal,
    sqlstate VARCHAR(5) NOT NULL,
    error VARCHAR(500),
    rejected_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
