-- Dashboard rollups (issue 7). Dashboard queries read these small tables, never the raw events.
--
-- How they stay correct: every insert into email_events, page_views and communications, and every insert or
-- update of payments, records the UTC hours it touched in rollup_dirty (one statement-level trigger per
-- statement, so the tracking writer pays one small INSERT per batch and takes no lock anyone else waits for).
-- The rollup job (dev.beacon.dashboard.RollupJob, one process at a time by advisory lock) drains rollup_dirty
-- and recomputes those whole hours from the raw rows. A dirty row commits with the rows that caused it, so
-- an hour is either recomputed from a snapshot that contains them or stays dirty for the next run; re-running
-- a recompute gives the same numbers.

-- Events per UTC hour. kind/label: open|click × human|machine|scanner; page_view × landing|payment|info;
-- contact (outbound communications) × email|sms|phone; payment × collected (completed or partially refunded,
-- by completion hour; amount net of refunds).
CREATE TABLE rollup_hourly (
    hour TIMESTAMPTZ NOT NULL,
    kind VARCHAR(16) NOT NULL,
    label VARCHAR(16) NOT NULL,
    events BIGINT NOT NULL CHECK (events >= 0),
    amount NUMERIC(16,2) NOT NULL DEFAULT 0,
    PRIMARY KEY (hour, kind, label)
);

-- Hours waiting for the rollup job. Append-only for writers (no key, so concurrent writers never conflict).
CREATE TABLE rollup_dirty (
    hour TIMESTAMPTZ NOT NULL,
    source VARCHAR(16) NOT NULL CHECK (source IN ('email', 'page', 'contact', 'payment'))
);

-- Each debtor's most recent time at each funnel stage (human engagement; machine opens apart).
CREATE TABLE debtor_funnel (
    debtor_id UUID PRIMARY KEY,
    contacted_at TIMESTAMPTZ,
    opened_at TIMESTAMPTZ,
    clicked_at TIMESTAMPTZ,
    machine_opened_at TIMESTAMPTZ,
    visited_at TIMESTAMPTZ,
    paid_at TIMESTAMPTZ
);

-- How many debtors' most recent time at a stage falls in each hour: a range's funnel is a sum over hours.
CREATE TABLE funnel_hourly (
    hour TIMESTAMPTZ NOT NULL,
    stage VARCHAR(16) NOT NULL,
    debtors BIGINT NOT NULL,
    PRIMARY KEY (hour, stage)
);

-- The portfolio by status and score bucket (0-9, bucket 9 holds 90-100), refreshed by the rollup job.
CREATE TABLE rollup_debtors (
    status VARCHAR(20) NOT NULL,
    bucket SMALLINT NOT NULL CHECK (bucket BETWEEN 0 AND 9),
    debtors BIGINT NOT NULL,
    score_sum BIGINT NOT NULL,
    total_owed NUMERIC(18,2) NOT NULL,
    amount_paid NUMERIC(18,2) NOT NULL,
    PRIMARY KEY (status, bucket)
);

-- One row: the data version (from a sequence, so it never repeats, even after a TRUNCATE) that forms the
-- dashboard ETags, and when each part was last refreshed.
CREATE SEQUENCE rollup_version_seq;
CREATE TABLE rollup_state (
    id BOOLEAN PRIMARY KEY DEFAULT true CHECK (id),
    version BIGINT NOT NULL,
    events_at TIMESTAMPTZ,
    debtors_at TIMESTAMPTZ,
    debtors_digest TEXT
);

CREATE FUNCTION beacon_rollup_mark_email() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rollup_dirty (hour, source)
    SELECT DISTINCT date_trunc('hour', occurred_at, 'UTC'), 'email' FROM new_rows;
    RETURN NULL;
END;
$$;

CREATE FUNCTION beacon_rollup_mark_page() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rollup_dirty (hour, source)
    SELECT DISTINCT date_trunc('hour', "timestamp", 'UTC'), 'page' FROM new_rows;
    RETURN NULL;
END;
$$;

CREATE FUNCTION beacon_rollup_mark_contact() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rollup_dirty (hour, source)
    SELECT DISTINCT date_trunc('hour', "timestamp", 'UTC'), 'contact' FROM new_rows WHERE direction = 'outbound';
    RETURN NULL;
END;
$$;

CREATE FUNCTION beacon_rollup_mark_payment_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rollup_dirty (hour, source)
    SELECT DISTINCT date_trunc('hour', coalesce(completed_at, created_at), 'UTC'), 'payment' FROM new_rows;
    RETURN NULL;
END;
$$;

CREATE FUNCTION beacon_rollup_mark_payment_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rollup_dirty (hour, source)
    SELECT DISTINCT h, 'payment' FROM (
        SELECT date_trunc('hour', coalesce(completed_at, created_at), 'UTC') AS h FROM new_rows
        UNION
        SELECT date_trunc('hour', coalesce(completed_at, created_at), 'UTC') FROM old_rows) x;
    RETURN NULL;
END;
$$;

CREATE TRIGGER email_events_rollup AFTER INSERT ON email_events
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION beacon_rollup_mark_email();
CREATE TRIGGER page_views_rollup AFTER INSERT ON page_views
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION beacon_rollup_mark_page();
CREATE TRIGGER communications_rollup AFTER INSERT ON communications
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION beacon_rollup_mark_contact();
CREATE TRIGGER payments_rollup_insert AFTER INSERT ON payments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION beacon_rollup_mark_payment_insert();
CREATE TRIGGER payments_rollup_update AFTER UPDATE ON payments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION beacon_rollup_mark_payment_update();

-- Everything recorded before this migration is dirty once.
INSERT INTO rollup_dirty (hour, source)
SELECT DISTINCT date_trunc('hour', occurred_at, 'UTC'), 'email' FROM email_events
UNION ALL
SELECT DISTINCT date_trunc('hour', "timestamp", 'UTC'), 'page' FROM page_views
UNION ALL
SELECT DISTINCT date_trunc('hour', "timestamp", 'UTC'), 'contact' FROM communications WHERE direction = 'outbound'
UNION ALL
SELECT DISTINCT date_trunc('hour', coalesce(completed_at, created_at), 'UTC'), 'payment' FROM payments;
