package dev.beacon.dashboard;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link RollupJob} every few seconds, rescheduling with {@code setTimer} after each run ends so runs
 * never overlap; the portfolio snapshot is refreshed every {@link #DEBTORS_EVERY}th run. The job publishes
 * each new data version on the event bus.
 */
public final class RollupVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(RollupVerticle.class);
  static final long INTERVAL_MS = 5_000;
  static final int DEBTORS_EVERY = 6;

  private final Pool pool;
  private RollupJob job;
  private long runs;
  private boolean stopped;

  public RollupVerticle(Pool pool) {
    this.pool = pool;
  }

  @Override
  public Future<?> start() {
    job = new RollupJob(vertx, pool);
    vertx.setTimer(1, id -> run());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    return Future.succeededFuture();
  }

  private void run() {
    boolean withDebtors = runs++ % DEBTORS_EVERY == 0;
    job.runOnce(withDebtors)
        .onSuccess(r -> {
          if (r.hours() > 0 || r.debtorsChanged()) {
            LOG.debug("Rollup: {} hours recomputed, portfolio changed: {}, version {}", r.hours(), r.debtorsChanged(),
                r.version());
          }
        })
        .onFailure(t -> LOG.warn("Rollup run failed: {}", t.toString()))
        .onComplete(x -> {
          if (!stopped) {
            vertx.setTimer(INTERVAL_MS, id -> run());
          }
        });
  }
}
