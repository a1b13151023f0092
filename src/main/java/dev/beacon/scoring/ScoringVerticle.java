package dev.beacon.scoring;

import dev.beacon.Deps;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;

/**
 * Runs {@link ScoringJob} every {@code scoring.interval}. The next run is scheduled when the previous one ends,
 * so runs of one process never overlap; the job's advisory lock keeps a fleet to one run at a time.
 */
public final class ScoringVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ScoringVerticle.class);

  private final Deps deps;
  private final Consumer<ScoringJob.Run> onRun;
  private ScoringJob job;
  private long timer = -1;
  private Future<ScoringJob.Run> inFlight;
  private boolean stopped;

  public ScoringVerticle(Deps deps) {
    this(deps, run -> { });
  }

  /** With a listener told of every run as it ends (tests watch the schedule through it). */
  public ScoringVerticle(Deps deps, Consumer<ScoringJob.Run> onRun) {
    this.deps = deps;
    this.onRun = onRun;
  }

  @Override
  public Future<?> start() {
    var config = deps.config().scoring();
    job = new ScoringJob(deps.pool(), config.model(), config.chunkSize());
    schedule();
    return Future.succeededFuture();
  }

  private void schedule() {
    if (!stopped) {
      timer = vertx.setTimer(deps.config().scoring().interval().toMillis(), id -> {
        timer = -1;
        run();
      });
    }
  }

  /**
   * One run now (or the run in flight, if there is one); the next run is scheduled an interval after it ends.
   * Callable from any thread.
   */
  public Future<ScoringJob.Run> runOnce() {
    Promise<ScoringJob.Run> done = Promise.promise();
    context.runOnContext(v -> run().onComplete(done));
    return done.future();
  }

  /** On the verticle's context. */
  private Future<ScoringJob.Run> run() {
    if (inFlight != null) {
      return inFlight;
    }
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    Future<ScoringJob.Run> f = job.runOnce(false)
        .onSuccess(onRun::accept)
        .onFailure(t -> LOG.warn("Scoring run failed: {}", t.toString()));
    inFlight = f;
    f.onComplete(x -> {
      inFlight = null;
      schedule();
    });
    return f;
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
