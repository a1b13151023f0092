-- Communications and compliance (issue 6): the rule-set version on each checked contact, the refusal log,
-- the append-only audit trail, follow-up lookups, and refusals in the debtor timeline.

-- The compliance rule set a passed outbound contact was checked against (e.g. 'regf-2026.1'); NULL for
-- inbound contacts and for history recorded before the gate existed.
ALTER TABLE communications ADD COLUMN compliance_rule_set VARCHAR(32);

-- Every outbound contact the gate refused: nothing refused is stored as sent, but auditors see each attempt.
CREATE TABLE compliance_refusals (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    debtor_id UUID NOT NULL REFERENCES debtors(id),
    type VARCHAR(20) NOT NULL CHECK (type IN ('email', 'phone', 'sms')),
    attempted_at TIMESTAMPTZ NOT NULL,
    rule VARCHAR(64) NOT NULL,
    detail TEXT NOT NULL,
    next_allowed_at TIMESTAMPTZ,
    rule_set VARCHAR(32) NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_compliance_refusals_debtor_time ON compliance_refusals(debtor_id, attempted_at DESC);

-- The gate counts a debtor's recent calls: phone contacts by debtor and time.
CREATE INDEX idx_communications_debtor_phone_time ON communications(debtor_id, "timestamp")
    WHERE type = 'phone';
-- Follow-ups due, oldest first.
CREATE INDEX idx_communications_followup ON communications(followup_date, id) WHERE requires_followup;

-- The audit trail is append-only. Rows are never deleted; an UPDATE may only turn the engagement flags
-- that tracking sets (email_opened, email_clicked) from false to true. (TRUNCATE, an owner's maintenance
-- operation, fires no row trigger.)
CREATE FUNCTION beacon_communications_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'communications are an append-only audit trail: DELETE is not allowed'
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF (to_jsonb(NEW) - 'email_opened' - 'email_clicked') IS DISTINCT FROM
       (to_jsonb(OLD) - 'email_opened' - 'email_clicked')
       OR (OLD.email_opened AND NOT NEW.email_opened)
       OR (OLD.email_clicked AND NOT NEW.email_clicked) THEN
        RAISE EXCEPTION 'communications are an append-only audit trail: only email_opened and email_clicked may be set'
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER communications_append_only
    BEFORE UPDATE OR DELETE ON communications
    FOR EACH ROW EXECUTE FUNCTION beacon_communications_append_only();

-- The refusal log is an audit record too: no row is changed or removed.
CREATE FUNCTION beacon_refusals_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'compliance_refusals is an append-only audit log: % is not allowed', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER compliance_refusals_append_only
    BEFORE UPDATE OR DELETE ON compliance_refusals
    FOR EACH ROW EXECUTE FUNCTION beacon_refusals_append_only();

-- The timeline gains compliance refusals (V2 definition, plus the last branch).
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
FROM debtor_opt_outs o
UNION ALL
SELECT r.debtor_id, r.attempted_at, 'compliance_refusal', r.id,
       jsonb_strip_nulls(jsonb_build_object(
           'type', r.type, 'rule', r.rule, 'detail', r.detail, 'ruleSet', r.rule_set,
           'nextAllowedAt', to_char(r.next_allowed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')))
FROM compliance_refusals r;
