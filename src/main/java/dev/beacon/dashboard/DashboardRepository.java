package dev.beacon.dashboard;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import io.vertx.sqlclient.templates.RowMapper;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/** The dashboard's reads: rollup tables only, plus the top of the score index. Always on the read pool. */
final class DashboardRepository {
  /** Every query this package sends, counted (tests and the benchmark show the 304 path sends none). */
  static final AtomicLong QUERIES = new AtomicLong();

  record Count(String kind, String label, long events, BigDecimal amount) {}

  record Portfolio(String status, int bucket, long debtors, long scoreSum, BigDecimal totalOwed, BigDecimal amountPaid) {}

  record Stage(String stage, long debtors) {}

  record Point(OffsetDateTime bucket, String kind, String label, long events, BigDecimal amount) {}

  record TopDebtor(UUID id, String firstName, String lastName, String status, int score, BigDecimal totalOwed,
                   BigDecimal amountPaid, OffsetDateTime lastResponseAt, OffsetDateTime lastContactAt) {}

  static final String COUNTS = """
      SELECT kind, label, sum(events)::bigint AS events, sum(amount) AS amount FROM rollup_hourly
      WHERE hour >= $1 AND hour < $2 GROUP BY kind, label""";

  static final String PORTFOLIO = """
      SELECT status, bucket, debtors, score_sum, total_owed, amount_paid FROM rollup_debtors""";

  static final String FUNNEL = """
      SELECT stage, sum(debtors)::bigint AS debtors FROM funnel_hourly
      WHERE hour >= $1 AND hour < $2 GROUP BY stage""";

  static final String ACTIVITY = """
      SELECT date_trunc($3, hour, 'UTC') AS bucket, kind, label, sum(events)::bigint AS events, sum(amount) AS amount
      FROM rollup_hourly WHERE hour >= $1 AND hour < $2 GROUP BY 1, 2, 3 ORDER BY 1""";

  static final String TOP = """
      SELECT id, first_name, last_name, status, payment_propensity_score, total_owed, amount_paid,
             last_response_date, last_contact_date
      FROM debtors WHERE status NOT IN ('resolved', 'closed')
      ORDER BY payment_propensity_score DESC, id DESC LIMIT $1""";

  static final RowMapper<Count> COUNT = r -> new Count(r.getString("kind"), r.getString("label"),
      r.getLong("events"), r.getBigDecimal("amount"));
  static final RowMapper<Portfolio> PORTFOLIO_ROW = r -> new Portfolio(r.getString("status"),
      r.getInteger("bucket"), r.getLong("debtors"), r.getLong("score_sum"), r.getBigDecimal("total_owed"),
      r.getBigDecimal("amount_paid"));
  static final RowMapper<Stage> STAGE = r -> new Stage(r.getString("stage"), r.getLong("debtors"));
  static final RowMapper<Point> POINT = r -> new Point(r.getOffsetDateTime("bucket"), r.getString("kind"),
      r.getString("label"), r.getLong("events"), r.getBigDecimal("amount"));
  static final RowMapper<TopDebtor> TOP_ROW = r -> new TopDebtor(r.getUUID("id"), r.getString("first_name"),
      r.getString("last_name"), r.getString("status"), r.getInteger("payment_propensity_score"),
      r.getBigDecimal("total_owed"), r.getBigDecimal("amount_paid"), r.getOffsetDateTime("last_response_date"),
      r.getOffsetDateTime("last_contact_date"));

  private final Pool pool;

  DashboardRepository(Pool pool) {
    this.pool = pool;
  }

  Future<List<Count>> counts(Range range) {
    return list(COUNTS, Tuple.of(range.from(), range.to()), COUNT);
  }

  Future<List<Portfolio>> portfolio() {
    return list(PORTFOLIO, Tuple.tuple(), PORTFOLIO_ROW);
  }

  Future<List<Stage>> funnel(Range range) {
    return list(FUNNEL, Tuple.of(range.from(), range.to()), STAGE);
  }

  Future<List<Point>> activity(Range range, String bucket) {
    return list(ACTIVITY, Tuple.of(range.from(), range.to(), bucket), POINT);
  }

  Future<List<TopDebtor>> top(int limit) {
    return list(TOP, Tuple.of(limit), TOP_ROW);
  }

  private <T> Future<List<T>> list(String sql, Tuple params, RowMapper<T> mapper) {
    QUERIES.incrementAndGet();
    return pool.preparedQuery(sql).execute(params).map(rows -> map(rows, mapper));
  }

  private static <T> List<T> map(RowSet<Row> rows, RowMapper<T> mapper) {
    List<T> out = new ArrayList<>(rows.size());
    rows.forEach(r -> out.add(mapper.map(r)));
    return out;
  }
}
