-- Tables shared by several features, defined once so each feature can build on them:
--  * email_events: every open and click, labelled human / machine / scanner (written by tracking, read by
--    communications, payments, scoring and the dashboard). Append-only and partitioned by month.
--  * debtor_opt_outs: electronic-contact opt-outs per channel (written by tracking's opt-out page and
--    one-click unsubscribe, and by inbound SMS revocations; read by the compliance gate).
--  * payment_engagement: payment page visits and payment-link clicks, for payment attribution.

CREATE TABLE email_events (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    debtor_id UUID NOT NULL REFERENCES debtors(id),
    communication_id UUID REFERENCES communications(id),
    kind VARCHAR(10) NOT NULL CHECK (kind IN ('open', 'click')),
    occurred_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    user_agent TEXT,
    ip_address INET,
    label VARCHAR(10) NOT NULL CHECK (label IN ('human', 'machine', 'scanner')),
    reason VARCHAR(200) NOT NULL,
    url TEXT,
    PRIMARY KEY (id, occurred_at),
    CHECK (url IS NULL OR kind = 'click')
) PARTITION BY RANGE (occurred_at);

CREATE TABLE email_events_default PARTITION OF email_events DEFAULT;
CREATE INDEX idx_email_events_debtor_time ON email_events(debtor_id, occurred_at DESC);
CREATE INDEX idx_email_events_communication ON email_events(communication_id, occurred_at);
CREATE INDEX idx_email_events_time ON email_events(occurred_at);

SELECT beacon_ensure_month_partition('email_events', 'occurred_at', (date_trunc('month', now()) + make_interval(months => m))::date)
FROM generate_series(-3, 3) AS m;

CREATE TABLE debtor_opt_outs (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    debtor_id UUID NOT NULL REFERENCES debtors(id),
    channel VARCHAR(10) NOT NULL CHECK (channel IN ('email', 'sms', 'phone')),
    source VARCHAR(20) NOT NULL CHECK (source IN ('opt_out_page', 'one_click', 'inbound_sms', 'agent', 'import')),
    communication_id UUID REFERENCES communications(id),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_debtor_opt_outs_debtor ON debtor_opt_outs(debtor_id, channel);

CREATE VIEW payment_engagement AS
SELECT debtor_id, "timestamp" AS at, 'payment_page_visit'::text AS kind
FROM page_views WHERE page_type = 'payment'
UNION ALL
SELECT debtor_id, occurred_at, 'payment_link_click'
FROM email_events WHERE kind = 'click' AND label = 'human' AND url ~ '/p/[A-Za-z0-9_-]+/pay';

-- The timeline gains opens, clicks and opt-outs.
CREATE OR REPLACE VIEW debtor_timeline AS
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
FROM payments y
UNION ALL
SELECT e.debtor_id, e.occurred_at, e.kind, e.id,
       jsonb_strip_nulls(jsonb_build_object(
           'communicationId', e.communication_id, 'label', e.label, 'reason', e.reason, 'url', e.url))
FROM email_events e
UNION ALL
SELECT o.debtor_id, o.created_at, 'opt_out', o.id,
       jsonb_strip_nulls(jsonb_build_object('channel', o.channel, 'source', o.source,
           'communicationId', o.communication_id))
FROM debtor_opt_outs o;
