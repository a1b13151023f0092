-- Provider delivery events (issue 15): what the email and SMS services report by signed webhook, normalized
-- into one append-only table and applied exactly once by (provider, provider event id); the addresses that
-- hard-bounced (or soft-bounced too often) per debtor; opt-outs from complaints and provider unsubscribes; the
-- delivery status of a communication; delivery events in the debtor timeline.

CREATE TABLE delivery_events (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    provider VARCHAR(10) NOT NULL CHECK (provider IN ('sendgrid', 'postmark', 'mailgun', 'ses', 'twilio')),
    provider_event_id VARCHAR(300) NOT NULL,
    -- The provider's id of the message (SendGrid's X-Message-Id, Mailgun's Message-Id, Postmark's MessageID,
    -- SES's mail.messageId, Twilio's MessageSid): how an event naming no communication is matched later.
    provider_message_id VARCHAR(300),
    -- Deleted with its communication by the retention job (12 CFR 1006.100 periods, see V8).
    communication_id UUID REFERENCES communications(id) ON DELETE CASCADE,
    debtor_id UUID REFERENCES debtors(id),
    channel VARCHAR(5) NOT NULL CHECK (channel IN ('email', 'sms')),
    kind VARCHAR(12) NOT NULL
        CHECK (kind IN ('accepted', 'delivered', 'deferred', 'bounced', 'complained', 'unsubscribed', 'failed',
                        'received')),
    severity VARCHAR(4) CHECK (severity IN ('hard', 'soft')),
    recipient VARCHAR(320),
    reason VARCHAR(1000),
    code VARCHAR(64),
    occurred_at TIMESTAMPTZ NOT NULL,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- When an event that arrived naming no known communication was matched to one (its effects applied then).
    matched_at TIMESTAMPTZ,
    CONSTRAINT delivery_events_once UNIQUE (provider, provider_event_id),
    CHECK ((communication_id IS NULL) = (debtor_id IS NULL))
);
CREATE INDEX idx_delivery_events_communication ON delivery_events(communication_id, occurred_at);
CREATE INDEX idx_delivery_events_debtor ON delivery_events(debtor_id, occurred_at);
CREATE INDEX idx_delivery_events_unmatched ON delivery_events(provider, provider_message_id)
    WHERE communication_id IS NULL;
CREATE INDEX idx_delivery_events_message ON delivery_events(provider, provider_message_id)
    WHERE communication_id IS NOT NULL;
CREATE INDEX idx_delivery_events_time ON delivery_events(occurred_at);

-- Append-only: rows are deleted only with their communication by the retention job (SET LOCAL
-- beacon.retention = 'on'); an unmatched row may only gain its communication, debtor and matched_at.
CREATE FUNCTION beacon_delivery_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF current_setting('beacon.retention', true) = 'on' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'delivery_events is append-only: DELETE is not allowed' USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.communication_id IS NOT NULL
       OR (to_jsonb(NEW) - 'communication_id' - 'debtor_id' - 'matched_at')
          IS DISTINCT FROM (to_jsonb(OLD) - 'communication_id' - 'debtor_id' - 'matched_at') THEN
        RAISE EXCEPTION 'delivery_events is append-only: only an unmatched event may be matched'
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER delivery_events_append_only
    BEFORE UPDATE OR DELETE ON delivery_events
    FOR EACH ROW EXECUTE FUNCTION beacon_delivery_events_append_only();

-- An email address that cannot be delivered to, per debtor: the gate refuses email (rule email-undeliverable)
-- while the debtor's email is this address; changing the debtor's email lifts it.
CREATE TABLE email_undeliverable (
    debtor_id UUID NOT NULL REFERENCES debtors(id),
    email VARCHAR(320) NOT NULL CHECK (email = lower(email)),
    reason VARCHAR(16) NOT NULL CHECK (reason IN ('hard_bounce', 'soft_bounces')),
    -- The event that made it so (NULL once retention deleted that event; the address stays undeliverable).
    delivery_event_id UUID REFERENCES delivery_events(id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (debtor_id, email)
);

-- Mailgun signs only its timestamp and token: a token seen once is never accepted again.
CREATE TABLE webhook_tokens (
    provider VARCHAR(10) NOT NULL,
    token VARCHAR(200) NOT NULL,
    seen_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, token)
);
CREATE INDEX idx_webhook_tokens_seen ON webhook_tokens(seen_at);

