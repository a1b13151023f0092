package dev.beacon.jobs;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * A verticle that runs a job now and then: the first run {@code firstDelay} after start, each next one
 * {@code interval} after the previous run ended, so runs of one process never overlap. Keeping a fleet of processes
 * to one runner is the job's own business (its {@code AdvisoryLock}). Stopping cancels the next run; a run in
 * flight ends on its own.
 *
 * @param <R> what one run answers
 */
public abstract class PeriodicJob<R> extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(PeriodicJob.class);

  private final String name;
  private final Duration firstDelay;
  private final Duration interval;
  private long timer = -1;
  private boolean stopped;

  /** {@code name} names the job in log lines ("Scoring run failed: ..."). */
  protected PeriodicJob(String name, Duration firstDelay, Duration interval) {
    this.name = name;
    this.firstDelay = firstDelay;
    this.interval = interval;
  }

  /** Builds what the runs need (on the verticle's context); answers false to stay idle (a job switched off). */
  protected abstract boolean prepare();

  /** One run. */
  protected abstract Future<R> runOnce();

  /** Called with the result of each run that succeeded (a log line, a listener). */
  protected void ran(R result) {
  }

  /** Releases what {@link #prepare()} built; called once on stop. */
  protected void release() {
  }

  @Override
  public final Future<?> start() {
    if (prepare()) {
      schedule(firstDelay);
    }
    return Future.succeededFuture();
  }

  @Override
  public final Future<?> stop() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    release();
    return Future.succeededFuture();
  }

  private void schedule(Duration delay) {
    if (!stopped) {
      timer = vertx.setTimer(Math.max(1, delay.toMillis()), id -> {
        timer = -1;
        run();
      });
    }
  }

  /** On the verticle's context, from the timer. */
  private void run() {
    Future<R> f;
    try {
      f = runOnce();
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    f.onSuccess(this::ran)
        .onFailure(t -> LOG.warn("{} run failed: {}", name, t.toString()))
        .onComplete(x -> schedule(interval));
  }
}
