-- The tracking journal (issue 17): the hot path only accepts, an enricher moves what it accepted into the event
-- tables.
--
-- tracking_journal holds what the pixel, click, beacon and page requests carried, one row each, written by the
-- group-commit writer in one INSERT per batch and answered after its COMMIT. It is append-only for writers: no
-- secondary index, no trigger, no join, nothing resolved. The enricher (dev.beacon.tracking.Enricher, one at a
-- time across a fleet by advisory lock) reads it in id order, resolves the tokens, classifies, writes
-- email_events / page_views, the communication flags, last_response_date and the dashboard's dirty hours, and
-- deletes the rows it read, all in one transaction: each row is applied exactly once, also when a process dies
-- mid-batch (its transaction rolls back and the rows are read again).
--
-- kind: 1 open, 2 click, 3 new page view, 4 beacon for an existing page view (see Journal.Kind).
-- ip is the client address as tracking.ipStorage stores it. signals: request-shape bits (1 HEAD, 2 prefetch
-- header, 4 Accept without text/html) and, from bit 3 up, 1 + the index in tracking.scannerCidrs of the scanner
-- network the full address was in (looked up when the request came, so the full address is never written).
CREATE TABLE tracking_journal (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind SMALLINT NOT NULL,
    token TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    communication_id UUID,
    page_view_id UUID,
    user_agent TEXT,
    ip TEXT,
    signals SMALLINT NOT NULL DEFAULT 0,
    url TEXT,
    page_type TEXT,
    time_on_page INTEGER,
    actions TEXT
);
-- The enricher deletes what it moved within seconds: vacuum the table often so it stays a few pages.
ALTER TABLE tracking_journal SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000,
                                  autovacuum_vacuum_insert_scale_factor = 0,
                                  autovacuum_vacuum_insert_threshold = 10000);

-- Page views get the classification opens and clicks have. Rows from before are people reading.
ALTER TABLE page_views
    ADD COLUMN label VARCHAR(10) NOT NULL DEFAULT 'human' CHECK (label IN ('human', 'machine', 'scanner')),
    ADD COLUMN reason VARCHAR(200);

-- The dashboard's dirty hours now come from the enricher (and the import, the demo data), in the same
-- statement as the rows: the per-statement triggers were the hot path's largest fixed cost after the row.
DROP TRIGGER email_events_rollup ON email_events;
DROP TRIGGER page_views_rollup ON page_views;
DROP FUNCTION beacon_rollup_mark_email();
DROP FUNCTION beacon_rollup_mark_page();

-- Payment attribution counts only people: a scanner's visit to the payment page is not engagement.
CREATE OR REPLACE VIEW payment_engagement AS
SELECT debtor_id, "timestamp" AS at, 'payment_page_visit'::text AS kind
FROM page_views WHERE page_type = 'payment' AND label = 'human'
UNION ALL
SELECT debtor_id, occurred_at, 'payment_link_click'
FROM email_events WHERE kind = 'click' AND label = 'human' AND url ~ '/p/[A-Za-z0-9_-]+/pay';

-- The event tables are appended to in time order (the enricher moves batches as they arrive): their time
-- indexes, read only for ranges of hours (rollups, scoring's "changed since", retention), are BRIN, a few pages
-- that an insert rarely touches, instead of a b-tree leaf per row.
DROP INDEX idx_email_events_time;
CREATE INDEX idx_email_events_time ON email_events USING brin (occurred_at);
DROP INDEX idx_page_views_timestamp;
CREATE INDEX idx_page_views_timestamp ON page_views USING brin ("timestamp");

-- The page-view timing rule looks for a scanner's click of the same debtor just before the view: a few rows,
-- where the debtor's index would walk every recent open and click of a busy debtor per view.
CREATE INDEX idx_email_events_scanner_clicks ON email_events (debtor_id, occurred_at)
    WHERE kind = 'click' AND label = 'scanner';