-- New opt-out sources: a spam complaint and a provider's unsubscribe (email), a carrier/provider STOP (SMS).
ALTER TABLE debtor_opt_outs DROP CONSTRAINT debtor_opt_outs_source_check;
ALTER TABLE debtor_opt_outs ADD CONSTRAINT debtor_opt_outs_source_check
    CHECK (source IN ('opt_out_page', 'one_click', 'inbound_sms', 'agent', 'import', 'complaint',
                      'provider_unsubscribe'));

-- A communication's delivery status from its events: the most telling one, whatever order they came in
-- (a hard bounce or failure over a delivery, a delivery over a soft bounce or deferral). NULL without events.
CREATE FUNCTION beacon_delivery_status(comm UUID) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN bool_or(kind = 'failed') THEN 'failed'
        WHEN bool_or(kind = 'bounced' AND severity = 'hard') THEN 'bounced'
        WHEN bool_or(kind = 'complained') THEN 'complained'
        WHEN bool_or(kind IN ('delivered', 'unsubscribed')) THEN 'delivered'
        WHEN bool_or(kind = 'bounced') THEN 'soft_bounced'
        WHEN bool_or(kind = 'deferred') THEN 'deferred'
        WHEN bool_or(kind = 'accepted') THEN 'accepted'
    END
    FROM delivery_events WHERE communication_id = comm AND kind <> 'received'
$$;

-- The V7 timeline: communications carry their delivery status; delivery events are a kind of their own.
CREATE OR REPLACE VIEW debtor_timeline AS
SELECT c.debtor_id, c."timestamp" AS at, 'communication'::text AS kind, c.id,
       jsonb_strip_nulls(jsonb_build_object(
           'type', c.type, 'direction', c.direction, 'subject', c.subject,
           'callOutcome', c.call_outcome, 'callDuration', c.call_duration,
           'emailOpened', c.email_opened, 'emailClicked', c.email_clicked,
           'aiGenerated', c.ai_generated, 'requiresFollowup', c.requires_followup,
           'deliveryStatus', beacon_delivery_status(c.id))) AS data
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
FROM debtor_opt_outs o
UNION ALL
SELECT r.debtor_id, r.refunded_at, 'refund', r.id,
       jsonb_build_object('paymentId', r.id, 'amount', to_char(r.amount_refunded, 'FM99999990.00'),
           'paymentStatus', r.status)
FROM payments r
WHERE r.amount_refunded > 0 AND r.refunded_at IS NOT NULL
UNION ALL
SELECT r.debtor_id, r.attempted_at, 'compliance_refusal', r.id,
       jsonb_strip_nulls(jsonb_build_object(
           'type', r.type, 'rule', r.rule, 'detail', r.detail, 'ruleSet', r.rule_set,
           'nextAllowedAt', to_char(r.next_allowed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')))
FROM compliance_refusals r
UNION ALL
SELECT s.debtor_id, s.scored_at, 'score_change', s.id,
       jsonb_strip_nulls(jsonb_build_object('score', s.score, 'previousScore', s.previous_score,
           'modelVersion', s.model_version))
FROM score_history s
UNION ALL
SELECT d.debtor_id, d.occurred_at, 'delivery', d.id,
       jsonb_strip_nulls(jsonb_build_object(
           'communicationId', d.communication_id, 'provider', d.provider, 'channel', d.channel,
           'event', d.kind, 'severity', d.severity, 'reason', d.reason, 'code', d.code,
           'delivered', CASE WHEN d.kind IN ('bounced', 'failed') THEN false
                             WHEN d.kind = 'delivered' THEN true END))
FROM delivery_events d
WHERE d.debtor_id IS NOT NULL AND d.kind <> 'received';

-- Inbound text messages find their debtor by the last ten digits of the number.
CREATE INDEX idx_debtors_phone_digits ON debtors (right(regexp_replace(phone, '[^0-9]', '', 'g'), 10))
    WHERE phone IS NOT NULL;

-- The dashboard counts email deliveries, hard bounces and complaints per hour (kind 'delivery' in the rollups):
-- delivery_events marks its hours dirty as V9's tables do.
ALTER TABLE rollup_dirty DROP CONSTRAINT rollup_dirty_source_check;
ALTER TABLE rollup_dirty ADD CONSTRAINT rollup_dirty_source_check
    CHECK (source IN ('email', 'page', 'contact', 'payment', 'delivery'));
CREATE FUNCTION beacon_rollup_mark_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rollup_dirty (hour, source)
    SELECT DISTINCT date_trunc('hour', occurred_at, 'UTC'), 'delivery' FROM new_rows WHERE channel = 'email';
    RETURN NULL;
END;
$$;
CREATE TRIGGER delivery_events_rollup AFTER INSERT ON delivery_events
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION beacon_rollup_mark_delivery();
