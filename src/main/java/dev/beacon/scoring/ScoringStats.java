package dev.beacon.scoring;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.micrometer.backends.BackendRegistries;

import java.util.concurrent.TimeUnit;

/**
 * Scoring runs in Vert.x's Micrometer registry (a process-wide simple registry when metrics are off):
 * {@code beacon_scoring_runs_seconds{kind=full|incremental}} (count and duration of completed runs),
 * {@code beacon_scoring_unfinished_runs_total{outcome=skipped|failed}} and {@code beacon_scoring_debtors_total{result}}.
 */
final class ScoringStats {
  private static final MeterRegistry FALLBACK = new SimpleMeterRegistry();
  private final MeterRegistry registry;

  private ScoringStats(MeterRegistry registry) {
    this.registry = registry;
  }

  static ScoringStats current() {
    MeterRegistry r = BackendRegistries.getDefaultNow();
    return new ScoringStats(r == null ? FALLBACK : r);
  }

  void completed(ScoringJob.Run run) {
    if (!run.ran()) {
      outcome("skipped");
      return;
    }
    Timer.builder("beacon_scoring_runs").tag("kind", run.full() ? "full" : "incremental")
        .description("Completed scoring runs and how long they took").register(registry)
        .record(run.endNanos() - run.startNanos(), TimeUnit.NANOSECONDS);
    debtors("scored", run.scored());
    debtors("changed", run.changed());
  }

  void failed() {
    outcome("failed");
  }

  private void outcome(String outcome) {
    Counter.builder("beacon_scoring_unfinished_runs").tag("outcome", outcome)
        .description("Scoring runs skipped (another process held the lock) or failed").register(registry).increment();
  }

  private void debtors(String result, int n) {
    Counter.builder("beacon_scoring_debtors").tag("result", result)
        .description("Debtors scored by scoring runs, and those whose score changed").register(registry).increment(n);
  }
}
