-- Provider events, continued (issue 15): the dashboard funnel's delivery stage, and the provider message ids
-- that agencies' senders record for their communications (PUT /api/communications/{id}/provider-message).

-- Each debtor's latest delivered message (email or SMS), latest undelivered one (an email hard bounce or an SMS
-- that failed) and latest spam complaint: funnel stages delivered, bounced and complained (docs/dashboard.md).
ALTER TABLE debtor_funnel
    ADD COLUMN delivered_at TIMESTAMPTZ,
    ADD COLUMN bounced_at TIMESTAMPTZ,
    ADD COLUMN complained_at TIMESTAMPTZ;

-- V18 marked only email events' hours: the funnel counts SMS deliveries too, and counts an event under its
-- debtor, so an unmatched event that is matched later (an UPDATE that sets its debtor) marks its hour again.
-- Both in the statement that records them, so the mark commits with the rows.
CREATE OR REPLACE FUNCTION beacon_rollup_mark_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rollup_dirty (hour, source)
    SELECT DISTINCT date_trunc('hour', occurred_at, 'UTC'), 'delivery' FROM new_rows WHERE kind <> 'received';
    RETURN NULL;
END;
$$;

CREATE FUNCTION beacon_rollup_mark_delivery_matched() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rollup_dirty (hour, source)
    SELECT DISTINCT date_trunc('hour', n.occurred_at, 'UTC'), 'delivery'
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE n.kind <> 'received' AND n.debtor_id IS NOT NULL AND o.debtor_id IS NULL;
    RETURN NULL;
END;
$$;
CREATE TRIGGER delivery_events_rollup_matched AFTER UPDATE ON delivery_events
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION beacon_rollup_mark_delivery_matched();

-- The provider's id of a communication's message, as the provider answered the send (SendGrid X-Message-Id,
-- Postmark MessageID, Mailgun id, SES MessageId, Twilio sid): events that name no communication find it here.
-- One id per communication and provider; an id belongs to one communication.
CREATE TABLE provider_messages (
    provider VARCHAR(10) NOT NULL CHECK (provider IN ('sendgrid', 'postmark', 'mailgun', 'ses', 'twilio')),
    message_id VARCHAR(300) NOT NULL,
    -- Deleted with its communication by the retention job (12 CFR 1006.100 periods, see V8).
    communication_id UUID NOT NULL REFERENCES communications(id) ON DELETE CASCADE,
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, message_id),
    CONSTRAINT provider_messages_one_per_provider UNIQUE (communication_id, provider)
);

-- Every delivery event recorded before this migration is dirty once, so the new stages start complete.
INSERT INTO rollup_dirty (hour, source)
SELECT DISTINCT date_trunc('hour', occurred_at, 'UTC'), 'delivery' FROM delivery_events WHERE kind <> 'received';
