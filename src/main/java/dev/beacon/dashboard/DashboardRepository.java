package dev.beacon.dashboard;

import dev.beacon.core.DebtorStatus;
import dev.beacon.db.SqlLiterals;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import io.vertx.sqlclient.templates.RowMapper;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The dashboard's reads: rollup tables only (whole days from the daily ones), plus the top of the score index.
 * One statement per endpoint. Always on the read pool.
 */
final class DashboardRepository {
  /** Every query this package sends, counted (tests and the benchmark show the 304 path sends none). */
  static final AtomicLong QUERIES = new AtomicLong();

  record Count(String kind, String label, long events, BigDecimal amount) {}

  record Portfolio(String status, int bucket, long debtors, long scoreSum, BigDecimal totalOwed, BigDecimal amountPaid) {}

  record Stage(String stage, long debtors) {}

  /** Events of one series in one hour or day (activity counts events; the collected amount is the summary's). */
  record Point(OffsetDateTime bucket, String kind, String label, long events) {}

  record TopDebtor(UUID id, String firstName, String lastName, String status, int score, BigDecimal totalOwed,
                   BigDecimal amountPaid, OffsetDateTime lastResponseAt, OffsetDateTime lastContactAt) {}

  record StatusTotals(String status, long debtors, BigDecimal totalOwed, BigDecimal amountPaid) {}

  /** The summary's three parts, read by one statement. */
  record Summary(List<Count> counts, List<StatusTotals> statuses, List<Stage> stages) {}

  /*
   * Range parameters of the statements below: $1 from, $2 to (whole hours), $3..$4 the whole UTC days inside
   * [from, to) (see days()). Whole days are read from the daily rollups, the hours before $3 and from $4 on
   * from the hourly ones: at most 2 x 23 hours per series besides the days. In columns, "{time}" stands for
   * the table's time column (day or hour).
   */
  private static String split(String columns, String daily, String hourly) {
    String d = columns.replace("{time}", "day");
    String h = columns.replace("{time}", "hour");
    return "SELECT " + d + " FROM " + daily + " WHERE day >= $3 AND day < $4"
        + " UNION ALL SELECT " + h + " FROM " + hourly + " WHERE hour >= $1 AND hour < $3"
        + " UNION ALL SELECT " + h + " FROM " + hourly + " WHERE hour >= $4 AND hour < $2";
  }

  /** Event counts, funnel stages and the portfolio by status in one round trip (part: event, stage, status). */
  static final String SUMMARY = """
      WITH e AS (%s), f AS (%s)
      SELECT 'event' AS part, kind AS name, label, sum(events)::bigint AS n, sum(amount) AS owed,
             NULL::numeric AS paid
      FROM e GROUP BY kind, label
      UNION ALL
      SELECT 'stage', stage, NULL, sum(debtors)::bigint, NULL, NULL FROM f GROUP BY stage
      UNION ALL
      SELECT 'status', status, NULL, sum(debtors)::bigint, sum(total_owed), sum(amount_paid)
      FROM rollup_debtors GROUP BY status""".formatted(
      split("kind, label, events, amount", "rollup_daily", "rollup_hourly"),
      split("stage, debtors", "funnel_daily", "funnel_hourly"));

  static final String PORTFOLIO = """
      SELECT status, bucket, debtors, score_sum, total_owed, amount_paid FROM rollup_debtors""";

  static final String FUNNEL = "SELECT stage, sum(debtors)::bigint AS debtors FROM ("
      + split("stage, debtors", "funnel_daily", "funnel_hourly") + ") f GROUP BY stage";

  /** Per day: the whole days' rows and the partial days' hours; DashboardViews adds each hour to its day. */
  static final String ACTIVITY_DAY = split("{time} AS bucket, kind, label, events", "rollup_daily", "rollup_hourly");

