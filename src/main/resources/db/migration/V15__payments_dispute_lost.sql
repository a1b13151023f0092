-- The part of amount_refunded that lost disputes took back. Stripe reports refunds as the charge's cumulative
-- refunded amount and a lost dispute as its own amount; keeping the two apart lets either arrive first
-- without one hiding the other. amount_refunded stays the total returned (refunds plus lost disputes).
ALTER TABLE payments
    ADD COLUMN amount_dispute_lost NUMERIC(10,2) NOT NULL DEFAULT 0 CHECK (amount_dispute_lost >= 0),
    ADD CONSTRAINT payments_dispute_lost_within_refunded CHECK (amount_dispute_lost <= amount_refunded);

-- Collected figures now count disputed payments (net of what lost disputes took back): the hours already
-- rolled up that hold one are recomputed by the next rollup run.
INSERT INTO rollup_dirty (hour, source)
SELECT DISTINCT date_trunc('hour', coalesce(completed_at, created_at), 'UTC'), 'payment'
FROM payments WHERE status = 'disputed';
