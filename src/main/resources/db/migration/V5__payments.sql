-- Payments through Stripe Checkout: the Stripe ids and failure reason of each payment, refunds, payment plans
-- and the webhook events already processed.

-- payment_plans comes first so payments can reference it.
-- A plan splits a balance into `installments` monthly charges. Installment 1 is paid through Checkout with the
-- card saved for later; the plan job charges the rest off-session. status: pending (first installment not paid
-- yet), active, completed, broken (an installment failed after every retry), cancelled (checkout expired).
CREATE TABLE payment_plans (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    debtor_id UUID NOT NULL REFERENCES debtors(id),
    total_amount NUMERIC(10,2) NOT NULL CHECK (total_amount > 0),
    installments INTEGER NOT NULL CHECK (installments >= 2),
    installment_amount NUMERIC(10,2) NOT NULL CHECK (installment_amount > 0),
    status VARCHAR(20) NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'active', 'completed', 'broken', 'cancelled')),
    stripe_customer_id VARCHAR(100),
    stripe_payment_method_id VARCHAR(100),
    -- the installment the job charges next (1-based) and when; attempts = failed tries of that installment
    next_installment INTEGER NOT NULL DEFAULT 1 CHECK (next_installment >= 1),
    next_due_at TIMESTAMPTZ,
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    started_at TIMESTAMPTZ,
    broken_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_payment_plans_due ON payment_plans(next_due_at) WHERE status = 'active';
CREATE INDEX idx_payment_plans_debtor ON payment_plans(debtor_id);

-- credited: how much of this payment debtors.amount_paid currently counts. Every status change moves
-- amount_paid by (new credited - old credited) under the payment's row lock, so no event counts twice.
ALTER TABLE payments
    ADD COLUMN failure_reason VARCHAR(500),
    ADD COLUMN stripe_charge_id VARCHAR(100),
    ADD COLUMN stripe_customer_id VARCHAR(100),
    ADD COLUMN amount_refunded NUMERIC(10,2) NOT NULL DEFAULT 0 CHECK (amount_refunded >= 0),
    ADD COLUMN refunded_at TIMESTAMPTZ,
    ADD COLUMN credited NUMERIC(10,2) NOT NULL DEFAULT 0 CHECK (credited >= 0),
    ADD COLUMN plan_id UUID REFERENCES payment_plans(id),
    ADD COLUMN installment INTEGER CHECK (installment >= 1),
    ADD COLUMN source VARCHAR(10) NOT NULL DEFAULT 'checkout' CHECK (source IN ('checkout', 'plan', 'import')),
    ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    ADD CONSTRAINT payments_refund_within_amount CHECK (amount_refunded <= amount),
    ADD CONSTRAINT payments_credit_within_amount CHECK (credited <= amount),
    ADD CONSTRAINT payments_installment_of_plan CHECK ((plan_id IS NULL) = (installment IS NULL));

CREATE INDEX idx_payments_session ON payments(stripe_session_id);
CREATE INDEX idx_payments_charge ON payments(stripe_charge_id);
CREATE INDEX idx_payments_plan ON payments(plan_id, installment);

-- Each Stripe event id once. Inserted in the same transaction as the event's effect.
CREATE TABLE stripe_events (
    id VARCHAR(255) PRIMARY KEY,
    type VARCHAR(100) NOT NULL,
    payment_id UUID,
    outcome VARCHAR(40) NOT NULL,
    stripe_created_at TIMESTAMPTZ,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The V2 timeline plus refunds (a payment's refunded amount at the time of its latest refund).
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
WHERE r.amount_refunded > 0 AND r.refunded_at IS NOT NULL;
