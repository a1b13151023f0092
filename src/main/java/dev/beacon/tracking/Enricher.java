package dev.beacon.tracking;

import dev.beacon.config.BeaconConfig;
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
 * classified, written with the communication flags, last_response_date and the dashboard's dirty hours) and
 * deletes them. A process that dies mid-batch leaves its transaction rolled back, so every journal row is applied
 * exactly once. A full batch is followed at once by the next; otherwise the next waits
 * {@code tracking.enrichInterval}. Every process also measures the journal's backlog for its writers (shedding),
 * readiness and {@code /metrics}.
 */
public final class Enricher extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(Enricher.class);
  /** "beaconJ1": the advisory lock of the enricher. */
  static final long LOCK_KEY = 0x626561636f6e4a31L;
  private static final String LOCK = "SELECT pg_try_advisory_xact_lock(" + LOCK_KEY + ") AS locked";
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
  private long measureTimer;

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
    vertx.setTimer(1, id -> run());
    measureTimer = vertx.setPeriodic(1, MEASURE_EVERY.toMillis(), id -> measure());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(measureTimer);
    return Future.succeededFuture();
  }

  private void run() {
    if (stopped) {
      return;
    }
    batch().onComplete(ar -> {
      if (ar.failed() && !stopped) {
        LOG.warn("Enrichment batch failed (its journal rows stay for the next): {}", ar.cause().toString());
      }
      if (stopped) {
        return;
      }
      if (ar.succeeded() && ar.result() >= config.enrichBatch()) {
        vertx.runOnContext(v -> run());
      } else {
        vertx.setTimer(Math.max(1, config.enrichInterval().toMillis()), id -> run());
      }
    });
  }

  /** One batch; answers how many journal rows it moved (0 when another process holds the lock). */
  Future<Integer> batch() {
    long started = System.nanoTime();
    return pool.withTransaction(conn -> conn.query(LOCK).execute().compose(lock -> {
      if (!lock.iterator().next().getBoolean("locked")) {
        return Future.succeededFuture(List.<Row>of());
      }
      return conn.preparedQuery(Journal.READ).execute(Tuple.of(config.enrichBatch())).compose(rows -> {
        if (rows.size() == 0) {
          return Future.succeededFuture(List.<Row>of());
        }
        List<Row> read = new ArrayList<>(rows.size());
        rows.forEach(read::add);
        Long[] ids = read.stream().map(r -> r.getLong("id")).toArray(Long[]::new);
        List<Journal.Entry> entries = read.stream().map(Journal::entry).toList();
        return enrichment.apply(conn, entries)
            .compose(v -> hook.moved(conn))
            .compose(v -> conn.preparedQuery(Journal.DELETE).execute(Tuple.of((Object) ids)))
            .map(read);
      });
    })).map(read -> {
      if (!read.isEmpty()) {
        OffsetDateTime now = OffsetDateTime.now();
        stats.enriched(read.size(), System.nanoTime() - started);
        for (Row r : read) {
          stats.visibleAfter(Duration.between(r.getOffsetDateTime("at"), now));
        }
      }
      return read.size();
    });
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
