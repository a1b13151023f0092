package dev.beacon.dashboard;

import dev.beacon.db.AdvisoryLock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import static dev.beacon.db.AdvisoryLock.Key.ENRICHER;
import static dev.beacon.db.AdvisoryLock.Key.ROLLUP_JOB;

/**
 * One rollup run in one transaction: drains the dirty hours, recomputes them per source from the raw rows (and
 * their days from those hours), moves the funnel's per-hour and per-day counts, optionally re-snapshots the
 * portfolio, and bumps the data version when anything changed. Under a transaction-scoped advisory lock, so a second process skips instead of racing.
 */
public final class RollupJob {
  /** What a run did; {@code version} is the data version after it (unchanged when nothing changed). */
  public record Result(boolean ran, int hours, boolean debtorsChanged, long version) {}

  private final Vertx vertx;
  private final Pool pool;

  public RollupJob(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
  }

  /** Runs once; {@code withDebtors} also refreshes the portfolio snapshot (a scan of the debtors table). */
  public Future<Result> runOnce(boolean withDebtors) {
    return run(withDebtors).onSuccess(r -> {
      if (r.hours() > 0 || r.debtorsChanged()) {
        // After commit: this process's dashboards answer with the new version at once.
        vertx.eventBus().publish(DataVersion.ADDRESS, r.version());
      }
    });
  }

  private Future<Result> run(boolean withDebtors) {
    return pool.withTransaction(conn -> AdvisoryLock.tryInTransaction(conn, ROLLUP_JOB).compose(locked -> {
      if (!locked) {
        return Future.succeededFuture(new Result(false, 0, false, -1));
      }
      return conn.query(RollupSql.DRAIN).execute()
          .compose(drained -> (withDebtors ? snapshot(conn) : Future.succeededFuture((String) null))
              .compose(digest -> waitForEnricher(conn, drained)
                  .compose(v -> recompute(conn, drained))
                  .compose(hours -> finish(conn, hours, withDebtors, digest))));
    }));
  }

  /*
   * The enricher adds its batches' events to the email and page counts and moves the funnel as it moves them
   * (LiveCounts). Before recounting any hour, wait for the batch in flight and keep the next out until this run
   * commits: a batch committing in between would be counted by a recount of its hour and added again by itself,
   * or added to counts the recount then replaces; and a recount of any source moves debtor_funnel rows (another
   * stage's column of the same debtors) and bumps rollup_state, which a batch locks too, so the two would
   * deadlock. The enricher skips its turns meanwhile. Nothing the enricher locks is locked here before this (the
   * drain deletes dirty marks, the portfolio snapshot writes rollup_debtors), so it never waits on this run
   * while holding its lock.
   */
  private static Future<Void> waitForEnricher(SqlConnection conn, RowSet<Row> drained) {
    return drained.size() > 0 ? AdvisoryLock.inTransaction(conn, ENRICHER) : Future.succeededFuture();
  }

  private Future<Integer> recompute(SqlConnection conn, RowSet<Row> drained) {
    Future<Integer> f = Future.succeededFuture(0);
    for (Row row : drained) {
      RollupSql.Source source = RollupSql.SOURCES.get(row.getString("source"));
      OffsetDateTime[] hours = row.getArrayOfOffsetDateTimes("hours");
      Tuple byHours = Tuple.of((Object) hours);
      Tuple byHoursAndKinds = Tuple.of(hours, (Object) source.kinds().toArray(new String[0]));
      f = f.compose(n -> conn.preparedQuery(RollupSql.CLEAR).execute(byHoursAndKinds)
          .compose(v -> conn.preparedQuery(source.count()).execute(byHours))
          .compose(v -> conn.preparedQuery(RollupSql.DAILY_CLEAR).execute(byHoursAndKinds))
          .compose(v -> conn.preparedQuery(RollupSql.DAILY_FILL).execute(byHoursAndKinds))
          .compose(v -> stages(conn, source.stages(), byHours))
          .map(v -> n + hours.length));
    }
    return f;
  }

  private static Future<Void> stages(SqlConnection conn, List<RollupSql.Stage> stages, Tuple byHours) {
    Future<Void> f = Future.succeededFuture();
    for (RollupSql.Stage stage : stages) {
      f = f.compose(v -> conn.preparedQuery(RollupSql.funnel(stage)).execute(byHours).mapEmpty());
    }
    return f;
  }

  /** Re-snapshots the portfolio; answers its digest when it differs from the last one, else null. */
  private static Future<String> snapshot(SqlConnection conn) {
    return conn.query(RollupSql.DEBTORS_CLEAR).execute()
        .compose(v -> conn.query(RollupSql.DEBTORS_FILL).execute())
        .compose(v -> conn.query(RollupSql.DEBTORS_DIGEST).execute())
        .map(rows -> {
          Row r = rows.iterator().next();
          String digest = r.getString("digest");
          return digest.equals(r.getString("previous")) ? null : digest;
        });
  }

  private static Future<Result> finish(SqlConnection conn, int hours, boolean withDebtors, String digest) {
    boolean debtorsChanged = digest != null;
    if (hours == 0 && !debtorsChanged) {
      return conn.query(RollupSql.VERSION).execute()
          .map(rows -> new Result(true, 0, false, rows.iterator().next().getLong("version")));
    }
    List<Object> params = new ArrayList<>();
    params.add(withDebtors && debtorsChanged);
    params.add(digest);
    return conn.preparedQuery(RollupSql.BUMP).execute(Tuple.from(params))
        .map(rows -> new Result(true, hours, debtorsChanged, rows.iterator().next().getLong("version")));
  }
}
