package dev.beacon.scoring;

import dev.beacon.config.BeaconConfig;
import dev.beacon.jobs.PeriodicJob;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;

import java.util.function.Consumer;

/**
 * Runs {@link ScoringJob} every {@code scoring.interval}, an interval after the previous run ended; the job's advisory
 * lock keeps a fleet to one run at a time.
 */
public final class ScoringVerticle extends PeriodicJob<ScoringJob.Run> {
  private final Pool pool;
  private final BeaconConfig.Scoring config;
  private final Consumer<ScoringJob.Run> onRun;
  private ScoringJob job;

  public ScoringVerticle(Pool pool, BeaconConfig.Scoring config) {
    this(pool, config, run -> { });
  }

  /** With a listener told of every run as it ends (tests watch the schedule through it). */
  public ScoringVerticle(Pool pool, BeaconConfig.Scoring config, Consumer<ScoringJob.Run> onRun) {
    super("Scoring", config.interval(), config.interval());
    this.pool = pool;
    this.config = config;
    this.onRun = onRun;
  }

  @Override
  protected boolean prepare() {
    job = new ScoringJob(pool, config.model(), config.chunkSize());
    return true;
  }

  @Override
  protected Future<ScoringJob.Run> runOnce() {
    return job.runOnce(false);
  }

  @Override
  protected void ran(ScoringJob.Run run) {
    onRun.accept(run);
  }
}
