package dev.beacon.ops;

import dev.beacon.config.BeaconConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of the data lifecycle job, once per fleet (a PostgreSQL advisory lock): creates the monthly
 * partitions of the raw event tables {@value #MONTHS_AHEAD} months ahead, then archives and drops every monthly
 * partition whose whole month is older than its table's retention ({@link Archive}).
 */
public final class RetentionJob {
  private static final Logger LOG = LoggerFactory.getLogger(RetentionJob.class);
  /** "beaconR1": the advisory lock of the retention job (plans hold "beaconP1"). */
  static final long LOCK_KEY = 0x626561636f6e5231L;
  static final int MONTHS_AHEAD = 3;

  /** What a run did; {@code ran} is false when another process held the lock. */
  public record Run(boolean ran, List<Archive.Manifest> archived) {}

  private final Pool pool;
  private final BeaconConfig.Retention config;
  private final Archive archive;

  public RetentionJob(Vertx vertx, Pool pool, BeaconConfig.Retention config) {
    this.pool = pool;
    this.config = config;
    this.archive = new Archive(vertx, pool, config.archiveDir());
  }

  public Future<Run> runOnce(YearMonth now) {
    return pool.getConnection().compose(lockConn -> lockConn.preparedQuery("SELECT pg_try_advisory_lock($1) AS ok")
        .execute(Tuple.of(LOCK_KEY))
        .compose(rows -> {
          if (!rows.iterator().next().getBoolean("ok")) {
            return Future.succeededFuture(new Run(false, List.of()));
          }
          return work(now).eventually(() ->
              lockConn.preparedQuery("SELECT pg_advisory_unlock($1)").execute(Tuple.of(LOCK_KEY)));
        })
        .eventually(lockConn::close));
  }

  public Future<Run> runOnce() {
    return runOnce(YearMonth.now(ZoneOffset.UTC));
  }

  private Future<Run> work(YearMonth now) {
    List<Archive.Manifest> archived = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (Archive.Table t : Archive.Table.values()) {
      chain = chain.compose(v -> ensureAhead(t, now))
          .compose(v -> archiveExpired(t, now.minusMonths(months(t)), archived));
    }
    return chain.map(v -> new Run(true, List.copyOf(archived)));
  }

  private int months(Archive.Table t) {
    return t == Archive.Table.EMAIL_EVENTS ? config.emailEventsMonths() : config.pageViewsMonths();
  }

  private Future<Void> ensureAhead(Archive.Table t, YearMonth now) {
    return pool.preparedQuery("""
            SELECT beacon_ensure_month_partition($1::regclass, $2, (date_trunc('month', $3::date)
                   + make_interval(months => m))::date)
            FROM generate_series(0, $4) AS m""")
        .execute(Tuple.of(t.name, t.column, now.atDay(1), MONTHS_AHEAD)).mapEmpty();
  }

  /** Archives, oldest first, every partition of a month before {@code cutoff}; stops at the first failure. */
  private Future<Void> archiveExpired(Archive.Table t, YearMonth cutoff, List<Archive.Manifest> archived) {
    return archive.partitions(t).compose(months -> {
      Future<Void> chain = Future.succeededFuture();
      for (YearMonth m : months) {
        if (m.isBefore(cutoff)) {
          chain = chain.compose(v -> archive.archive(t, m).onSuccess(archived::add).mapEmpty());
        }
      }
      return chain.onFailure(e -> LOG.warn("Archiving {} stopped: {}", t.name, e.toString()));
    });
  }
}
