package dev.beacon.ops;

import dev.beacon.config.BeaconConfig;
import dev.beacon.jobs.PeriodicJob;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Runs {@link RetentionJob} shortly after start and then every {@code retention.interval} (daily by default), an
 * interval after the previous run ended; the job's advisory lock keeps a fleet of processes to one runner.
 */
public final class RetentionVerticle extends PeriodicJob<RetentionJob.Run> {
  private static final Logger LOG = LoggerFactory.getLogger(RetentionVerticle.class);
  private static final Duration FIRST_RUN = Duration.ofSeconds(30);

  private final Pool pool;
  private final BeaconConfig.Retention config;
  private RetentionJob job;

  public RetentionVerticle(Pool pool, BeaconConfig.Retention config) {
    super("Retention", min(FIRST_RUN, config.interval()), config.interval());
    this.pool = pool;
    this.config = config;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  @Override
  protected boolean prepare() {
    if (!config.enabled()) {
      LOG.info("Retention is off (retention.enabled=false)");
      return false;
    }
    job = new RetentionJob(vertx, pool, config);
    return true;
  }

  @Override
  protected Future<RetentionJob.Run> runOnce() {
    return job.runOnce();
  }

  @Override
  protected void ran(RetentionJob.Run r) {
    if (!r.archived().isEmpty()) {
      LOG.info("Retention: {} partitions archived and dropped", r.archived().size());
    }
  }
}
