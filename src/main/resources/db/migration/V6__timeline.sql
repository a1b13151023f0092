-- The debtor timeline with every kind the features so far add: V2's (communications, page views, payments,
-- opens, clicks, opt-outs), V4's compliance refusals and V5's refunds. Each later migration that adds a kind
-- starts from this definition.
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
FROM compliance_refusals r;