  static final String ACTIVITY_HOUR = """
      SELECT hour AS bucket, kind, label, events FROM rollup_hourly WHERE hour >= $1 AND hour < $2""";

  static final String TOP = """
      SELECT id, first_name, last_name, status, payment_propensity_score, total_owed, amount_paid,
             last_response_date, last_contact_date
      FROM debtors WHERE status NOT IN (%s)
      ORDER BY payment_propensity_score DESC, id DESC LIMIT $1""".formatted(
      SqlLiterals.list(List.of(DebtorStatus.RESOLVED, DebtorStatus.CLOSED)));

  static final RowMapper<Portfolio> PORTFOLIO_ROW = r -> new Portfolio(r.getString("status"),
      r.getInteger("bucket"), r.getLong("debtors"), r.getLong("score_sum"), r.getBigDecimal("total_owed"),
      r.getBigDecimal("amount_paid"));
  static final RowMapper<Stage> STAGE = r -> new Stage(r.getString("stage"), r.getLong("debtors"));
  static final RowMapper<Point> POINT = r -> new Point(r.getOffsetDateTime("bucket"), r.getString("kind"),
      r.getString("label"), r.getLong("events"));
  static final RowMapper<TopDebtor> TOP_ROW = r -> new TopDebtor(r.getUUID("id"), r.getString("first_name"),
      r.getString("last_name"), r.getString("status"), r.getInteger("payment_propensity_score"),
      r.getBigDecimal("total_owed"), r.getBigDecimal("amount_paid"), r.getOffsetDateTime("last_response_date"),
      r.getOffsetDateTime("last_contact_date"));

  private final Pool pool;

  DashboardRepository(Pool pool) {
    this.pool = pool;
  }

  Future<Summary> summary(Range range) {
    QUERIES.incrementAndGet();
    return pool.preparedQuery(SUMMARY).execute(days(range)).map(rows -> {
      List<Count> counts = new ArrayList<>();
      List<StatusTotals> statuses = new ArrayList<>();
      List<Stage> stages = new ArrayList<>();
      for (Row r : rows) {
        String name = r.getString("name");
        long n = r.getLong("n");
        switch (r.getString("part")) {
          case "event" -> counts.add(new Count(name, r.getString("label"), n, r.getBigDecimal("owed")));
          case "stage" -> stages.add(new Stage(name, n));
          default -> statuses.add(new StatusTotals(name, n, r.getBigDecimal("owed"), r.getBigDecimal("paid")));
        }
      }
      return new Summary(counts, statuses, stages);
    });
  }

  Future<List<Portfolio>> portfolio() {
    return list(PORTFOLIO, Tuple.tuple(), PORTFOLIO_ROW);
  }

  Future<List<Stage>> funnel(Range range) {
    return list(FUNNEL, days(range), STAGE);
  }

  Future<List<Point>> activity(Range range, String bucket) {
    return bucket.equals("day") ? list(ACTIVITY_DAY, days(range), POINT)
        : list(ACTIVITY_HOUR, Tuple.of(range.from(), range.to()), POINT);
  }

  /**
   * The range and the whole UTC days inside it: from, to, first whole day, end of the last whole day. A range
   * within one day has no whole day (both day bounds are {@code to}, so the hourly parts cover it all).
   */
  static Tuple days(Range range) {
    OffsetDateTime from = range.from().withOffsetSameInstant(ZoneOffset.UTC);
    OffsetDateTime to = range.to().withOffsetSameInstant(ZoneOffset.UTC);
    OffsetDateTime floor = from.truncatedTo(ChronoUnit.DAYS);
    OffsetDateTime dayFrom = floor.isEqual(from) ? floor : floor.plusDays(1);
    OffsetDateTime dayTo = to.truncatedTo(ChronoUnit.DAYS);
    if (!dayFrom.isBefore(dayTo)) {
      dayFrom = to;
      dayTo = to;
    }
    return Tuple.of(from, to, dayFrom, dayTo);
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
