package dev.beacon.delivery;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;

/**
 * What the providers would have reported about the demo portfolio's outbound emails and text messages (with
 * {@code --demo}, after the demo debtors are seeded): most delivered, about 2% of emails hard-bounced, 3% of text
 * messages failed, 0.5% of emails drew a spam complaint, with the gate effects those have (the address
 * undeliverable, the email opt-out). Only communications without delivery events are given some, so seeding
 * again adds nothing.
 */
public final class DeliveryDemo {
  static final String EVENTS = """
      WITH c AS (
        SELECT c.id, c.debtor_id, c.type, c."timestamp" AS sent, d.email, abs(hashtext(c.id::text)) % 1000 AS h
        FROM communications c JOIN debtors d ON d.id = c.debtor_id
        WHERE c.direction = 'outbound' AND c.type IN ('email', 'sms') AND d.email LIKE '%@example.com'
          AND NOT EXISTS (SELECT 1 FROM delivery_events x WHERE x.communication_id = c.id)
      )
      INSERT INTO delivery_events (provider, provider_event_id, provider_message_id, communication_id, debtor_id,
                                   channel, kind, severity, recipient, reason, code, occurred_at)
      SELECT CASE WHEN c.type = 'email' THEN 'sendgrid' ELSE 'twilio' END, 'demo:' || c.id || ':' || e.kind,
             'demo-' || c.id, c.id, c.debtor_id, c.type, e.kind, e.severity,
             CASE WHEN c.type = 'email' THEN c.email END, e.reason, e.code, c.sent + e.delay
      FROM c CROSS JOIN LATERAL (VALUES
        ('delivered', NULL, NULL, NULL, interval '20 seconds', c.h >= 30),
        ('bounced', 'hard', 'demo: 550 5.1.1 user unknown', '5.1.1', interval '30 seconds', c.type = 'email' AND c.h < 20),
        ('failed', 'hard', 'demo: unreachable handset', '30003', interval '1 minute', c.type = 'sms' AND c.h < 30),
        ('complained', NULL, 'demo: abuse', NULL, interval '3 hours', c.type = 'email' AND c.h BETWEEN 30 AND 34)
      ) AS e(kind, severity, reason, code, delay, keep)
      WHERE e.keep AND c.sent + e.delay <= now()
      ON CONFLICT (provider, provider_event_id) DO NOTHING""";

  static final String UNDELIVERABLE = """
      INSERT INTO email_undeliverable (debtor_id, email, reason, delivery_event_id, created_at)
      SELECT DISTINCT ON (e.debtor_id) e.debtor_id, e.recipient, 'hard_bounce', e.id, e.occurred_at
      FROM delivery_events e
      WHERE e.provider_event_id LIKE 'demo:%' AND e.kind = 'bounced' AND e.severity = 'hard'
      ORDER BY e.debtor_id, e.occurred_at
      ON CONFLICT (debtor_id, email) DO NOTHING""";

  static final String OPT_OUTS = """
      INSERT INTO debtor_opt_outs (debtor_id, channel, source, communication_id, created_at)
      SELECT DISTINCT ON (e.debtor_id) e.debtor_id, 'email', 'complaint', e.communication_id, e.occurred_at
      FROM delivery_events e
      WHERE e.provider_event_id LIKE 'demo:%' AND e.kind = 'complained'
        AND NOT EXISTS (SELECT 1 FROM debtor_opt_outs o WHERE o.debtor_id = e.debtor_id AND o.channel = 'email')
      ORDER BY e.debtor_id, e.occurred_at""";

  private DeliveryDemo() {}

  /** Seeds the demo delivery events and their effects in one transaction; answers how many events it added. */
  public static Future<Integer> seed(Pool pool) {
    return pool.withTransaction(conn -> conn.query(EVENTS).execute()
        .compose(rows -> conn.query(UNDELIVERABLE).execute()
            .compose(v -> conn.query(OPT_OUTS).execute())
            .map(rows.rowCount())));
  }
}
