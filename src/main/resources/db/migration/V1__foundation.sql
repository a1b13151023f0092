-- Beacon foundation schema: the seed's four tables (../shared/seeds/schema.md) with constraints and types.
-- Every timestamp is TIMESTAMPTZ (an instant; PostgreSQL keeps it in UTC). Deviations from the seed are listed
-- in the README ("Schema").


CREATE TABLE debtors (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    first_name VARCHAR(100) NOT NULL CHECK (length(btrim(first_name)) > 0),
    last_name VARCHAR(100) NOT NULL CHECK (length(btrim(last_name)) > 0),
    email VARCHAR(255) CHECK (email = lower(email) AND email LIKE '%_@_%'),
    phone VARCHAR(20),
    address_line1 VARCHAR(255),
    address_line2 VARCHAR(255),
    city VARCHAR(100),
    state VARCHAR(2) CHECK (state ~ '^[A-Z]{2}$'),
    zip_code VARCHAR(10) CHECK (zip_code ~ '^[0-9]{5}(-[0-9]{4})?$'),
    timezone VARCHAR(64),

    -- Tracking fields
    unique_token VARCHAR(50) NOT NULL CHECK (length(unique_token) >= 22),
    total_owed NUMERIC(10,2) NOT NULL DEFAULT 0 CHECK (total_owed >= 0),
    amount_paid NUMERIC(10,2) NOT NULL DEFAULT 0 CHECK (amount_paid >= 0),
    status VARCHAR(20) NOT NULL DEFAULT 'active'
        CHECK (status IN ('active', 'payment_plan', 'dispute', 'cease', 'resolved', 'closed')),

    -- Consent and compliance
    phone_consent BOOLEAN NOT NULL DEFAULT false,
    email_consent BOOLEAN NOT NULL DEFAULT true,
    dnc_registered BOOLEAN NOT NULL DEFAULT false,

    -- Engagement tracking
    last_contact_date TIMESTAMPTZ,
    last_response_date TIMESTAMPTZ,
    total_contacts INTEGER NOT NULL DEFAULT 0 CHECK (total_contacts >= 0),
    payment_propensity_score INTEGER NOT NULL DEFAULT 0
        CHECK (payment_propensity_score BETWEEN 0 AND 100),

    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE communications (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    debtor_id UUID NOT NULL REFERENCES debtors(id),

    type VARCHAR(20) NOT NULL CHECK (type IN ('email', 'phone', 'sms')),
    direction VARCHAR(10) NOT NULL CHECK (direction IN ('inbound', 'outbound')),

    subject VARCHAR(500),
    content TEXT,

    call_duration INTEGER CHECK (call_duration >= 0),
    call_outcome VARCHAR(50)
        CHECK (call_outcome IN ('answered', 'voicemail', 'busy', 'no_answer', 'wrong_number', 'disconnected')),

    email_opened BOOLEAN NOT NULL DEFAULT false,
    email_clicked BOOLEAN NOT NULL DEFAULT false,

    "timestamp" TIMESTAMPTZ NOT NULL DEFAULT now(),
    ai_generated BOOLEAN NOT NULL DEFAULT false,
    compliance_checked BOOLEAN NOT NULL DEFAULT true,

    requires_followup BOOLEAN NOT NULL DEFAULT false,
    followup_date TIMESTAMPTZ,

    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (call_duration IS NULL OR type = 'phone'),
    CHECK (call_outcome IS NULL OR type = 'phone')
);

CREATE TABLE payments (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    debtor_id UUID NOT NULL REFERENCES debtors(id),

    amount NUMERIC(10,2) NOT NULL CHECK (amount >= 0),
    payment_type VARCHAR(20) CHECK (payment_type IN ('full', 'partial', 'plan')),

    stripe_payment_intent_id VARCHAR(100),
    stripe_session_id VARCHAR(100),
    payment_method VARCHAR(50),

    status VARCHAR(20) NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'completed', 'failed', 'refunded', 'partially_refunded', 'expired', 'disputed')),

    payment_page_visits INTEGER NOT NULL DEFAULT 0 CHECK (payment_page_visits >= 0),
    payment_link_clicks INTEGER NOT NULL DEFAULT 0 CHECK (payment_link_clicks >= 0),

    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    completed_at TIMESTAMPTZ
);

-- page_views grows with traffic: partitioned by month on "timestamp" so retention drops whole partitions.
-- The primary key must include the partition key, hence (id, "timestamp").
CREATE TABLE page_views (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    debtor_id UUID NOT NULL REFERENCES debtors(id),

    page_type VARCHAR(20) NOT NULL CHECK (page_type IN ('landing', 'payment', 'info')),
    user_agent TEXT,
    ip_address INET,

    time_on_page INTEGER CHECK (time_on_page >= 0),
    actions_taken JSONB NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(actions_taken) = 'array'),

    "timestamp" TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (id, "timestamp")
) PARTITION BY RANGE ("timestamp");

