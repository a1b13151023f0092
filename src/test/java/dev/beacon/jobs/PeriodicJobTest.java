package dev.beacon.jobs;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
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

  private static void join(Future<?> f) throws Exception {
    f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void runsNeverOverlapAndTheNextStartsAnIntervalAfterTheLastEnded() throws Exception {
    Slow job = new Slow(true, Duration.ofMillis(20));
    String id = vertx.deployVerticle(job).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> job.runs.size() >= 4);
    join(vertx.undeploy(id));
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
    String id = vertx.deployVerticle(job).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> job.runs.size() >= 1);
    join(vertx.undeploy(id));
    int after = job.started.get();
    // No run starts after the undeploy (one in flight then does not end either: Vert.x cancels the undeployed
    // verticle's timers, the 30 ms one of the run included). A next run would start 100 ms after the last ended.
    await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(2)).until(() -> job.started.get() == after);
    assertThat(job.started.get()).isEqualTo(after);
  }

  @Test
  void aJobThatDoesNotPrepareNeverRuns() throws Exception {
    Slow job = new Slow(false, Duration.ofMillis(1));
    String id = vertx.deployVerticle(job).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> job.runs.isEmpty());
    join(vertx.undeploy(id));
    assertThat(job.maxRunning.get()).isZero();
  }
}
