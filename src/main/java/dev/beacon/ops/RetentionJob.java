package dev.beacon.ops;

import dev.beacon.config.BeaconConfig;
import dev.beacon.db.AdvisoryLock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * One run of the data lifecycle job, once per fleet (a PostgreSQL advisory lock): creates the monthly
 * partitions of the raw event tables {@value #MONTHS_AHEAD} months ahead, archives and drops every monthly
 * partition whose whole month is older than its table's retention ({@link Archive}), then deletes, in one
 * transaction, the communications, payments and plans of debtors whose last activity ({@code debtor_last_activity})
 * is older than both {@code retention.communicationsYears} and {@code retention.paymentsYears} (each at least three
 * years), up to {@value #RECORDS_BATCH} debtors a run. Opt-outs are kept (their link to a deleted message is
 * cleared).
 */
public final class RetentionJob {
  private static final Logger LOG = LoggerFactory.getLogger(RetentionJob.class);
  static final int MONTHS_AHEAD = 3;

  static final int RECORDS_BATCH = 1000;

  /** Inactive debtors that still have records to delete (the others would fill every batch for ever). */
  static final String EXPIRED = """
      SELECT a.debtor_id FROM debtor_last_activity a
      WHERE a.at < now() - make_interval(years => $1)
        AND (EXISTS (SELECT 1 FROM communications c WHERE c.debtor_id = a.debtor_id)
          OR EXISTS (SELECT 1 FROM payments p WHERE p.debtor_id = a.debtor_id)
          OR EXISTS (SELECT 1 FROM payment_plans pp WHERE pp.debtor_id = a.debtor_id))
      ORDER BY a.at LIMIT $2""";
  static final String UNLINK_EVENTS = """
      UPDATE email_events SET communication_id = NULL WHERE debtor_id = ANY($1) AND communication_id IS NOT NULL""";
  static final String UNLINK_OPT_OUTS = """
      UPDATE debtor_opt_outs SET communication_id = NULL WHERE debtor_id = ANY($1) AND communication_id IS NOT NULL""";
  static final String DELETE_COMMUNICATIONS = "DELETE FROM communications WHERE debtor_id = ANY($1)";
  static final String DELETE_PAYMENTS = "DELETE FROM payments WHERE debtor_id = ANY($1)";
  static final String DELETE_PLANS = """
      DELETE FROM payment_plans pp WHERE pp.debtor_id = ANY($1)
        AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.plan_id = pp.id)""";

  /** What a run did; {@code ran} is false when another process held the lock. */
  public record Run(boolean ran, List<Archive.Manifest> archived, long communicationsDeleted, long paymentsDeleted) {}

  private final Pool pool;
  private final BeaconConfig.Retention config;
  private final Archive archive;

  public RetentionJob(Vertx vertx, Pool pool, BeaconConfig.Retention config) {
    this.pool = pool;
    this.config = config;
    this.archive = new Archive(vertx, pool, config.archiveDir());
  }

  public Future<Run> runOnce(YearMonth now) {
    return AdvisoryLock.tryWith(pool, AdvisoryLock.Key.RETENTION_JOB, lock -> work(now),
        () -> new Run(false, List.of(), 0, 0));
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
    long[] deleted = new long[2];
    // A debtor's communications and payments go together, once both periods have passed since the last activity:
    // deleting one kind first would move the last activity back (it is computed from those very records) and let
    // the other kind go before its own period had passed.
    int years = Math.max(config.communicationsYears(), config.paymentsYears());
    return chain
        .compose(v -> purge(years, (conn, ids) -> conn.preparedQuery(UNLINK_EVENTS).execute(ids)
            .compose(x -> conn.preparedQuery(UNLINK_OPT_OUTS).execute(ids))
            .compose(x -> conn.preparedQuery(DELETE_COMMUNICATIONS).execute(ids))
            .compose(r -> {
              deleted[0] = r.rowCount();
              return conn.preparedQuery(DELETE_PAYMENTS).execute(ids);
            })
            .compose(r -> {
              deleted[1] = r.rowCount();
              return conn.preparedQuery(DELETE_PLANS).execute(ids);
            })))
        .map(v -> new Run(true, List.copyOf(archived), deleted[0], deleted[1]));
  }

  /**
   * In one transaction marked for retention ({@code SET LOCAL beacon.retention}): finds the debtors inactive for
   * {@code years} and runs {@code work} with their ids as the one parameter.
   */
  private Future<Void> purge(int years, BiFunction<SqlConnection, Tuple, Future<?>> work) {
    return pool.withTransaction(conn -> conn.query("SET LOCAL beacon.retention = 'on'").execute()
        .compose(v -> conn.preparedQuery(EXPIRED).execute(Tuple.of(years, RECORDS_BATCH)))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.<Void>succeededFuture();
          }
          List<UUID> ids = new ArrayList<>();
          rows.forEach(r -> ids.add(r.getUUID(0)));
          return work.apply(conn, Tuple.of((Object) ids.toArray(new UUID[0]))).<Void>mapEmpty();
        }))
        .onFailure(t -> LOG.warn("Records retention ({} years) failed: {}", years, t.toString()));
  }

  private int months(Archive.Table t) {
    return t == Archive.Table.EMAIL_EVENTS ? config.emailEventsMonths() : config.pageViewsMonths();
  }

  private Future<Void> ensureAhead(Archive.Table t, YearMonth now) {
    return pool.preparedQuery("""
            SELECT beacon_ensure_month_partition($1::regclass, $2, (date_trunc('month', $3::date)
                   + make_interval(months => m))::date)
            FROM generate_series(0, $4) AS m""")
        .execute(Tuple.of(t.name, t.column, now.atDay(1), MONTHS_AHEAD)).<Void>mapEmpty()
        // Rows of a month without its partition go to the default partition; the archive and the records
        // retention still run (a partition created in another session time zone overlaps the next month's).
        .recover(e -> {
          LOG.warn("Creating the partitions ahead of {} failed: {}", t.name, e.toString());
          return Future.succeededFuture();
        });
  }

  /** Archives, oldest first, every partition of a month before {@code cutoff}; stops at the table's first failure. */
  private Future<Void> archiveExpired(Archive.Table t, YearMonth cutoff, List<Archive.Manifest> archived) {
    return archive.partitions(t).compose(months -> {
      Future<Void> chain = Future.succeededFuture();
      for (YearMonth m : months) {
        if (m.isBefore(cutoff)) {
          chain = chain.compose(v -> archive.archive(t, m).onSuccess(archived::add).mapEmpty());
        }
      }
      // A partition that could not be archived now (its detach timed out behind a long query, a full disk) is
      // kept and tried again next run; the other table and the records retention still run.
      return chain.recover(e -> {
        LOG.warn("Archiving {} stopped: {}", t.name, e.toString());
        return Future.succeededFuture();
      });
    });
  }
}
