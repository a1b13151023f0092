package dev.beacon.jobs;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class PeriodicJobTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Each run takes 30 ms; records when it started and ended. */
  private static final class Slow extends PeriodicJob<Integer> {
    final List<long[]> runs = new CopyOnWriteArrayList<>();
    final AtomicInteger started = new AtomicInteger();
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger maxRunning = new AtomicInteger();
    final AtomicInteger released = new AtomicInteger();
    final boolean enabled;

    Slow(boolean enabled, Duration interval) {
      super("Slow", Duration.ofMillis(1), interval);
      this.enabled = enabled;
    }

    @Override
    protected boolean prepare() {
      return enabled;
    }

    @Override
    protected Future<Integer> runOnce() {
      long start = System.nanoTime();
      started.incrementAndGet();
      maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
      Promise<Integer> done = Promise.promise();
      vertx.setTimer(30, id -> {
        running.decrementAndGet();
        runs.add(new long[] {start, System.nanoTime()});
        done.complete(runs.size());
      });
      return done.future();
    }

    @Override
    protected void release() {
      released.incrementAndGet();
    }
  }

  private static <T> T join(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Deploys the job, waits until {@code until} holds (Awaitility, within 10 s), then undeploys it. */
  private void runUntil(Slow job, Callable<Boolean> until) throws Exception {
    String id = join(vertx.deployVerticle(job));
    await().atMost(Duration.ofSeconds(10)).until(until);
    join(vertx.undeploy(id));
  }

  @Test
  void runsNeverOverlapAndTheNextStartsAnIntervalAfterTheLastEnded() throws Exception {
    Slow job = new Slow(true, Duration.ofMillis(20));
    runUntil(job, () -> job.runs.size() >= 4);
    assertThat(job.maxRunning.get()).isEqualTo(1);
    for (int i = 1; i < job.runs.size(); i++) {
      long gapMs = (job.runs.get(i)[0] - job.runs.get(i - 1)[1]) / 1_000_000;
      assertThat(gapMs).isGreaterThanOrEqualTo(19);
    }
    assertThat(job.released.get()).isEqualTo(1);
  }

  @Test
  void stoppingCancelsTheNextRun() throws Exception {
    Slow job = new Slow(true, Duration.ofMillis(100));
    runUntil(job, () -> job.runs.size() >= 1);
    int after = job.started.get();
    // No run starts after the undeploy (one in flight then does not end either: Vert.x cancels the undeployed
    // verticle's timers, the 30 ms one of the run included). A next run would start 100 ms after the last ended.
    await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(2)).until(() -> job.started.get() == after);
    assertThat(job.started.get()).isEqualTo(after);
  }

  @Test
  void aJobThatDoesNotPrepareNeverRuns() throws Exception {
    Slow job = new Slow(false, Duration.ofMillis(1));
    String id = join(vertx.deployVerticle(job));
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> job.runs.isEmpty());
    join(vertx.undeploy(id));
    assertThat(job.maxRunning.get()).isZero();
  }
}
