-- Records retention (issue 8). Communications stay an append-only audit trail, except for the retention job:
-- it deletes the communications of debtors whose last activity is older than retention.communicationsYears
-- (at least three years, 12 CFR 1006.100) inside a transaction that has run SET LOCAL beacon.retention = 'on'.
-- Every other DELETE is still refused, and the UPDATE rule is unchanged from V4.
CREATE OR REPLACE FUNCTION beacon_communications_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF current_setting('beacon.retention', true) = 'on' THEN
            RETURN OLD;
        END IF;
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

-- A debtor's last activity: creation, the last contact or response, the latest communication, payment event
-- or plan date. (debtors.updated_at is left out: score updates would keep every debtor "active".)
CREATE VIEW debtor_last_activity AS
SELECT d.id AS debtor_id,
       greatest(d.created_at, d.last_contact_date, d.last_response_date,
                (SELECT max(c."timestamp") FROM communications c WHERE c.debtor_id = d.id),
                (SELECT max(greatest(p.created_at, p.completed_at, p.refunded_at, p.updated_at))
                 FROM payments p WHERE p.debtor_id = d.id),
                (SELECT max(greatest(pp.updated_at, pp.next_due_at)) FROM payment_plans pp WHERE pp.debtor_id = d.id)
       ) AS at
FROM debtors d;
