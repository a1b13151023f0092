package dev.beacon.ops;

import dev.beacon.config.BeaconConfig;
import dev.beacon.db.AdvisoryLock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

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

  /** What a run did; {@code ran} is false when another process held the lock. */
  public record Run(boolean ran, List<Archive.Manifest> archived, long communicationsDeleted, long paymentsDeleted) {}

  private final Pool pool;
  private final RetentionRepository repo;
  private final BeaconConfig.Retention config;
  private final Archive archive;

  public RetentionJob(Vertx vertx, Pool pool, BeaconConfig.Retention config) {
    this.pool = pool;
    this.repo = new RetentionRepository(pool);
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
    // A debtor's communications and payments go together, once both periods have passed since the last activity:
    // deleting one kind first would move the last activity back (it is computed from those very records) and let
    // the other kind go before its own period had passed.
    int years = Math.max(config.communicationsYears(), config.paymentsYears());
    return chain.compose(v -> purge(years))
        .map(d -> new Run(true, List.copyOf(archived), d.communications(), d.payments()));
  }

  /**
   * In one transaction marked for retention: finds up to {@value #RECORDS_BATCH} debtors inactive for {@code years}
   * and deletes their records. A failure is logged and deletes nothing.
   */
  private Future<RetentionRepository.Deleted> purge(int years) {
    RetentionRepository.Deleted none = new RetentionRepository.Deleted(0, 0);
    return pool.withTransaction(conn -> repo.markRetention(conn)
        .compose(v -> repo.expiredDebtors(conn, years, RECORDS_BATCH))
        .compose(ids -> ids.isEmpty() ? Future.succeededFuture(none) : repo.purge(conn, ids)))
        .onFailure(t -> LOG.warn("Records retention ({} years) failed: {}", years, t.toString()));
  }

  private int months(Archive.Table t) {
    return t == Archive.Table.EMAIL_EVENTS ? config.emailEventsMonths() : config.pageViewsMonths();
  }

  private Future<Void> ensureAhead(Archive.Table t, YearMonth now) {
    return repo.ensureAhead(t, now, MONTHS_AHEAD)
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
