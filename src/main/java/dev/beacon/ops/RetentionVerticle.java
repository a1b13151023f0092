package dev.beacon.ops;

import dev.beacon.config.BeaconConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link RetentionJob} shortly after start and then every {@code retention.interval} (daily by default);
 * the next run is scheduled when the previous one ends, so runs never overlap, and the job's advisory lock
 * keeps a fleet of processes to one runner.
 */
public final class RetentionVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(RetentionVerticle.class);
  private static final long FIRST_RUN_MS = 30_000;

  private final Pool pool;
  private final BeaconConfig.Retention config;
  private RetentionJob job;
  private long timer = -1;
  private boolean stopped;

  public RetentionVerticle(Pool pool, BeaconConfig.Retention config) {
    this.pool = pool;
    this.config = config;
  }

  @Override
  public Future<?> start() {
    if (!config.enabled()) {
      LOG.info("Retention is off (retention.enabled=false)");
      return Future.succeededFuture();
    }
    job = new RetentionJob(vertx, pool, config);
    schedule(Math.min(FIRST_RUN_MS, config.interval().toMillis()));
    return Future.succeededFuture();
  }

  private void schedule(long delayMs) {
    if (!stopped) {
      timer = vertx.setTimer(Math.max(1, delayMs), id -> run());
    }
  }

  private void run() {
    job.runOnce()
        .onSuccess(r -> {
          if (!r.archived().isEmpty()) {
            LOG.info("Retention: {} partitions archived and dropped", r.archived().size());
          }
        })
        .onFailure(t -> LOG.warn("Retention run failed: {}", t.toString()))
        .onComplete(x -> schedule(config.interval().toMillis()));
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    return Future.succeededFuture();
  }
}
