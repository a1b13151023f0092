package dev.beacon.scoring;

import dev.beacon.Deps;
import dev.beacon.jobs.PeriodicJob;
import io.vertx.core.Future;

import java.util.function.Consumer;

/**
 * Runs {@link ScoringJob} every {@code scoring.interval}, an interval after the previous run ended; the job's advisory
 * lock keeps a fleet to one run at a time.
 */
public final class ScoringVerticle extends PeriodicJob<ScoringJob.Run> {
  private final Deps deps;
  private final Consumer<ScoringJob.Run> onRun;
  private ScoringJob job;

  public ScoringVerticle(Deps deps) {
    this(deps, run -> { });
  }

  /** With a listener told of every run as it ends (tests watch the schedule through it). */
  public ScoringVerticle(Deps deps, Consumer<ScoringJob.Run> onRun) {
    super("Scoring", deps.config().scoring().interval(), deps.config().scoring().interval());
    this.deps = deps;
    this.onRun = onRun;
  }

  @Override
  protected boolean prepare() {
    var config = deps.config().scoring();
    job = new ScoringJob(deps.pool(), config.model(), config.chunkSize());
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
