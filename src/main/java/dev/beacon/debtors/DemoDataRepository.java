package dev.beacon.debtors;

import dev.beacon.core.DebtorStatus;
import dev.beacon.db.SqlLiterals;
import dev.beacon.payments.PaymentStatus;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.List;

/**
 * The SQL of {@link DemoData}: the claim that the demo was seeded (in {@code beacon_meta}) and the set-based
 * statements that generate the portfolio. Every method runs on the caller's connection, inside its transaction.
 * Status values come from {@link DebtorStatus} and {@link PaymentStatus}; placeholders in braces are filled once.
 */
final class DemoDataRepository {
  static final String CLAIM = """
      INSERT INTO beacon_meta (key, value) VALUES ('demo_seeded', now()::text)
      ON CONFLICT (key) DO NOTHING RETURNING key""";

  static final String DEBTORS_SQL = """
      WITH p AS (
        SELECT ARRAY['James','Mary','Robert','Patricia','John','Jennifer','Michael','Linda','David','Elizabeth',
                     'William','Barbara','Richard','Susan','Joseph','Jessica','Thomas','Sarah','Carlos','Maria',
                     'Wei','Aisha','Dmitri','Priya','Kenji','Fatima','Liam','Olivia','Noah','Emma'] AS fn,
               ARRAY['Smith','Johnson','Williams','Brown','Jones','Garcia','Miller','Davis','Rodriguez','Martinez',
                     'Hernandez','Lopez','Gonzalez','Wilson','Anderson','Thomas','Taylor','Moore','Jackson','Martin',
                     'Lee','Perez','Thompson','White','Harris','Sanchez','Clark','Ramirez','Lewis','Robinson'] AS ln,
               ARRAY['CA','TX','FL','NY','PA','IL','OH','GA','NC','MI','AZ','WA','TN','IN','OR','KY','CO','NV'] AS st,
               ARRAY['Los Angeles','Houston','Miami','Buffalo','Pittsburgh','Chicago','Columbus','Atlanta','Raleigh',
                     'Detroit','Phoenix','Seattle','Nashville','Indianapolis','Portland','Louisville','Denver','Reno'] AS city
      ), t AS (
        SELECT token, i::int AS i, random() AS r1, random() AS r2, random() AS r3
        FROM unnest($1::text[]) WITH ORDINALITY AS u(token, i)
      )
      INSERT INTO debtors (first_name, last_name, email, phone, address_line1, city, state, zip_code, unique_token,
                           total_owed, amount_paid, status, phone_consent, email_consent, dnc_registered,
                           payment_propensity_score, created_at, updated_at)
      SELECT fn[1 + i % 30], ln[1 + (i * 7) % 30],
             lower(fn[1 + i % 30] || '.' || ln[1 + (i * 7) % 30] || '.' || i || '@example.com'),
             '+1555' || lpad(i::text, 7, '0'),
             (100 + i) || ' Main Street', city[1 + (i * 11) % 18], st[1 + (i * 11) % 18],
             lpad((10000 + (i * 89) % 89999)::text, 5, '0'), token,
             round((150 + r1 * 9850)::numeric, 2),
             CASE WHEN r2 < 0.12 THEN round((150 + r1 * 9850)::numeric, 2)
                  WHEN r2 < 0.35 THEN round(((150 + r1 * 9850) * r3 * 0.6)::numeric, 2) ELSE 0 END,
             CASE WHEN r2 < 0.12 THEN {resolved} WHEN r2 < 0.22 THEN {payment_plan} WHEN r2 < 0.27 THEN {dispute}
                  WHEN r2 < 0.29 THEN {cease} ELSE {active} END,
             r3 < 0.7, r1 < 0.92, r3 > 0.9,
             least(100, greatest(0, (r3 * 100)::int)),
             now() - interval '120 days' + (r1 * interval '20 days'), now() - (r3 * interval '10 days')
      FROM t, p""".replace("{resolved}", SqlLiterals.of(DebtorStatus.RESOLVED))
      .replace("{payment_plan}", SqlLiterals.of(DebtorStatus.PAYMENT_PLAN))
      .replace("{dispute}", SqlLiterals.of(DebtorStatus.DISPUTE))
      .replace("{cease}", SqlLiterals.of(DebtorStatus.CEASE))
      .replace("{active}", SqlLiterals.of(DebtorStatus.ACTIVE));

