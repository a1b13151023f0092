package dev.beacon.tracking;

import dev.beacon.config.BeaconConfig;
import dev.beacon.dashboard.LiveCounts;
import dev.beacon.db.PgErrors;
import dev.beacon.db.AdvisoryLock;
import io.vertx.pgclient.PgException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Moves the tracking journal into the event tables, one process of a fleet at a time: each batch is one
 * transaction that takes a transaction-scoped advisory lock (a process that does not get it skips the turn),
 * reads the oldest {@code tracking.enrichBatch} journal rows, applies them ({@link Enrichment}: tokens resolved,
 * classified, written with the communication flags, last_response_date and the dashboard's counts) and
 * deletes them. A process that dies mid-batch leaves its transaction rolled back, so every journal row is applied
 * exactly once. A full batch is followed at once by the next; otherwise the next waits
 * {@code tracking.enrichInterval}. Every process also measures the journal's backlog for its writers (shedding),
 * readiness and {@code /metrics}.
 */
public final class Enricher extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(Enricher.class);
  /** Sets the oldest journal row aside with why the event tables refused it ($1 SQLSTATE, $2 message). */
  static final String REJECT = """
      WITH r AS (DELETE FROM tracking_journal WHERE id = (SELECT min(id) FROM tracking_journal) RETURNING *)
      INSERT INTO tracking_journal_rejected SELECT r.*, $1, left($2, 500) FROM r RETURNING id""";
  /*
   * Two planner settings for the enricher's transaction.
   *
   * Custom plans only (plan_cache_mode): the journal fills and empties between two batches, so a plan made for
   * its size at one moment is wrong at the next. PostgreSQL caches a prepared statement's generic plan after five
   * executions and keeps it until the table's statistics change; a generic DELETE by tuple id made while the
   * journal held a few pages was a sequential scan comparing every row with the whole array of tuple ids, and
   * once a backlog had built up (500,000 rows, on Debian's PostgreSQL 15) one batch's delete took 24 to 97 s, the
   * backlog grew and the enricher fell minutes behind. A custom plan is made with the batch's own array and the
   * table's current size (read from the file at each planning), so it scans by tuple id; planning each batch's
   * statements costs well under a millisecond against the 100 ms or more a full batch takes.
   *
   * JIT off: a batch's statements are estimated above jit_above_cost as soon as the journal's statistics lag
   * behind a backlog, and compiling (with inlining and optimisation: some 95 functions) then costs three times
   * what running the statement does: on Debian's PostgreSQL 15 a 5,000-row batch of opens took about 1 s with
   * it (0.75 s of it compiling) and 0.2-0.25 s without. Builds without LLVM (the embedded PostgreSQL) accept the
   * setting and change nothing.
   */
  static final String SETTINGS = "SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL jit = off";
  /*
   * The enricher vacuums the journal itself, every VACUUM_EVERY_BATCHES full batches' worth of deleted rows.
   * Autovacuum visits a database at most once per autovacuum_naptime (a minute by default), and at 15,000 events
   * a second the journal then held up to 900,000 dead rows between visits: every batch's read of the oldest rows
   * stepped over the dead index entries at the head of the primary key (8,700 buffers for 4,000 rows, against 108
   * after a VACUUM), the backlog measurement likewise, and the writers extended the table instead of reusing its
   * free space. SKIP_LOCKED: a VACUUM already running (autovacuum, another process) is enough.
   */
  static final String VACUUM = "VACUUM (SKIP_LOCKED) tracking_journal";
  static final int VACUUM_EVERY_BATCHES = 4;
  /** How often every process measures the backlog. */
  static final Duration MEASURE_EVERY = Duration.ofMillis(500);

  /** Between moving a batch into the event tables and deleting it from the journal (tests stop a batch there). */
  interface Hook {
    Future<Void> moved(SqlConnection conn);
  }

  private final Pool pool;
  private final BeaconConfig.Tracking config;
  private final Hook hook;
  private Enrichment enrichment;
  private TrackingStats stats;
  private WriterLoad load;
  private volatile boolean stopped;
  /** The batch (or the setting aside of a refused row) in flight: stop waits for it (event-loop only). */
  private Future<?> inFlight = Future.succeededFuture();
  private long measureTimer;
  /** The next batch's size: tracking.enrichBatch, halved while a batch holds a row the event tables refuse. */
  private int limit;
  /** Journal rows this process deleted since its last VACUUM of the journal (event-loop only). */
  private long deletedSinceVacuum;
  private boolean vacuuming;

  public Enricher(Pool pool, BeaconConfig.Tracking config) {
    this(pool, config, conn -> Future.succeededFuture());
  }

  Enricher(Pool pool, BeaconConfig.Tracking config, Hook hook) {
    this.pool = pool;
    this.config = config;
    this.hook = hook;
  }

  @Override
  public Future<?> start() {
    stats = TrackingStats.current();
    load = WriterLoad.of(vertx);
    TrackingStats.journalGauges(load);
    enrichment = new Enrichment(Classifier.of(config.scannerCidrs()), config, stats);
    limit = config.enrichBatch();
    vertx.setTimer(1, id -> run());
    measureTimer = vertx.setPeriodic(1, MEASURE_EVERY.toMillis(), id -> measure());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(measureTimer);
    // Undeployed only once the transaction in flight has ended: a batch begun before the stop must not move rows
    // journaled after it (or hold the lock) while the caller believes this enricher gone.
    return inFlight.transform(ar -> Future.succeededFuture());
  }

  private void run() {
    if (stopped) {
      return;
    }
    int size = limit;
    Future<Integer> running = batch(size);
    inFlight = running;
    running.onComplete(ar -> {
      if (stopped) {
        return;
      }
      if (ar.succeeded()) {
        limit = Math.min(config.enrichBatch(), limit * 2);
        vacuumAfter(ar.result());
        if (ar.result() >= size) {
          vertx.runOnContext(v -> run());
          return;
        }
      } else if (refusedByData(ar.cause())) {
        // Deterministic: the same rows fail again. Halve the batch until the row the event tables refuse is
        // the whole batch, then set it aside; the rows before and after it move on.
        if (size > 1) {
          limit = (size + 1) / 2;
          vertx.runOnContext(v -> run());
        } else {
          Future<Void> rejecting = reject(ar.cause());
          inFlight = rejecting;
          rejecting.onComplete(r -> {
            if (r.failed()) {
              LOG.warn("A refused tracking journal row was not set aside (retried): {}", r.cause().toString());
            }
            limit = config.enrichBatch();
            vertx.setTimer(r.succeeded() ? 1 : Math.max(1, config.enrichInterval().toMillis()), id -> run());
          });
        }
        return;
      } else {
        LOG.warn("Enrichment batch failed (its journal rows stay for the next): {}", ar.cause().toString());
      }
      vertx.setTimer(Math.max(1, config.enrichInterval().toMillis()), id -> run());
    });
  }

  /**
   * Counts the rows a batch deleted and, once they reach {@link #VACUUM_EVERY_BATCHES} full batches, vacuums the
   * journal (outside any transaction, as VACUUM must run; the next batches do not wait for it).
   */
  private void vacuumAfter(int deleted) {
    deletedSinceVacuum += deleted;
    if (vacuuming || deletedSinceVacuum < (long) VACUUM_EVERY_BATCHES * config.enrichBatch()) {
      return;
    }
    vacuuming = true;
    deletedSinceVacuum = 0;
    pool.query(VACUUM).execute().onComplete(ar -> {
      vacuuming = false;
      if (ar.succeeded()) {
        stats.vacuumed();
      } else {
        LOG.debug("Tracking journal not vacuumed: {}", ar.cause().toString());
      }
    });
  }

  /** Invalid data or a violated constraint: the rows themselves are refused, waiting will not help. */
  static boolean refusedByData(Throwable t) {
    return t instanceof PgException pg && pg.getSqlState() != null
        && (pg.getSqlState().startsWith(PgErrors.DATA_EXCEPTION_CLASS)
            || pg.getSqlState().startsWith(PgErrors.INTEGRITY_CONSTRAINT_CLASS));
  }

  /**
   * Moves the oldest journal row, which the event tables refused on its own, into tracking_journal_rejected with
   * the SQLSTATE, so that it is kept (an operator can look at it) and no longer blocks the rows after it.
   */
  private Future<Void> reject(Throwable cause) {
    PgException pg = (PgException) cause;
    return pool.withTransaction(conn -> AdvisoryLock.tryInTransaction(conn, AdvisoryLock.Key.ENRICHER)
        .compose(locked -> {
      if (!locked) {
        return Future.succeededFuture();
      }
      return conn.preparedQuery(REJECT).execute(Tuple.of(pg.getSqlState(), pg.getErrorMessage()))
          .map(rows -> {
            for (Row r : rows) {
              stats.rejected();
              LOG.warn("Tracking journal row {} refused by the event tables (SQLSTATE {}{}): kept in "
                      + "tracking_journal_rejected", r.getLong("id"), pg.getSqlState(),
                  PgErrors.constraint(pg).isEmpty() ? "" : ", constraint " + PgErrors.constraint(pg));
            }
            return null;
          });
    }));
  }

  /**
   * One batch of at most {@code size} rows; answers how many journal rows it moved (0 when another process holds
   * the lock).
   */
  Future<Integer> batch(int size) {
    long started = System.nanoTime();
    return pool.withTransaction(conn -> AdvisoryLock.tryInTransaction(conn, AdvisoryLock.Key.ENRICHER)
        .compose(locked -> {
      if (!locked) {
        return Future.succeededFuture(new Enrichment.Batch(List.of()));
      }
      return conn.query(SETTINGS).execute().compose(v -> conn.preparedQuery(Enrichment.READ_SHAPES)
          .execute(Tuple.of(size))).compose(rows -> {
        List<Enrichment.Shape> shapes = new ArrayList<>(rows.size());
        rows.forEach(r -> shapes.add(Enrichment.Shape.of(r)));
        Enrichment.Batch batch = new Enrichment.Batch(shapes);
        if (shapes.isEmpty()) {
          return Future.succeededFuture(batch);
        }
        return enrichment.apply(conn, batch)
            .compose(v -> hook.moved(conn))
            .compose(v -> conn.preparedQuery(Enrichment.DELETE).execute(Tuple.of((Object) batch.tids())))
            .map(batch);
      });
    })).map(batch -> {
      int n = batch.size();
      if (n > 0) {
        long now = System.currentTimeMillis();
        LiveCounts.changed(vertx);
        stats.enriched(n, System.nanoTime() - started);
        for (Enrichment.Shape s : batch.shapes()) {
          for (Long at : s.atMillis()) {
            stats.visibleAfter(Duration.ofMillis(Math.max(0, now - at)));
          }
        }
      }
      return n;
    });
  }

  /** One batch of the configured size. */
  Future<Integer> batch() {
    return batch(config.enrichBatch());
  }

  /** The backlog for shedding, readiness and the gauges. */
  private void measure() {
    pool.query(Journal.BACKLOG).execute().onSuccess(rows -> {
      Row r = rows.iterator().next();
      long backlog = r.getLong("backlog");
      OffsetDateTime oldest = r.getOffsetDateTime("oldest");
      double lag = oldest == null ? 0 : Math.max(0, Duration.between(oldest, OffsetDateTime.now()).toMillis() / 1000.0);
      load.journal(backlog, lag, backlog >= config.journalBacklogMax());
    }).onFailure(t -> LOG.debug("Journal backlog not measured: {}", t.toString()));
  }
}
