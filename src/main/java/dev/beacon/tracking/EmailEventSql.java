package dev.beacon.tracking;

import dev.beacon.dashboard.LiveCounts;
import dev.beacon.db.Columns;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * Opens and clicks into {@code email_events}: a live batch from the journal ({@link #JOURNAL_OPENS},
 * {@link #JOURNAL_EMAIL_EVENTS}) or an import's arrays ({@link #emailSql}); the timing rules, the communication
 * flags, last_response_date and the dashboard's counts (a live batch, {@link LiveCounts}) or dirty hours (an
 * import) in the same statement.
 */
final class EmailEventSql {
  private EmailEventSql() {}

  /** An imported open or click. */
  record EmailEvent(UUID debtorId, UUID communicationId, Classifier.Kind kind, OffsetDateTime at, String userAgent,
                    String ip, Classifier.Verdict verdict, String url) {}

  private static final String UNNEST_EMAIL = """
              SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::text[], $6::text[],
                                   $7::text[], $8::text[], $9::text[], $10::uuid[])
                WITH ORDINALITY AS i(debtor, communication_id, kind, at, user_agent, ip, label, reason, url, id, n)""";
  private static final String JOURNAL_EMAIL = EventSql.journal("""
      j.token AS debtor, j.communication_id, CASE j.kind WHEN %d THEN 'click' ELSE 'open' END AS kind, j.at,
                   j.user_agent, j.ip, v.label, v.reason, j.url, x.event_id AS id, x.n"""
          .formatted(Journal.Kind.CLICK.code),
      true, Journal.Kind.OPEN.code + ", " + Journal.Kind.CLICK.code);

  /*
   * Timing rules: a human-looking hit within the send window ($11, seconds) of its communication is a machine
   * (a proxy or scanner fetching on delivery); a click that makes BURST_LINKS ($13) distinct links of one
   * message within BURST_SECONDS ($12) is a scanner. The burst rule reads email_events, whose partitions make
   * the statement costlier to plan, so batches without clicks (most of them: opens) use the variant without it.
   */
  private static final String EMAIL = """
      WITH i AS (
%4$s
      ),
      r AS (
        SELECT i.n, i.id, d.id AS debtor_id, c.id AS communication_id, c."timestamp" AS sent_at, i.kind, i.at,
               i.user_agent, i.ip, i.label, i.reason, i.url, c.email_opened, c.email_clicked,
               d.last_response_date AS responded_at
        FROM i JOIN debtors d ON %1$s
        LEFT JOIN communications c ON c.id = i.communication_id AND c.debtor_id = d.id
      ),
      classified AS MATERIALIZED (
        SELECT r.*, CASE
%2$s            WHEN r.label = 'human' AND r.sent_at IS NOT NULL AND r.at >= r.sent_at
                 AND r.at < r.sent_at + make_interval(secs => {WINDOW}::float8)
              THEN 'machine:within ' || {WINDOW}::float8 || ' s of the send'
            ELSE NULL END AS timing
        FROM r
      ),
      ins AS (
        INSERT INTO email_events (id, debtor_id, communication_id, kind, occurred_at, user_agent, ip_address,
                                  label, reason, url)
        SELECT id, debtor_id, communication_id, kind, at, user_agent, ip::inet,
               coalesce(split_part(timing, ':', 1), label),
               left(coalesce(substr(timing, strpos(timing, ':') + 1), reason), 200), url
        FROM classified ORDER BY n
      ),
%5$s%3$s""";

  /*
   * What every email batch adds: the communications' flags, the debtors' last_response_date, and per written
   * row its place in the batch and its final label. A row ends human when its request looked human and no timing
   * rule fired. As for last_response_date (EventSql.LAST_RESPONSE), only rows that would change a flag are
   * aggregated: the flags only ever go from false to true, so the values read with the batch's rows (r) tell
   * which rows can; the UPDATE checks again on the rows it locks.
   */
  private static final String APPLY = """
      ,
      comm AS (
        UPDATE communications c SET email_opened = true, email_clicked = c.email_clicked OR h.clicked
        FROM (SELECT communication_id, bool_or(kind = 'click') AS clicked FROM classified
              WHERE label = 'human' AND timing IS NULL AND communication_id IS NOT NULL
                AND (NOT email_opened OR (kind = 'click' AND NOT email_clicked))
              GROUP BY communication_id) h
        WHERE c.id = h.communication_id AND (NOT c.email_opened OR (h.clicked AND NOT c.email_clicked))
        RETURNING c.id
      ),
%s
      SELECT k.n, coalesce(split_part(k.timing, ':', 1), k.label) AS label FROM classified k""";

  private static final String BURST = """
            WHEN r.kind = 'click' AND r.label <> 'scanner' AND r.communication_id IS NOT NULL AND (
              SELECT count(DISTINCT u.url) FROM (
                SELECT e.url FROM email_events e
                WHERE e.communication_id = r.communication_id AND e.kind = 'click'
                  AND e.occurred_at > r.at - make_interval(secs => {BURST_SECONDS}::int) AND e.occurred_at <= r.at
                UNION ALL
                SELECT b.url FROM r b
                WHERE b.communication_id = r.communication_id AND b.kind = 'click'
                  AND b.at > r.at - make_interval(secs => {BURST_SECONDS}::int) AND b.at <= r.at) u) >= {BURST_LINKS}::int
              THEN 'scanner:' || {BURST_LINKS}::int || ' distinct links of one message clicked within ' || {BURST_SECONDS}::int || ' s'
      """;

  private static final String APPLY_SQL = APPLY.formatted(EventSql.LAST_RESPONSE);

  /** What a live batch answers: the final labels and how many of each (unknown tokens are not there). */
  private static final String LABEL_COUNTS = """
      SELECT label, count(*)::int AS n FROM (SELECT coalesce(split_part(k.timing, ':', 1), k.label) AS label
                                             FROM classified k) c GROUP BY label""";
  private static final String PER_ROW_LABELS =
      "SELECT k.n, coalesce(split_part(k.timing, ':', 1), k.label) AS label FROM classified k";

  /** What a live batch adds to the dashboard's counts: every written row, with its final label. */
  private static final String LIVE_ROWS =
      "SELECT debtor_id, at, kind, " + EventSql.FINAL_LABEL + " AS label FROM classified";

  /*
   * live: a batch from the journal, answering its label counts and adding to the dashboard's counts itself; an
   * import answers per-row labels and leaves its hours to the rollup job.
   */
  private static String email(String input, String join, boolean clicks, int window, boolean live) {
    String sql = EMAIL.formatted(join, clicks ? BURST : "", APPLY_SQL, input,
            live ? LiveCounts.email(LIVE_ROWS) : EventSql.dirtyHours("email"))
        .replace("{WINDOW}", "$" + window).replace("{BURST_SECONDS}", "$" + (window + 1))
        .replace("{BURST_LINKS}", "$" + (window + 2));
    return live ? sql.replace(PER_ROW_LABELS, LABEL_COUNTS) : sql;
  }

  /** A live batch's opens and clicks, from the journal, without and with the burst rule. */
  static final String JOURNAL_OPENS = email(JOURNAL_EMAIL, EventSql.BY_TOKEN, false, EventSql.JOURNAL_EMAIL_NEXT, true);
  static final String JOURNAL_EMAIL_EVENTS = email(JOURNAL_EMAIL, EventSql.BY_TOKEN, true, EventSql.JOURNAL_EMAIL_NEXT, true);
  static final String OPENS_BY_ID = email(UNNEST_EMAIL, EventSql.BY_ID, false, 11, false);
  static final String EMAIL_BY_ID = email(UNNEST_EMAIL, EventSql.BY_ID, true, 11, false);

  /** The import's statement for a batch: without the burst rule when it holds no click. */
  static String emailSql(List<EmailEvent> rows) {
    return rows.stream().anyMatch(e -> e.kind() == Classifier.Kind.CLICK) ? EMAIL_BY_ID : OPENS_BY_ID;
  }

  /** The import's arrays (see {@link #emailSql}). */
  static Tuple emailTuple(List<EmailEvent> rows, Duration sendWindow) {
    Tuple t = Columns.of(rows)
        .add(UUID.class, EmailEvent::debtorId)
        .add(UUID.class, EmailEvent::communicationId)
        .add(String.class, e -> e.kind().db())
        .add(OffsetDateTime.class, EmailEvent::at)
        .add(String.class, EmailEvent::userAgent)
        .add(String.class, EmailEvent::ip)
        .add(String.class, e -> e.verdict().label().db())
        .add(String.class, e -> e.verdict().reason())
        .add(String.class, EmailEvent::url)
        .value(EventSql.eventIds(rows.size()))
        .value(sendWindow.toMillis() / 1000.0)
        .tuple();
    if (rows.stream().anyMatch(e -> e.kind() == Classifier.Kind.CLICK)) {
      t.addInteger(Classifier.BURST_SECONDS).addInteger(Classifier.BURST_LINKS);
    }
    return t;
  }
}
