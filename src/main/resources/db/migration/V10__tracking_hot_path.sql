-- The tracking hot path (issue 3): every open, click and page view is one row in a partitioned table, written
-- in group-commit batches. Measured with pgbench on this machine (64-row batches, durable commits), the
-- per-row work PostgreSQL did beyond the insert itself was dominated by:
--   * the foreign-key checks: one RI query per row and key, each taking a FOR KEY SHARE lock on the debtor (or
--     communication) row, i.e. a heap write and, when two batches touch one debtor, a MultiXact (about +35 %);
--   * random UUID primary keys: every insert lands on a random leaf page of a large index (about +40 %);
--   * the communication index, which only the click-burst rule and retention read (about +20 %).
--
-- What replaces them:
--   * Integrity by construction. Writers resolve debtor and communication inside the INSERT itself (a join on
--     the token or id, and on communications c.id = ... AND c.debtor_id = d.id), so an event can only name a
--     debtor and a message that exist when it commits. Debtors are never deleted (statuses close them; a
--     trigger refuses DELETE), so a debtor reference never dangles. Communications are deleted only by the
--     retention job, which unlinks events first (by debtor, through idx_email_events_debtor_time).
--   * Time-ordered ids (UUID version 7, RFC 9562): new rows go to the right edge of the primary key.
--   * The communication index keeps only clicks, which is what the burst rule reads.

ALTER TABLE email_events DROP CONSTRAINT IF EXISTS email_events_debtor_id_fkey;
ALTER TABLE email_events DROP CONSTRAINT IF EXISTS email_events_communication_id_fkey;
ALTER TABLE page_views DROP CONSTRAINT IF EXISTS page_views_debtor_id_fkey;

-- UUID version 7: 48 bits of Unix milliseconds, the version and variant bits, 74 random bits.
CREATE FUNCTION beacon_uuid_v7() RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
    SELECT encode(
        set_bit(set_bit(
            overlay(uuid_send(gen_random_uuid())
                    PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                    FROM 1 FOR 6),
            52, 1), 53, 1),
        'hex')::uuid
$$;

ALTER TABLE email_events ALTER COLUMN id SET DEFAULT beacon_uuid_v7();
ALTER TABLE page_views ALTER COLUMN id SET DEFAULT beacon_uuid_v7();

DROP INDEX idx_email_events_communication;
CREATE INDEX idx_email_events_communication ON email_events (communication_id, occurred_at) WHERE kind = 'click';

CREATE FUNCTION beacon_debtors_never_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'debtors are never deleted: close them with a status instead'
        USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER debtors_never_deleted BEFORE DELETE ON debtors
    FOR EACH STATEMENT EXECUTE FUNCTION beacon_debtors_never_deleted();

-- page_views had two per-debtor indexes, the seed's (debtor_id) and (debtor_id, "timestamp" DESC) for the
-- timeline; the second serves everything the first did. One random-order index insert per view less: the
-- seed's name now carries the two columns.
DROP INDEX idx_page_views_debtor_time;
DROP INDEX idx_page_views_debtor;
CREATE INDEX idx_page_views_debtor ON page_views (debtor_id, "timestamp" DESC);