  static final String COMMUNICATIONS_SQL = """
      INSERT INTO communications (debtor_id, type, direction, subject, content, call_duration, call_outcome,
                                  email_opened, email_clicked, "timestamp", ai_generated, requires_followup,
                                  followup_date, created_at)
      SELECT d.id, k.type, 'outbound',
             CASE WHEN k.type = 'email' THEN 'About your account ending ' || right(d.unique_token, 4) END,
             CASE k.type WHEN 'email' THEN 'Hello ' || d.first_name || ', you can review your balance online.'
                         WHEN 'sms' THEN 'Hi ' || d.first_name || ', view your account options at your link.'
                         ELSE 'Called about the balance.' END,
             CASE WHEN k.type = 'phone' THEN (k.r * 400)::int END,
             CASE WHEN k.type = 'phone' THEN (ARRAY['answered','voicemail','busy','no_answer'])[1 + (k.r * 4)::int % 4] END,
             k.type = 'email' AND k.r < 0.45, k.type = 'email' AND k.r < 0.15,
             k.at, k.r < 0.3, k.r > 0.93, CASE WHEN k.r > 0.93 THEN k.at + interval '3 days' END, k.at
      FROM debtors d
      CROSS JOIN LATERAL (
        SELECT (ARRAY['email','email','email','sms','phone'])[1 + floor(random() * 5)::int] AS type, random() AS r,
               date_trunc('minute', now() - random() * interval '90 days') AS at
        FROM generate_series(1, 2 + (abs(hashtext(d.id::text)) % 11))
      ) k
      WHERE d.email LIKE '%@example.com'""";

  static final String INBOUND_SQL = """
      INSERT INTO communications (debtor_id, type, direction, subject, content, call_duration, call_outcome,
                                  "timestamp", created_at, compliance_checked)
      SELECT d.id, k.type, 'inbound', CASE WHEN k.type = 'email' THEN 'Re: About your account' END,
             'Debtor replied about the balance.', CASE WHEN k.type = 'phone' THEN 120 + (random() * 600)::int END,
             CASE WHEN k.type = 'phone' THEN 'answered' END, k.at, k.at, false
      FROM debtors d
      CROSS JOIN LATERAL (
        SELECT (ARRAY['email','phone','sms'])[1 + floor(random() * 3)::int] AS type,
               date_trunc('minute', now() - random() * interval '80 days') AS at
      ) k
      WHERE d.email LIKE '%@example.com' AND d.payment_propensity_score > 55""";

  /*
   * Opens and clicks consistent with the outbound emails: a human open for every email marked opened (some
   * opened twice), a human click on the payment link for every email marked clicked, a machine open (an image
   * proxy fetching on delivery) for about a third of all emails, and a security scanner's click for a few.
   */
  static final String EMAIL_EVENTS_SQL = """
      WITH c AS (
        SELECT c.id, c.debtor_id, c."timestamp" AS sent, c.email_opened, c.email_clicked, d.unique_token,
               abs(hashtext(c.id::text)) % 100 AS h, interval '10 minutes' + random() * interval '30 hours' AS delay
        FROM communications c JOIN debtors d ON d.id = c.debtor_id
        WHERE c.type = 'email' AND c.direction = 'outbound' AND d.email LIKE '%@example.com'
      )
      INSERT INTO email_events (debtor_id, communication_id, kind, occurred_at, user_agent, ip_address, label, reason, url)
      SELECT c.debtor_id, c.id, e.kind, e.at, e.ua, ('198.51.100.' || c.h)::inet, e.label, e.reason, e.url
      FROM c CROSS JOIN LATERAL (VALUES
        ('open', 'machine', c.sent + interval '3 seconds',
         'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
         'demo: image proxy fetch on delivery', NULL::text, c.h < 35),
        ('open', 'human', c.sent + c.delay,
         'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
         'demo: opened by the debtor', NULL, c.email_opened),
        ('open', 'human', c.sent + c.delay * 2 + interval '1 hour',
         'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
         'demo: opened again', NULL, c.email_opened AND c.h % 3 = 0),
        ('click', 'human', c.sent + c.delay + interval '2 minutes',
         'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
         'demo: clicked by the debtor', 'https://beacon.example.com/p/' || c.unique_token || '/pay', c.email_clicked),
        ('click', 'scanner', c.sent + interval '2 seconds', 'Mozilla/5.0 (compatible; link-scanner)',
         'demo: security link scanner', 'https://beacon.example.com/p/' || c.unique_token || '/pay', c.h >= 95)
      ) AS e(kind, label, at, ua, reason, url, keep)
      WHERE e.keep AND e.at <= now()""";

  /** The event tables mark no dirty hours themselves (their writers do): the seeded events' hours, once. */
  static final String EVENT_HOURS_SQL = """
      INSERT INTO rollup_dirty (hour, source)
      SELECT DISTINCT date_trunc('hour', occurred_at, 'UTC'), 'email' FROM email_events
      UNION ALL
      SELECT DISTINCT date_trunc('hour', "timestamp", 'UTC'), 'page' FROM page_views""";

