-- A refund or dispute event can reach Beacon before the event that tells it which payment the PaymentIntent
-- belongs to (Stripe retries deliveries in any order). Such an event is parked with what it says and applied
-- when a later event names its PaymentIntent or charge on a payment, in that event's transaction.
ALTER TABLE stripe_events
    ADD COLUMN payment_intent_id VARCHAR(255),
    ADD COLUMN charge_id VARCHAR(255),
    ADD COLUMN parked JSONB;

CREATE INDEX idx_stripe_events_parked_intent ON stripe_events (payment_intent_id) WHERE parked IS NOT NULL;
CREATE INDEX idx_stripe_events_parked_charge ON stripe_events (charge_id) WHERE parked IS NOT NULL;
