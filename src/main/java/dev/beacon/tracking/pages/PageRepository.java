package dev.beacon.tracking.pages;

import dev.beacon.tracking.Origin;
import dev.beacon.tracking.TrackingRoutes;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.templates.RowMapper;
import io.vertx.sqlclient.templates.SqlTemplate;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** The debtor pages' SQL: who a token belongs to, page views recorded server-side, and opt-outs. */
final class PageRepository {
  /** What a page may show about a debtor: the first name and the balance, nothing else. */
  record PageDebtor(UUID id, String firstName, BigDecimal balance) {}

  static final RowMapper<PageDebtor> DEBTOR = (Row r) -> new PageDebtor(r.getUUID("id"), r.getString("first_name"),
      r.getBigDecimal("balance"));

  static final String FIND = """
      SELECT id, first_name, greatest(total_owed - amount_paid, 0) AS balance
      FROM debtors WHERE unique_token = #{token}""";

  /**
   * Resolves the token and journals the view in one statement, so the page is served only once it is stored;
   * the enricher classifies it and moves it into page_views (its address as tracking.ipStorage keeps it).
   */
  static final String VIEW = """
      WITH d AS (
        SELECT id, first_name, greatest(total_owed - amount_paid, 0) AS balance
        FROM debtors WHERE unique_token = #{token}
      ), v AS (
        INSERT INTO tracking_journal (kind, token, at, page_view_id, user_agent, ip, signals, page_type)
        SELECT #{kind}, #{token}, now(), #{viewId}, #{userAgent}, #{ip}, #{signals}, #{pageType} FROM d
        RETURNING id
      )
      SELECT d.id, d.first_name, d.balance FROM d, v""";

  /**
   * Records an opt-out unless the debtor already opted out of that channel (a one-click target may be posted
   * several times). The communication id is kept only when that message went to this debtor.
   */
  static final String OPT_OUT = """
      WITH d AS (
        SELECT id FROM debtors WHERE unique_token = #{token}
      ), ins AS (
        INSERT INTO debtor_opt_outs (debtor_id, channel, source, communication_id)
        SELECT d.id, #{channel}, #{source},
               (SELECT c.id FROM communications c WHERE c.id = #{communicationId} AND c.debtor_id = d.id)
        FROM d
        WHERE NOT EXISTS (SELECT 1 FROM debtor_opt_outs o WHERE o.debtor_id = d.id AND o.channel = #{channel})
        RETURNING id
      )
      SELECT d.id, (SELECT count(*) FROM ins) AS inserted FROM d""";

  private final SqlTemplate<Map<String, Object>, RowSet<PageDebtor>> find;
  private final SqlTemplate<Map<String, Object>, RowSet<PageDebtor>> view;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> optOut;

  PageRepository(Pool pool) {
    this.find = SqlTemplate.forQuery(pool, FIND).mapTo(DEBTOR);
    this.view = SqlTemplate.forQuery(pool, VIEW).mapTo(DEBTOR);
    this.optOut = SqlTemplate.forQuery(pool, OPT_OUT);
  }

  /** The debtor with this token, if any; writes nothing. */
  Future<Optional<PageDebtor>> find(String token) {
    return find.execute(Map.of("token", token)).map(PageRepository::first);
  }

  /** Records a page view with the given id and answers the debtor; empty (nothing stored) for an unknown token. */
  Future<Optional<PageDebtor>> view(String token, UUID viewId, String pageType, String userAgent, Origin.Seen seen) {
    Map<String, Object> p = new HashMap<>();
    p.put("token", token);
    p.put("viewId", viewId);
    p.put("pageType", pageType);
    p.put("userAgent", userAgent);
    p.put("ip", seen.ip());
    p.put("signals", (short) seen.signals());
    p.put("kind", TrackingRoutes.JOURNAL_VIEW);
    return view.execute(p).map(PageRepository::first);
  }

  /** Records an opt-out; false when no debtor has this token. Committed when the future succeeds. */
  Future<Boolean> optOut(String token, String channel, String source, UUID communicationId) {
    Map<String, Object> p = new HashMap<>();
    p.put("token", token);
    p.put("channel", channel);
    p.put("source", source);
    p.put("communicationId", communicationId);
    return optOut.execute(p).map(rows -> rows.size() > 0);
  }

  private static <T> Optional<T> first(RowSet<T> rows) {
    var it = rows.iterator();
    return it.hasNext() ? Optional.of(it.next()) : Optional.empty();
  }
}
