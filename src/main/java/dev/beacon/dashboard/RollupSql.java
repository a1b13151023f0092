package dev.beacon.dashboard;

import java.util.List;
import java.util.Map;

/**
 * The rollup job's SQL. Every recompute takes the dirty hours as {@code $1::timestamptz[]} and rebuilds those
 * whole hours from the raw rows, so running it twice gives the same numbers.
 */
final class RollupSql {
  private RollupSql() {}


  /** Takes every committed dirty mark; marks committed later stay for the next run. */
  static final String DRAIN = """
      WITH d AS (DELETE FROM rollup_dirty RETURNING hour, source)
      SELECT source, array_agg(DISTINCT hour) AS hours FROM d GROUP BY source""";

  private static final String HOURS = "unnest($1::timestamptz[]) AS h(hour)";

  /*
   * Rows of the dirty hours: bounded by the first and last dirty hour (an index range scan when only recent
   * hours are dirty) and matched to their hour by equality (a hash join when many hours are, as after a bulk
   * load, instead of one index probe per hour).
   */
  private static String within(String column) {
    String hour = "date_trunc('hour', " + column + ", 'UTC')";
    return hour + " = h.hour AND " + column + " >= (SELECT min(x) FROM unnest($1::timestamptz[]) x) AND "
        + column + " < (SELECT max(x) FROM unnest($1::timestamptz[]) x) + interval '1 hour'";
  }

  /** One source's rollup: the kinds it owns, and the statement that counts its hours. */
  record Source(List<String> kinds, String count, List<Stage> stages) {}

  /** A funnel stage: its debtor_funnel column and the per-debtor latest time within the dirty hours. */
  record Stage(String name, String column, String latest) {}

  private static final String EMAIL_ROWS = "email_events e JOIN " + HOURS + " ON " + within("e.occurred_at");
  /* Only people's page views count: scanners and machines following links are not visits. */
  private static final String PAGE_ROWS = "page_views p JOIN " + HOURS + " ON " + within("p.\"timestamp\"")
      + " AND p.label = 'human'";
  private static final String CONTACT_ROWS = "communications c JOIN " + HOURS + " ON " + within("c.\"timestamp\"")
      + " WHERE c.direction = 'outbound'";
  private static final String PAID_AT = "coalesce(y.completed_at, y.created_at)";
  /*
   * Collected payments: every settled status (PaymentState.SETTLED, what debtors.amount_paid counts) with money
   * left after refunds. A disputed payment stays collected until the dispute is lost; a lost one has the disputed
   * amount in amount_refunded, so it counts net of it, and not at all once nothing is left (like a full refund).
   */
  private static final String PAYMENT_ROWS = "payments y JOIN " + HOURS + " ON " + within(PAID_AT)
      + " WHERE y.status IN ('completed', 'partially_refunded', 'refunded', 'disputed')"
      + " AND y.amount_refunded < y.amount";

  /** Email deliveries, hard bounces and complaints the sending providers reported (docs/provider-events.md). */
  private static final String DELIVERY_ROWS = "delivery_events v JOIN " + HOURS + " ON " + within("v.occurred_at")
      + " WHERE v.channel = 'email' AND (v.kind IN ('delivered', 'complained')"
      + " OR (v.kind = 'bounced' AND v.severity = 'hard'))";
  /*
   * The funnel's delivery stages, email and SMS, by debtor (an unmatched event counts once it is matched): a
   * message delivered; one not delivered (an email hard bounce, an SMS that failed); a spam complaint.
   */
  private static final String MATCHED_DELIVERY_ROWS = "delivery_events v JOIN " + HOURS + " ON "
      + within("v.occurred_at") + " WHERE v.debtor_id IS NOT NULL";
  private static final String LATEST_DELIVERY = "SELECT v.debtor_id, max(v.occurred_at) AS at FROM "
      + MATCHED_DELIVERY_ROWS + " AND %s GROUP BY 1";

