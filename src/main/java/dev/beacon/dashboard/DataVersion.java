package dev.beacon.dashboard;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

/**
 * The dashboard data version as this verticle instance last saw it: read from {@code rollup_state} at most
 * once per {@link #TTL_MS} (concurrent callers share one read) and pushed at once by a rollup run in this
 * process (the enricher's counts only say it changed: it is then read again at the next request). Within the
 * TTL a matching {@code If-None-Match} is answered from memory, without the database.
 *
 * <p>A pushed version comes from the primary, where the run committed. When the dashboard reads a replica, the
 * replica may not have replayed that commit yet: numbers read then would be tagged with the new version and kept
 * (by clients and by the kept answers) after the replica caught up, until some later change. So with a replica
 * the version is only ever read from the replica itself, before the numbers: the numbers are then at least as
 * new as their tag.
 */
final class DataVersion {
  static final String ADDRESS = "beacon.dashboard.version";
  static final long TTL_MS = 2_000;
  /** Pushed instead of a version when it changed but is not known here (the enricher's counts): read it again. */
  static final long CHANGED = -1;

  private final Pool pool;
  private long version = -1;
  private long checkedAt;
  private Future<Long> reading;
  private long reads;
  private long changes;

  /** {@code readsPrimary}: {@code pool} is the pool the rollup job commits through, so pushed versions apply. */
  DataVersion(Vertx vertx, Pool pool, boolean readsPrimary) {
    this.pool = pool;
    if (readsPrimary) {
      vertx.eventBus().<Long>localConsumer(ADDRESS, msg -> offer(msg.body()));
    }
  }

  Future<Long> current() {
    if (version >= 0 && System.currentTimeMillis() - checkedAt < TTL_MS) {
      return Future.succeededFuture(version);
    }
    if (reading == null) {
      reads++;
      DashboardRepository.QUERIES.incrementAndGet();
      long seen = changes;
      reading = pool.query(RollupSql.VERSION).execute()
          .map(rows -> rows.iterator().next().getLong("version"))
          .onComplete(r -> reading = null)
          .onSuccess(v -> {
            version = v;
            // A change announced while this read was in flight may be newer than what it read.
            checkedAt = seen == changes ? System.currentTimeMillis() : 0;
          });
    }
    return reading;
  }

  /** How many times this instance read the version from the database (for tests and the benchmark). */
  long reads() {
    return reads;
  }

  private void offer(long v) {
    if (v == CHANGED) {
      changes++;
      checkedAt = 0;
      return;
    }
    version = v;
    checkedAt = System.currentTimeMillis();
  }
}