CREATE TABLE page_views_default PARTITION OF page_views DEFAULT;

-- The seed's indexes, with the seed's names. The token and email indexes also carry the seed's UNIQUE.
CREATE UNIQUE INDEX idx_debtors_token ON debtors(unique_token);
CREATE UNIQUE INDEX idx_debtors_email ON debtors(email);
CREATE INDEX idx_debtors_phone ON debtors(phone);
CREATE INDEX idx_debtors_status ON debtors(status);

CREATE INDEX idx_communications_debtor ON communications(debtor_id);
CREATE INDEX idx_communications_timestamp ON communications("timestamp");
CREATE INDEX idx_communications_type ON communications(type, direction);

CREATE INDEX idx_payments_debtor ON payments(debtor_id);
CREATE INDEX idx_payments_status ON payments(status);
CREATE INDEX idx_payments_stripe ON payments(stripe_payment_intent_id);

CREATE INDEX idx_page_views_debtor ON page_views(debtor_id);
CREATE INDEX idx_page_views_timestamp ON page_views("timestamp");

-- Beyond the seed: keyset paging of the debtor list and the timeline.
CREATE INDEX idx_debtors_score_id ON debtors(payment_propensity_score DESC, id DESC);
CREATE INDEX idx_debtors_updated_id ON debtors(updated_at DESC, id DESC);
CREATE INDEX idx_communications_debtor_time ON communications(debtor_id, "timestamp" DESC);
CREATE INDEX idx_page_views_debtor_time ON page_views(debtor_id, "timestamp" DESC);
CREATE INDEX idx_payments_debtor_time ON payments(debtor_id, created_at DESC);

-- Small facts about this installation (e.g. whether the demo portfolio was seeded).
CREATE TABLE beacon_meta (
    key VARCHAR(100) PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Creates the monthly partition of a month-partitioned table for [month, month + 1), moving any rows the
-- default partition already holds for that month. Idempotent; used at start and by maintenance jobs.
CREATE FUNCTION beacon_ensure_month_partition(parent regclass, ts_column text, month date)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    first_day date := date_trunc('month', month)::date;
    next_day date := (date_trunc('month', month) + interval '1 month')::date;
    part text := parent::text || '_' || to_char(first_day, 'YYYYMM');
    dflt text := parent::text || '_default';
BEGIN
    IF to_regclass(part) IS NOT NULL THEN
        RETURN;
    END IF;
    EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', parent);
    IF to_regclass(part) IS NOT NULL THEN
        RETURN;
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part, parent);
    EXECUTE format('WITH moved AS (DELETE FROM %I WHERE %I >= %L AND %I < %L RETURNING *) '
                   'INSERT INTO %I SELECT * FROM moved', dflt, ts_column, first_day, ts_column, next_day, part);
    EXECUTE format('ALTER TABLE %s ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                   parent, part, first_day, next_day);
END;
$$;

-- Partitions from three months back to three months ahead; start-up and the maintenance job extend this.
SELECT beacon_ensure_month_partition('page_views', 'timestamp', (date_trunc('month', now()) + make_interval(months => m))::date)
FROM generate_series(-3, 3) AS m;

-- The debtor timeline: every feature's events in one shape. Later migrations replace this view as features
-- add kinds (opens, clicks, score changes, refusals).
CREATE VIEW debtor_timeline AS
SELECT c.debtor_id, c."timestamp" AS at, 'communication'::text AS kind, c.id,
       jsonb_strip_nulls(jsonb_build_object(
           'type', c.type, 'direction', c.direction, 'subject', c.subject,
           'callOutcome', c.call_outcome, 'callDuration', c.call_duration,
           'emailOpened', c.email_opened, 'emailClicked', c.email_clicked,
           'aiGenerated', c.ai_generated, 'requiresFollowup', c.requires_followup)) AS data
FROM communications c
UNION ALL
SELECT p.debtor_id, p."timestamp", 'page_view', p.id,
       jsonb_strip_nulls(jsonb_build_object(
           'pageType', p.page_type, 'timeOnPage', p.time_on_page, 'actions', p.actions_taken))
FROM page_views p
UNION ALL
SELECT y.debtor_id, coalesce(y.completed_at, y.created_at), 'payment', y.id,
       jsonb_strip_nulls(jsonb_build_object(
           'amount', to_char(y.amount, 'FM99999990.00'), 'status', y.status,
           'paymentType', y.payment_type, 'paymentMethod', y.payment_method))
FROM payments y;