  static final Map<String, Source> SOURCES = Map.of(
      "email", new Source(List.of("open", "click"), """
          INSERT INTO rollup_hourly (hour, kind, label, events)
          SELECT h.hour, e.kind, e.label, count(*) FROM %s GROUP BY 1, 2, 3""".formatted(EMAIL_ROWS),
          List.of(
              new Stage("opened", "opened_at", "SELECT e.debtor_id, max(e.occurred_at) AS at FROM " + EMAIL_ROWS
                  + " WHERE e.label = 'human' GROUP BY 1"),
              new Stage("clicked", "clicked_at", "SELECT e.debtor_id, max(e.occurred_at) AS at FROM " + EMAIL_ROWS
                  + " WHERE e.label = 'human' AND e.kind = 'click' GROUP BY 1"),
              new Stage("machine_opened", "machine_opened_at", "SELECT e.debtor_id, max(e.occurred_at) AS at FROM "
                  + EMAIL_ROWS + " WHERE e.label = 'machine' AND e.kind = 'open' GROUP BY 1"))),
      "page", new Source(List.of("page_view"), """
          INSERT INTO rollup_hourly (hour, kind, label, events)
          SELECT h.hour, 'page_view', p.page_type, count(*) FROM %s GROUP BY 1, 2, 3""".formatted(PAGE_ROWS),
          List.of(new Stage("visited", "visited_at", "SELECT p.debtor_id, max(p.\"timestamp\") AS at FROM " + PAGE_ROWS
              + " WHERE p.page_type = 'payment' GROUP BY 1"))),
      "contact", new Source(List.of("contact"), """
          INSERT INTO rollup_hourly (hour, kind, label, events)
          SELECT h.hour, 'contact', c.type, count(*) FROM %s GROUP BY 1, 2, 3""".formatted(CONTACT_ROWS),
          List.of(new Stage("contacted", "contacted_at", "SELECT c.debtor_id, max(c.\"timestamp\") AS at FROM "
              + CONTACT_ROWS + " GROUP BY 1"))),
      "payment", new Source(List.of("payment"), """
          INSERT INTO rollup_hourly (hour, kind, label, events, amount)
          SELECT h.hour, 'payment', 'collected', count(*), sum(y.amount - y.amount_refunded) FROM %s
          GROUP BY 1, 2, 3""".formatted(PAYMENT_ROWS),
          List.of(new Stage("paid", "paid_at", "SELECT y.debtor_id, max(" + PAID_AT + ") AS at FROM " + PAYMENT_ROWS
              + " GROUP BY 1"))),
      "delivery", new Source(List.of("delivery"), """
          INSERT INTO rollup_hourly (hour, kind, label, events)
          SELECT h.hour, 'delivery', v.kind, count(*) FROM %s GROUP BY 1, 2, 3""".formatted(DELIVERY_ROWS),
          List.of(
              new Stage("delivered", "delivered_at", LATEST_DELIVERY.formatted("v.kind = 'delivered'")),
              new Stage("bounced", "bounced_at", LATEST_DELIVERY.formatted(
                  "((v.kind = 'bounced' AND v.severity = 'hard') OR v.kind = 'failed')")),
              new Stage("complained", "complained_at", LATEST_DELIVERY.formatted("v.kind = 'complained'")))));

  static final String CLEAR = "DELETE FROM rollup_hourly WHERE hour = ANY($1::timestamptz[]) AND kind = ANY($2::text[])";

  /* The UTC days of the recomputed hours, summed again from the hourly rows (a UTC day is always 24 hours). */
  private static final String DAYS = "(SELECT DISTINCT date_trunc('day', x, 'UTC') AS day FROM unnest($1::timestamptz[]) x)";
  static final String DAILY_CLEAR = "DELETE FROM rollup_daily WHERE day IN (SELECT day FROM " + DAYS + " d)"
      + " AND kind = ANY($2::text[])";
  static final String DAILY_FILL = """
      INSERT INTO rollup_daily (day, kind, label, events, amount)
      SELECT d.day, r.kind, r.label, sum(r.events), sum(r.amount) FROM %s d
      JOIN rollup_hourly r ON r.hour >= d.day AND r.hour < d.day + interval '24 hours'
      WHERE r.kind = ANY($2::text[]) GROUP BY 1, 2, 3""".formatted(DAYS);

