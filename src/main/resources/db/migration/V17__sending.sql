-- Sending (issue 14): the HTML part of an instrumented outbound email, kept beside its text in `content`
-- (the audit trail holds what was sent), and the short links of outbound SMS.
ALTER TABLE communications ADD COLUMN content_html TEXT;

-- One short link per URL of an outbound SMS: GET /s/{code} records a click on the message and redirects to
-- the target. The code is 72 random bits (12 URL-safe Base64 characters); it is the primary key, so a
-- collision fails the insert instead of rebinding a link. Rows go with their message (records retention).
CREATE TABLE short_links (
    code VARCHAR(16) PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9_-]{11,16}$'),
    debtor_id UUID NOT NULL REFERENCES debtors(id),
    communication_id UUID NOT NULL REFERENCES communications(id) ON DELETE CASCADE,
    target TEXT NOT NULL CHECK (length(target) <= 2048),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_short_links_communication ON short_links(communication_id);