  static final String PAGE_VIEWS_SQL = """
      INSERT INTO page_views (debtor_id, page_type, user_agent, ip_address, time_on_page, actions_taken, "timestamp")
      SELECT d.id, v.page_type,
             'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
             ('203.0.113.' || (abs(hashtext(d.id::text)) % 250))::inet,
             (5 + random() * 240)::int,
             CASE WHEN v.page_type = 'payment' THEN '[{"action":"choose_option","value":"partial"}]'::jsonb
                  ELSE '[{"action":"view_balance"}]'::jsonb END,
             v.at
      FROM debtors d
      CROSS JOIN LATERAL (
        SELECT CASE WHEN random() < 0.35 THEN 'payment' WHEN random() < 0.15 THEN 'info' ELSE 'landing' END AS page_type,
               now() - random() * interval '90 days' AS at
        FROM generate_series(1, (d.payment_propensity_score / 15)::int)
      ) v
      WHERE d.email LIKE '%@example.com'""";

  static final String PAYMENTS_SQL = """
      INSERT INTO payments (debtor_id, amount, payment_type, stripe_payment_intent_id, stripe_session_id,
                            payment_method, status, payment_page_visits, payment_link_clicks, created_at, completed_at)
      SELECT d.id, d.amount_paid, CASE WHEN d.amount_paid >= d.total_owed THEN 'full' ELSE 'partial' END,
             'pi_demo_' || left(md5(d.id::text), 20), 'cs_demo_' || left(md5(d.unique_token), 20),
             (ARRAY['card','card','apple_pay','bank'])[1 + (abs(hashtext(d.unique_token)) % 4)], {completed},
             1 + abs(hashtext(d.id::text)) % 4, abs(hashtext(d.unique_token)) % 3,
             now() - (random() * interval '60 days'), now() - (random() * interval '59 days')
      FROM debtors d
      WHERE d.email LIKE '%@example.com' AND d.amount_paid > 0""".replace("{completed}", PaymentStatus.COMPLETED.literal());

  /*
   * The counters and dates a live debtor gets as its history happens (communications set them as they are
   * recorded, the tracking enricher as it writes events), set once here from the demo's whole history: each
   * outbound communication counts as a contact and moves the last contact date; an inbound one, a human open or
   * click, or a page view moves the last response date.
   */
  static final String SETTLE_SQL = """
      UPDATE debtors d SET total_contacts = coalesce(c.outbound, 0), last_contact_date = c.last_out,
             last_response_date = nullif(greatest(coalesce(c.last_in, '-infinity'), coalesce(e.at, '-infinity'),
                                                  coalesce(v.at, '-infinity')), '-infinity')
      FROM debtors x
      LEFT JOIN (SELECT debtor_id, count(*) FILTER (WHERE direction = 'outbound') AS outbound,
                        max("timestamp") FILTER (WHERE direction = 'outbound') AS last_out,
                        max("timestamp") FILTER (WHERE direction = 'inbound') AS last_in
                 FROM communications GROUP BY debtor_id) c ON c.debtor_id = x.id
      LEFT JOIN (SELECT debtor_id, max(occurred_at) AS at FROM email_events WHERE label = 'human'
                 GROUP BY debtor_id) e ON e.debtor_id = x.id
      LEFT JOIN (SELECT debtor_id, max("timestamp") AS at FROM page_views GROUP BY debtor_id) v ON v.debtor_id = x.id
      WHERE d.id = x.id AND x.email LIKE '%@example.com'""";

  /** The seeded statements after the debtors, in order: each reads what the ones before wrote. */
  static final List<String> HISTORY = List.of(COMMUNICATIONS_SQL, INBOUND_SQL, EMAIL_EVENTS_SQL, PAGE_VIEWS_SQL,
      EVENT_HOURS_SQL, PAYMENTS_SQL, SETTLE_SQL);

  private DemoDataRepository() {}

  /** Records that the demo is seeded; false when it was before (nothing to do). */
  static Future<Boolean> claim(SqlConnection conn) {
    return conn.query(CLAIM).execute().map(rows -> rows.size() > 0);
  }

  /** One debtor per token and 90 days of history for them, with a fixed random seed. */
  static Future<Void> seed(SqlConnection conn, String[] tokens) {
    Future<Void> f = conn.query("SELECT setseed(0.42)").execute()
        .compose(v -> conn.preparedQuery(DEBTORS_SQL).execute(Tuple.of((Object) tokens)))
        .mapEmpty();
    for (String sql : HISTORY) {
      f = f.compose(v -> conn.query(sql).execute().mapEmpty());
    }
    return f;
  }
}
