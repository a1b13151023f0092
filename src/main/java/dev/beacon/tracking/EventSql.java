package dev.beacon.tracking;

import dev.beacon.db.Uuids;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * The writer's set-based SQL: one statement per table per batch, arrays in through {@code unnest}. Live events
 * carry the debtor's token and resolve it by joining {@code debtors} inside the statement (an unknown token
 * simply matches nothing); imported events carry the debtor id. Human events also set the communication's
 * flags (a click implies an open) and the debtor's last_response_date in the same statement.
 */
final class EventSql {
  private EventSql() {}

  /** An open or a click waiting to be written. {@code debtor} is a token (live) or a debtor id (import). */
  record EmailEvent(String debtor, UUID communicationId, Classifier.Kind kind, OffsetDateTime at, String userAgent,
                    String ip, Classifier.Verdict verdict, String url) {}

  /** A new page view; the id is chosen here so Beacon's pages can print it for later beacons. */
  record NewView(UUID id, String debtor, String pageType, String userAgent, String ip, Integer timeOnPage,
                 String actionsJson, OffsetDateTime at, Classifier.Verdict verdict) {}

  /** A beacon for an existing view: only a view of the same token's debtor is changed. */
  record ViewUpdate(UUID pageViewId, String token, Integer timeOnPage, String actionsJson) {}

  /*
   * last_response_date is kept to the minute: a debtor row is rewritten at most once a minute however many
   * events arrive, so hot debtors do not serialize the writers of every verticle instance on one row lock.
   */
  static final Duration RESPONSE_STEP = Duration.ofMinutes(1);
  private static final String RESPONSE_GRANULARITY = "interval '" + RESPONSE_STEP.toSeconds() + " seconds'";
  private static final String BY_TOKEN = "d.unique_token = i.debtor";
  private static final String BY_ID = "d.id = i.debtor::uuid";

  /*
   * Timing rules: a human-looking hit within the send window ($11, seconds) of its communication is a machine
   * (a proxy or scanner fetching on delivery); a click that makes BURST_LINKS ($13) distinct links of one
   * message within BURST_SECONDS ($12) is a scanner. The burst rule reads email_events, whose partitions make
   * the statement costlier to plan, so batches without clicks (most of them: opens) use the variant without it.
   */
  private static final String EMAIL = """
      WITH i AS (
        SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::timestamptz[], $5::text[], $6::text[],
                             $7::text[], $8::text[], $9::text[], $10::uuid[])
          WITH ORDINALITY AS i(debtor, communication_id, kind, at, user_agent, ip, label, reason, url, id, n)
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
                 AND r.at < r.sent_at + make_interval(secs => $11::float8)
              THEN 'machine:within ' || $11::float8 || ' s of the send'
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
                  AND e.occurred_at > r.at - make_interval(secs => $12::int) AND e.occurred_at <= r.at
                UNION ALL
                SELECT b.url FROM r b
                WHERE b.communication_id = r.communication_id AND b.kind = 'click'
                  AND b.at > r.at - make_interval(secs => $12::int) AND b.at <= r.at) u) >= $13::int
              THEN 'scanner:' || $13::int || ' distinct links of one message clicked within ' || $12::int || ' s'
      """;

  private static final String APPLY_SQL = APPLY.formatted(RESPONSE_GRANULARITY);

  private static String email(String join, boolean clicks) {
    return EMAIL.formatted(join, clicks ? BURST : "", APPLY_SQL);
  }

  static final String OPENS_BY_TOKEN = email(BY_TOKEN, false);
  static final String EMAIL_BY_TOKEN = email(BY_TOKEN, true);
  static final String OPENS_BY_ID = email(BY_ID, false);
  static final String EMAIL_BY_ID = email(BY_ID, true);

