package dev.beacon.tracking;

import dev.beacon.db.Uuids;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * The event tables' set-based SQL: one statement per table per batch. Live events are read from the tracking
 * journal inside the statement (the {@link Enricher} passes only the batch's journal ids, the event ids and the
 * verdicts of the batch's distinct request shapes) and resolve the debtor's token by joining {@code debtors}
 * (an unknown token simply matches nothing); imported events come in as arrays through {@code unnest} and carry
 * the debtor id. Human events also set the communication's flags (a click implies an open) and the debtor's
 * last_response_date in the same statement.
 */
final class EventSql {
  private EventSql() {}

  /** An imported open or click; {@code debtor} is the debtor's id. */
  record EmailEvent(String debtor, UUID communicationId, Classifier.Kind kind, OffsetDateTime at, String userAgent,
                    String ip, Classifier.Verdict verdict, String url) {}

  /** An imported page view; {@code debtor} is the debtor's id. */
  record NewView(UUID id, String debtor, String pageType, String userAgent, String ip, Integer timeOnPage,
                 String actionsJson, OffsetDateTime at, Classifier.Verdict verdict) {}

  /*
   * last_response_date is kept to the minute: a debtor row is rewritten at most once a minute however many
   * events arrive, so hot debtors do not serialize the writers of every verticle instance on one row lock.
   */
  static final Duration RESPONSE_STEP = Duration.ofMinutes(1);
  private static final String RESPONSE_GRANULARITY = "interval '" + RESPONSE_STEP.toSeconds() + " seconds'";
  private static final String BY_TOKEN = "d.unique_token = i.debtor";
  private static final String BY_ID = "d.id = i.debtor::uuid";

  /*
   * How a live batch reads the journal: $1 the journal ids in order (with, for opens and clicks, $2 the event ids
   * made for them), then the verdicts of the batch's request shapes (kind, signals, user agent or '') as arrays:
   * few distinct shapes per batch, so the rows themselves never leave PostgreSQL. Each id is looked up by the
   * primary key (the OFFSET 0 keeps the planner from turning the lookup into a join over the whole journal:
   * with a backlog, and the journal's statistics those of a nearly empty table, it chose a scan of every
   * row per batch, so each batch cost more the further it fell behind).
   */
  private static String journal(String columns, boolean eventIds, String kinds) {
    int v = eventIds ? 3 : 2;
    return """
            SELECT %1$s
            FROM unnest($1::bigint[]%2$s) WITH ORDINALITY AS x(journal_id%3$s, n)
            CROSS JOIN LATERAL (SELECT * FROM tracking_journal j WHERE j.id = x.journal_id OFFSET 0) j
            JOIN unnest($%4$d::smallint[], $%5$d::smallint[], $%6$d::text[], $%7$d::text[], $%8$d::text[])
              AS v(kind, signals, user_agent, label, reason)
              ON v.kind = j.kind AND v.signals = j.signals AND v.user_agent = coalesce(j.user_agent, '')
            WHERE j.kind IN (%9$s)""".formatted(columns, eventIds ? ", $2::uuid[]" : "", eventIds ? ", event_id" : "",
        v, v + 1, v + 2, v + 3, v + 4, kinds);
  }

  /** The first parameter after a live batch's journal ids, event ids and verdicts. */
  static final int JOURNAL_EMAIL_NEXT = 8;
  static final int JOURNAL_VIEW_NEXT = 7;

  private static final String UNNEST_EMAIL = """
              SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::timestamptz[], $5::text[], $6::text[],
                                   $7::text[], $8::text[], $9::text[], $10::uuid[])
                WITH ORDINALITY AS i(debtor, communication_id, kind, at, user_agent, ip, label, reason, url, id, n)""";
  private static final String JOURNAL_EMAIL = journal("""
      j.token AS debtor, j.communication_id, CASE j.kind WHEN %d THEN 'click' ELSE 'open' END AS kind, j.at,
                   j.user_agent, j.ip, v.label, v.reason, j.url, x.event_id AS id, x.n""".formatted(Journal.Kind.CLICK.code),
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
               i.user_agent, i.ip, i.label, i.reason, i.url
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
        RETURNING debtor_id, communication_id, kind, occurred_at, label
      ),
      dirty AS (
        INSERT INTO rollup_dirty (hour, source) SELECT DISTINCT date_trunc('hour', occurred_at, 'UTC'), 'email' FROM ins
      )%3$s""";

  /*
   * What every email batch adds: the communications' flags, the debtors' last_response_date, and per written
   * row its place in the batch and its final label.
   */
  private static final String APPLY = """
      ,
      human AS (
        SELECT * FROM ins WHERE label = 'human'
      ),
      comm AS (
        UPDATE communications c SET email_opened = true, email_clicked = c.email_clicked OR h.clicked
        FROM (SELECT communication_id, bool_or(kind = 'click') AS clicked FROM human
              WHERE communication_id IS NOT NULL GROUP BY communication_id) h
        WHERE c.id = h.communication_id AND (NOT c.email_opened OR (h.clicked AND NOT c.email_clicked))
        RETURNING c.id
      ),
      debtor AS (
        UPDATE debtors d SET last_response_date = h.at
        FROM (SELECT debtor_id, max(occurred_at) AS at FROM human GROUP BY debtor_id) h
        WHERE d.id = h.debtor_id AND (d.last_response_date IS NULL OR d.last_response_date < h.at - %s)
        RETURNING d.id
      )
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

  private static final String APPLY_SQL = APPLY.formatted(RESPONSE_GRANULARITY);

  /** What a live batch answers: the final labels and how many of each (unknown tokens are not there). */
  private static final String LABEL_COUNTS = """
      SELECT label, count(*)::int AS n FROM (SELECT coalesce(split_part(k.timing, ':', 1), k.label) AS label
                                             FROM classified k) c GROUP BY label""";
  private static final String PER_ROW_LABELS =
      "SELECT k.n, coalesce(split_part(k.timing, ':', 1), k.label) AS label FROM classified k";

  private static String email(String input, String join, boolean clicks, int window, boolean counts) {
    String sql = EMAIL.formatted(join, clicks ? BURST : "", APPLY_SQL, input)
        .replace("{WINDOW}", "$" + window).replace("{BURST_SECONDS}", "$" + (window + 1))
        .replace("{BURST_LINKS}", "$" + (window + 2));
    return counts ? sql.replace(PER_ROW_LABELS, LABEL_COUNTS) : sql;
  }

  /** A live batch's opens and clicks, from the journal, without and with the burst rule. */
  static final String JOURNAL_OPENS = email(JOURNAL_EMAIL, BY_TOKEN, false, JOURNAL_EMAIL_NEXT, true);
  static final String JOURNAL_EMAIL_EVENTS = email(JOURNAL_EMAIL, BY_TOKEN, true, JOURNAL_EMAIL_NEXT, true);
  static final String OPENS_BY_ID = email(UNNEST_EMAIL, BY_ID, false, 11, false);
  static final String EMAIL_BY_ID = email(UNNEST_EMAIL, BY_ID, true, 11, false);

  /** The import's statement for a batch: without the burst rule when it holds no click. */
  static String emailSql(List<EmailEvent> rows) {
    return rows.stream().anyMatch(e -> e.kind() == Classifier.Kind.CLICK) ? EMAIL_BY_ID : OPENS_BY_ID;
  }

  /** The columns every email statement sends, an array each, in the batch's order. */
  private record EmailColumns(UUID[] comm, OffsetDateTime[] at, String[] ua, String[] ip, String[] label,
                              String[] reason) {
    static EmailColumns of(List<EmailEvent> rows) {
      int n = rows.size();
      EmailColumns c = new EmailColumns(new UUID[n], new OffsetDateTime[n], new String[n], new String[n],
          new String[n], new String[n]);
      for (int k = 0; k < n; k++) {
        EmailEvent e = rows.get(k);
        c.comm[k] = e.communicationId();
        c.at[k] = e.at();
        c.ua[k] = e.userAgent();
        c.ip[k] = e.ip();
        c.label[k] = e.verdict().label().db();
        c.reason[k] = e.verdict().reason();
      }
      return c;
    }
  }

  /*
   * New page views, classified like opens and clicks: the request's own verdict ($9, $10), then the timing rule:
   * a human-looking view within SCANNER_FOLLOW_SECONDS ($11) after a scanner's click of the same debtor is the
   * scanner following the link it checked. Only human views move last_response_date.
   */
  private static final String NEW_VIEW = """
      WITH i AS (
%4$s
      ),
      r AS (
        SELECT i.*, d.id AS debtor_id FROM i JOIN debtors d ON %s
      ),
      classified AS MATERIALIZED (
        SELECT r.*, CASE WHEN r.label = 'human' AND EXISTS (
                      SELECT 1 FROM email_events e
                      WHERE e.debtor_id = r.debtor_id AND e.kind = 'click' AND e.label = 'scanner'
                        AND e.occurred_at >= r.at - make_interval(secs => {FOLLOW}::int) AND e.occurred_at <= r.at)
                    THEN 'scanner:%s' END AS timing
        FROM r
      ),
      ins AS (
        INSERT INTO page_views (id, debtor_id, page_type, user_agent, ip_address, time_on_page, actions_taken,
                                "timestamp", label, reason)
        SELECT id, debtor_id, page_type, user_agent, ip::inet, time_on_page, coalesce(actions::jsonb, '[]'), at,
               coalesce(split_part(timing, ':', 1), label),
               left(coalesce(substr(timing, strpos(timing, ':') + 1), reason), 200)
        FROM classified
        RETURNING debtor_id, "timestamp", label
      ),
      dirty AS (
        INSERT INTO rollup_dirty (hour, source) SELECT DISTINCT date_trunc('hour', "timestamp", 'UTC'), 'page' FROM ins
      ),
      debtor AS (
        UPDATE debtors d SET last_response_date = h.at
        FROM (SELECT debtor_id, max("timestamp") AS at FROM ins WHERE label = 'human' GROUP BY debtor_id) h
        WHERE d.id = h.debtor_id AND (d.last_response_date IS NULL OR d.last_response_date < h.at - %s)
        RETURNING d.id
      )
      SELECT k.n FROM classified k""";

  /** The reason a view gets from the scanner-follow rule. */
  static final String FOLLOWED_SCANNER = "within " + Classifier.SCANNER_FOLLOW_SECONDS + " s of a scanner's click";
  /** The reason of a view first taken for a scanner following its click, once a beacon of its page came. */
  static final String BEACON_FOLLOWED = "a page beacon followed (a browser ran the page)";

  private static final String UNNEST_VIEW = """
              SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[],
                                   $8::timestamptz[], $9::text[], $10::text[])
                WITH ORDINALITY AS i(id, debtor, page_type, user_agent, ip, time_on_page, actions, at, label, reason, n)""";
  private static final String JOURNAL_VIEW = journal("""
      j.page_view_id AS id, j.token AS debtor, j.page_type, j.user_agent, j.ip, j.time_on_page, j.actions, j.at,
                   v.label, v.reason, x.n""", false, String.valueOf(Journal.Kind.VIEW.code));

  private static String newView(String input, String join, int follow, boolean count) {
    String sql = NEW_VIEW.formatted(join, FOLLOWED_SCANNER.replace("'", "''"), RESPONSE_GRANULARITY, input)
        .replace("{FOLLOW}", "$" + follow);
    return count ? sql.replace("SELECT k.n FROM classified k", "SELECT count(*)::int AS n FROM classified k") : sql;
  }

  /** A live batch's new page views, from the journal; answers how many were written. */
  static final String JOURNAL_NEW_VIEWS = newView(JOURNAL_VIEW, BY_TOKEN, JOURNAL_VIEW_NEXT, true);
  static final String NEW_VIEW_BY_ID = newView(UNNEST_VIEW, BY_ID, 11, false);

  /*
   * Several beacons for one view in a batch are folded: the longest time, every action in arrival order. A view
   * the scanner-follow rule labelled becomes human when its page's script reports: scanners that follow a
   * link fetch the page and leave, a person's browser runs it. Its hour is then dirty for the rollups.
   */
  static final String JOURNAL_VIEW_UPDATES = """
      WITH i AS (
        SELECT j.page_view_id, j.token, j.time_on_page, j.actions, x.n
        FROM unnest($1::bigint[]) WITH ORDINALITY AS x(journal_id, n)
        CROSS JOIN LATERAL (SELECT * FROM tracking_journal j WHERE j.id = x.journal_id OFFSET 0) j
        WHERE j.kind = %d
      ),
      agg AS (
        SELECT i.page_view_id, d.id AS debtor_id, max(i.time_on_page) AS time_on_page,
               coalesce(jsonb_agg(a.elem ORDER BY i.n, a.k) FILTER (WHERE a.elem IS NOT NULL), '[]'::jsonb) AS actions
        FROM i JOIN debtors d ON d.unique_token = i.token
        LEFT JOIN LATERAL jsonb_array_elements(coalesce(i.actions::jsonb, '[]'::jsonb)) WITH ORDINALITY AS a(elem, k)
          ON true
        GROUP BY i.page_view_id, d.id
      ),
      upd AS (
        UPDATE page_views p
        SET time_on_page = CASE WHEN agg.time_on_page IS NULL THEN p.time_on_page
                                ELSE greatest(coalesce(p.time_on_page, 0), agg.time_on_page) END,
            actions_taken = p.actions_taken || agg.actions,
            label = CASE WHEN p.reason = $2 THEN 'human' ELSE p.label END,
            reason = CASE WHEN p.reason = $2 THEN $3 ELSE p.reason END
        FROM agg WHERE p.id = agg.page_view_id AND p.debtor_id = agg.debtor_id
        RETURNING p."timestamp", p.reason = $3 AS relabelled
      )
      INSERT INTO rollup_dirty (hour, source)
      SELECT DISTINCT date_trunc('hour', "timestamp", 'UTC'), 'page' FROM upd WHERE relabelled""".formatted(
      Journal.Kind.UPDATE.code);

  /** The import's arrays (see {@link #emailSql}). */
  static Tuple emailTuple(List<EmailEvent> rows, Duration sendWindow) {
    EmailColumns c = EmailColumns.of(rows);
    Tuple t = Tuple.tuple().addArrayOfString(rows.stream().map(EmailEvent::debtor).toArray(String[]::new))
        .addArrayOfUUID(c.comm()).addArrayOfString(rows.stream().map(e -> e.kind().db()).toArray(String[]::new))
        .addArrayOfOffsetDateTime(c.at()).addArrayOfString(c.ua()).addArrayOfString(c.ip())
        .addArrayOfString(c.label()).addArrayOfString(c.reason())
        .addArrayOfString(rows.stream().map(EmailEvent::url).toArray(String[]::new)).addArrayOfUUID(eventIds(rows.size()))
        .addDouble(sendWindow.toMillis() / 1000.0);
    if (rows.stream().anyMatch(e -> e.kind() == Classifier.Kind.CLICK)) {
      t.addInteger(Classifier.BURST_SECONDS).addInteger(Classifier.BURST_LINKS);
    }
    return t;
  }

  /*
   * Event ids are made here rather than by the column default: beacon_uuid_v7() is a SQL function evaluated
   * row by row, which measured about 14 µs of PostgreSQL CPU per row, as much as the rest of a settled open.
   */
  static UUID[] eventIds(int n) {
    UUID[] ids = new UUID[n];
    for (int k = 0; k < n; k++) {
      ids[k] = Uuids.v7();
    }
    return ids;
  }

  static Tuple newViewTuple(List<NewView> rows) {
    int n = rows.size();
    String[] debtors = new String[n];
    String[] label = new String[n];
    String[] reason = new String[n];
    UUID[] id = new UUID[n];
    String[] type = new String[n];
    String[] ua = new String[n];
    String[] ip = new String[n];
    Integer[] time = new Integer[n];
    String[] actions = new String[n];
    OffsetDateTime[] at = new OffsetDateTime[n];
    for (int k = 0; k < n; k++) {
      NewView v = rows.get(k);
      id[k] = v.id();
      type[k] = v.pageType();
      ua[k] = v.userAgent();
      ip[k] = v.ip();
      time[k] = v.timeOnPage();
      actions[k] = v.actionsJson();
      at[k] = v.at();
      debtors[k] = v.debtor();
      label[k] = v.verdict().label().db();
      reason[k] = v.verdict().reason();
    }
    return Tuple.tuple().addArrayOfUUID(id).addArrayOfString(debtors).addArrayOfString(type).addArrayOfString(ua)
        .addArrayOfString(ip).addArrayOfInteger(time).addArrayOfString(actions).addArrayOfOffsetDateTime(at)
        .addArrayOfString(label).addArrayOfString(reason).addInteger(Classifier.SCANNER_FOLLOW_SECONDS);
  }
}