  /*
   * A debtor whose latest time at a stage moves later leaves the old hour's count and joins the new hour's (and
   * likewise the old and new day's in funnel_daily).
   * Every CTE reads the same snapshot, so "prev" is the value before this statement. Only this job (under the
   * advisory lock) writes these tables, so nothing races it.
   */
  private static final String FUNNEL = """
      WITH cand AS (%s),
      moved AS (
        SELECT c.debtor_id, c.at, f.%2$s AS prev FROM cand c LEFT JOIN debtor_funnel f ON f.debtor_id = c.debtor_id
        WHERE f.%2$s IS NULL OR c.at > f.%2$s
      ),
      up AS (
        INSERT INTO debtor_funnel AS f (debtor_id, %2$s) SELECT debtor_id, at FROM moved
        ON CONFLICT (debtor_id) DO UPDATE SET %2$s = EXCLUDED.%2$s
      ),
      delta AS (
        SELECT date_trunc('hour', at, 'UTC') AS hour, 1 AS d FROM moved
        UNION ALL
        SELECT date_trunc('hour', prev, 'UTC'), -1 FROM moved WHERE prev IS NOT NULL
      ),
      daily AS (
        INSERT INTO funnel_daily AS fd (day, stage, debtors)
        SELECT date_trunc('day', hour, 'UTC'), '%3$s', sum(d) FROM delta GROUP BY 1
        ON CONFLICT (day, stage) DO UPDATE SET debtors = fd.debtors + EXCLUDED.debtors
      )
      INSERT INTO funnel_hourly AS fh (hour, stage, debtors)
      SELECT hour, '%3$s', sum(d) FROM delta GROUP BY hour
      ON CONFLICT (hour, stage) DO UPDATE SET debtors = fh.debtors + EXCLUDED.debtors""";

  static String funnel(Stage stage) {
    return FUNNEL.formatted(stage.latest(), stage.column(), stage.name());
  }

  static final String DEBTORS_CLEAR = "DELETE FROM rollup_debtors";
  static final String DEBTORS_FILL = """
      INSERT INTO rollup_debtors (status, bucket, debtors, score_sum, total_owed, amount_paid)
      SELECT status, least(payment_propensity_score / 10, 9), count(*), sum(payment_propensity_score),
             sum(total_owed), sum(amount_paid)
      FROM debtors GROUP BY 1, 2""";

  /** What the debtor-based panels show: the snapshot and the top of the unresolved list. */
  static final String DEBTORS_DIGEST = """
      SELECT md5(
        (SELECT coalesce(string_agg(r::text, ',' ORDER BY status, bucket), '') FROM rollup_debtors r) || '|' ||
        (SELECT coalesce(string_agg(t::text, ',' ORDER BY n), '') FROM (
           SELECT row_number() OVER () AS n, d.id, d.first_name, d.last_name, d.status, d.payment_propensity_score,
                  d.total_owed, d.amount_paid, d.last_response_date
           FROM (SELECT * FROM debtors WHERE status NOT IN ('resolved', 'closed')
                 ORDER BY payment_propensity_score DESC, id DESC LIMIT 100) d) t)) AS digest,
        (SELECT debtors_digest FROM rollup_state) AS previous""";

  static final String BUMP = """
      INSERT INTO rollup_state AS s (id, version, events_at, debtors_at, debtors_digest)
      VALUES (true, nextval('rollup_version_seq'), now(), CASE WHEN $1 THEN now() END, $2)
      ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, events_at = EXCLUDED.events_at,
        debtors_at = coalesce(EXCLUDED.debtors_at, s.debtors_at), debtors_digest = coalesce($2, s.debtors_digest)
      RETURNING version""";

  static final String VERSION = "SELECT coalesce((SELECT version FROM rollup_state), 0) AS version";
}