  /** The statement for a batch: without the burst rule when it holds no click. */
  static String emailSql(List<EmailEvent> rows, boolean byToken) {
    boolean clicks = rows.stream().anyMatch(e -> e.kind() == Classifier.Kind.CLICK);
    if (!byToken) {
      return clicks ? EMAIL_BY_ID : OPENS_BY_ID;
    }
    return clicks ? EMAIL_BY_TOKEN : OPENS_BY_TOKEN;
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
        SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[],
                             $8::timestamptz[], $9::text[], $10::text[])
          WITH ORDINALITY AS i(id, debtor, page_type, user_agent, ip, time_on_page, actions, at, label, reason, n)
      ),
      r AS (
        SELECT i.*, d.id AS debtor_id FROM i JOIN debtors d ON %s
      ),
      classified AS MATERIALIZED (
        SELECT r.*, CASE WHEN r.label = 'human' AND EXISTS (
                      SELECT 1 FROM email_events e
                      WHERE e.debtor_id = r.debtor_id AND e.kind = 'click' AND e.label = 'scanner'
                        AND e.occurred_at >= r.at - make_interval(secs => $11::int) AND e.occurred_at <= r.at)
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

  private static String newView(String join) {
    return NEW_VIEW.formatted(join, FOLLOWED_SCANNER.replace("'", "''"), RESPONSE_GRANULARITY);
  }

  static final String NEW_VIEW_BY_TOKEN = newView(BY_TOKEN);
  static final String NEW_VIEW_BY_ID = newView(BY_ID);

  /*
   * Several beacons for one view in a batch are folded: the longest time, every action in arrival order. A view
   * the scanner-follow rule labelled becomes human when its page's script reports: scanners that follow a
   * link fetch the page and leave, a person's browser runs it. Its hour is then dirty for the rollups.
   */
  static final String UPDATE_VIEW = """
      WITH i AS (
        SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[])
          WITH ORDINALITY AS i(page_view_id, token, time_on_page, actions, n)
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
            label = CASE WHEN p.reason = $5 THEN 'human' ELSE p.label END,
            reason = CASE WHEN p.reason = $5 THEN $6 ELSE p.reason END
        FROM agg WHERE p.id = agg.page_view_id AND p.debtor_id = agg.debtor_id
        RETURNING p."timestamp", p.reason = $6 AS relabelled
      )
      INSERT INTO rollup_dirty (hour, source)
      SELECT DISTINCT date_trunc('hour', "timestamp", 'UTC'), 'page' FROM upd WHERE relabelled""";

  static Tuple emailTuple(List<EmailEvent> rows, Duration sendWindow) {
    EmailColumns c = EmailColumns.of(rows);
    Tuple t = Tuple.tuple().addArrayOfString(rows.stream().map(EmailEvent::debtor).toArray(String[]::new))
        .addArrayOfUUID(c.comm()).addArrayOfString(rows.stream().map(e -> e.kind().db()).toArray(String[]::new))
        .addArrayOfOffsetDateTime(c.at()).addArrayOfString(c.ua()).addArrayOfString(c.ip())
        .addArrayOfString(c.label()).addArrayOfString(c.reason())
        .addArrayOfString(rows.stream().map(EmailEvent::url).toArray(String[]::new)).addArrayOfUUID(ids(rows.size()))
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
  private static UUID[] ids(int n) {
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

  static Tuple updateTuple(List<ViewUpdate> rows) {
    int n = rows.size();
    UUID[] id = new UUID[n];
    String[] token = new String[n];
    Integer[] time = new Integer[n];
    String[] actions = new String[n];
    for (int k = 0; k < n; k++) {
      ViewUpdate u = rows.get(k);
      id[k] = u.pageViewId();
      token[k] = u.token();
      time[k] = u.timeOnPage();
      actions[k] = u.actionsJson();
    }
    return Tuple.tuple().addArrayOfUUID(id).addArrayOfString(token).addArrayOfInteger(time).addArrayOfString(actions)
        .addString(FOLLOWED_SCANNER).addString(BEACON_FOLLOWED);
  }
}
