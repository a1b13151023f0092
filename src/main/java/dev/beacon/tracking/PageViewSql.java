package dev.beacon.tracking;

import dev.beacon.dashboard.LiveCounts;
import dev.beacon.db.Columns;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * New page views into {@code page_views} (a live batch from the journal, {@link #JOURNAL_NEW_VIEWS}, or an import's
 * arrays) and beacons onto existing views ({@link #JOURNAL_VIEW_UPDATES}), classified like opens and clicks.
 */
final class PageViewSql {
  private PageViewSql() {}

  /** An imported page view. */
  record NewView(UUID id, UUID debtorId, String pageType, String userAgent, String ip, Integer timeOnPage,
                 String actionsJson, OffsetDateTime at, Classifier.Verdict verdict) {}

  /*
   * New page views, classified like opens and clicks: the request's own verdict ($9, $10), then the timing rule:
   * a human-looking view within SCANNER_FOLLOW_SECONDS ($11) after a scanner's click of the same debtor is the
   * scanner following the link it checked. Only human views move last_response_date (EventSql.LAST_RESPONSE).
   */
  private static final String NEW_VIEW = """
      WITH i AS (
%4$s
      ),
      r AS (
        SELECT i.*, d.id AS debtor_id, d.last_response_date AS responded_at FROM i JOIN debtors d ON %s
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
      ),
%5$s,
%3$s
      SELECT k.n FROM classified k""";

  /** The reason a view gets from the scanner-follow rule. */
  static final String FOLLOWED_SCANNER = "within " + Classifier.SCANNER_FOLLOW_SECONDS + " s of a scanner's click";
  /** The reason of a view first taken for a scanner following its click, once a beacon of its page came. */
  static final String BEACON_FOLLOWED = "a page beacon followed (a browser ran the page)";

  private static final String UNNEST_VIEW = """
              SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[],
                                   $8::timestamptz[], $9::text[], $10::text[])
                WITH ORDINALITY AS i(id, debtor, page_type, user_agent, ip, time_on_page, actions, at, label, reason, n)""";
  private static final String JOURNAL_VIEW = EventSql.journal("""
      j.page_view_id AS id, j.token AS debtor, j.page_type, j.user_agent, j.ip, j.time_on_page, j.actions, j.at,
                   v.label, v.reason, x.n""", false, String.valueOf(Journal.Kind.VIEW.code));

  /** What a live batch adds to the dashboard's counts: the people's views, by page type. */
  private static final String LIVE_ROWS = "SELECT debtor_id, at, 'page_view' AS kind, page_type AS label "
      + "FROM classified WHERE " + EventSql.FINAL_LABEL + " = 'human'";

  /* live (count): a batch from the journal adds to the dashboard's counts; an import leaves its hours dirty. */
  private static String newView(String input, String join, int follow, boolean count) {
    String sql = NEW_VIEW.formatted(join, FOLLOWED_SCANNER.replace("'", "''"), EventSql.LAST_RESPONSE, input,
        count ? LiveCounts.page(LIVE_ROWS) : EventSql.dirtyHours("page"))
        .replace("{FOLLOW}", "$" + follow);
    return count ? sql.replace("SELECT k.n FROM classified k", "SELECT count(*)::int AS n FROM classified k") : sql;
  }

  /** A live batch's new page views, from the journal; answers how many were written. */
  static final String JOURNAL_NEW_VIEWS = newView(JOURNAL_VIEW, EventSql.BY_TOKEN, EventSql.JOURNAL_VIEW_NEXT, true);
  static final String NEW_VIEW_BY_ID = newView(UNNEST_VIEW, EventSql.BY_ID, 11, false);

  /*
   * Several beacons for one view in a batch are folded: the longest time, every action in arrival order. A view
   * the scanner-follow rule labelled becomes human when its page's script reports: scanners that follow a
   * link fetch the page and leave, a person's browser runs it. Its hour is then dirty for the rollups.
   */
  static final String JOURNAL_VIEW_UPDATES = """
      WITH i AS (
        SELECT j.page_view_id, j.token, j.time_on_page, j.actions, x.n
        FROM unnest($1::text[]) WITH ORDINALITY AS x(tid, n)
        CROSS JOIN LATERAL (SELECT * FROM tracking_journal j WHERE j.ctid = x.tid::tid OFFSET 0) j
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

  static Tuple newViewTuple(List<NewView> rows) {
    return Columns.of(rows)
        .add(UUID.class, NewView::id)
        .add(UUID.class, NewView::debtorId)
        .add(String.class, NewView::pageType)
        .add(String.class, NewView::userAgent)
        .add(String.class, NewView::ip)
        .add(Integer.class, NewView::timeOnPage)
        .add(String.class, NewView::actionsJson)
        .add(OffsetDateTime.class, NewView::at)
        .add(String.class, v -> v.verdict().label().db())
        .add(String.class, v -> v.verdict().reason())
        .value(Classifier.SCANNER_FOLLOW_SECONDS)
        .tuple();
  }
}
