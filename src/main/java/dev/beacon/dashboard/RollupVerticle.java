package dev.beacon.dashboard;

import dev.beacon.jobs.PeriodicJob;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Runs the {@link RollupJob} at start and then {@link #INTERVAL} after each run ended; the portfolio snapshot is
 * refreshed every {@link #DEBTORS_EVERY}th run. The job publishes each new data version on the event bus.
 */
public final class RollupVerticle extends PeriodicJob<RollupJob.Result> {
  private static final Logger LOG = LoggerFactory.getLogger(RollupVerticle.class);
  static final Duration INTERVAL = Duration.ofSeconds(5);
  static final int DEBTORS_EVERY = 6;

  private final Pool pool;
  private RollupJob job;
  private long runs;

  public RollupVerticle(Pool pool) {
    super("Rollup", Duration.ofMillis(1), INTERVAL);
    this.pool = pool;
  }

  @Override
  protected boolean prepare() {
    job = new RollupJob(vertx, pool);
    return true;
  }

  @Override
  protected Future<RollupJob.Result> runOnce() {
    return job.runOnce(runs++ % DEBTORS_EVERY == 0);
  }

  @Override
  protected void ran(RollupJob.Result r) {
    if (r.hours() > 0 || r.debtorsChanged()) {
      LOG.debug("Rollup: {} hours recomputed, portfolio changed: {}, version {}", r.hours(), r.debtorsChanged(),
          r.version());
    }
  }
}
