-- Scoring (issue 5): fitted model versions, the scoring watermark, the score history and score changes in the
-- debtor timeline.

-- Model versions fitted on the store's own history (v1 ships as src/main/resources/scoring/model-v1.json).
-- model holds {intercept, coefficients: {feature: weight}}; backtest the fit's backtest at fitted_as_of.
CREATE TABLE scoring_models (
    version VARCHAR(32) PRIMARY KEY CHECK (version ~ '^v[0-9]+$'),
    model JSONB NOT NULL CHECK (jsonb_typeof(model) = 'object'),
    fitted_as_of TIMESTAMPTZ NOT NULL,
    horizon_days INTEGER NOT NULL CHECK (horizon_days > 0),
    training_debtors INTEGER NOT NULL CHECK (training_debtors >= 0),
    training_payers INTEGER NOT NULL CHECK (training_payers >= 0),
    backtest JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One row: the watermark of the scoring job (start of the last successful run and of the last full run) and
-- the model version chosen through PUT /api/scoring/model (NULL: the configured scoring.model).
CREATE TABLE scoring_state (
    id INTEGER PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    last_run_at TIMESTAMPTZ,
    last_full_at TIMESTAMPTZ,
    active_model VARCHAR(32),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO scoring_state (id) VALUES (1);

-- A row whenever a debtor's score (or the model version behind it) changes; factors are the contributions
-- [{name, value, contribution}] that sum to the score.
CREATE TABLE score_history (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    debtor_id UUID NOT NULL REFERENCES debtors(id),
    score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    previous_score INTEGER CHECK (previous_score BETWEEN 0 AND 100),
    model_version VARCHAR(32) NOT NULL,
    factors JSONB NOT NULL CHECK (jsonb_typeof(factors) = 'array'),
    scored_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_score_history_debtor_time ON score_history(debtor_id, scored_at DESC, id DESC);

-- The incremental run finds debtors with activity since its watermark through these.
CREATE INDEX idx_payments_updated ON payments(updated_at);
CREATE INDEX idx_payment_plans_updated ON payment_plans(updated_at);
CREATE INDEX idx_communications_created ON communications(created_at);
-- Features read a debtor's communications by time and a debtor's completed payments.
CREATE INDEX idx_payments_debtor_completed ON payments(debtor_id, completed_at) WHERE completed_at IS NOT NULL;

-- The V6 timeline plus score changes.
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
FROM compliance_refusals r
UNION ALL
SELECT s.debtor_id, s.scored_at, 'score_change', s.id,
       jsonb_strip_nulls(jsonb_build_object('score', s.score, 'previousScore', s.previous_score,
           'modelVersion', s.model_version))
FROM score_history s;
