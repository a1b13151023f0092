package dev.beacon.worklist;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The portfolio's engagement pattern, computed by one query over the last {@link BestTime#WINDOW_DAYS} days and
 * kept for {@link #maxAge}: one computation at a time; while a newer one runs, callers get the kept one.
 */
final class PortfolioPattern {
  /** How long a computed pattern is used; tests set it to zero to see the data they just wrote. */
  static volatile Duration maxAge = Duration.ofMinutes(60);

  private record Kept(Instant computedAt, BestTime.Portfolio portfolio) {}

  private final Pool pool;
  private final WorklistRepository repo;
  private final Clock clock;
  private Kept kept;
  private Future<BestTime.Portfolio> running;

  private static final Map<Pool, PortfolioPattern> BY_POOL = Collections.synchronizedMap(new WeakHashMap<>());

  /** The one pattern of a pool, shared by every HTTP verticle instance using it. */
  static PortfolioPattern of(Pool pool, WorklistRepository repo) {
    return BY_POOL.computeIfAbsent(pool, p -> new PortfolioPattern(p, repo, Clock.systemUTC()));
  }

  PortfolioPattern(Pool pool, WorklistRepository repo, Clock clock) {
    this.pool = pool;
    this.repo = repo;
    this.clock = clock;
  }

  /** The pattern: the kept one while fresh (or while a newer one is being computed), else a new one. */
  synchronized Future<BestTime.Portfolio> get() {
    Instant now = clock.instant();
    if (kept != null && (running != null || Duration.between(kept.computedAt(), now).compareTo(maxAge) < 0)) {
      return Future.succeededFuture(kept.portfolio());
    }
    if (running != null) {
      return running;
    }
    Future<BestTime.Portfolio> f = repo.portfolio(pool, now.minus(Duration.ofDays(BestTime.WINDOW_DAYS)), now);
    running = f;
    f.onComplete(ar -> done(now, ar.succeeded() ? ar.result() : null));
    return f;
  }

  private synchronized void done(Instant at, BestTime.Portfolio p) {
    running = null;
    if (p != null) {
      kept = new Kept(at, p);
    }
  }
}
