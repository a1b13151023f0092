package dev.beacon.tracking;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.micrometer.backends.BackendRegistries;

/**
 * The tracking writer's counters, in Vert.x's Micrometer registry when metrics are enabled (else in a
 * process-wide simple registry), shared by every verticle instance: events committed, requests shed because
 * the queue was full (pixels and clicks are still answered), events whose statement failed, batches.
 */
public final class TrackingStats {
  private static final MeterRegistry FALLBACK = new SimpleMeterRegistry();
  private final Counter committed;
  private final Counter shed;
  private final Counter failed;
  private final Counter batches;

  /** A snapshot of the counters. */
  public record Snapshot(long committed, long shed, long failed, long batches) {}

  private TrackingStats(MeterRegistry registry) {
    committed = counter(registry, "committed", "Tracking events committed");
    shed = counter(registry, "shed", "Tracking requests not recorded because the writer queue was full");
    failed = counter(registry, "failed", "Tracking events whose statement failed");
    batches = Counter.builder("beacon_tracking_batches").description("Tracking writer flushes").register(registry);
  }

  /** The counters in the current metrics registry. */
  public static TrackingStats current() {
    MeterRegistry r = BackendRegistries.getDefaultNow();
    return new TrackingStats(r == null ? FALLBACK : r);
  }

  private static Counter counter(MeterRegistry registry, String outcome, String description) {
    return Counter.builder("beacon_tracking_events").tag("outcome", outcome).description(description)
        .register(registry);
  }

  void committed(int n) {
    committed.increment(n);
  }

  void shed() {
    shed.increment();
  }

  void failed(int n) {
    failed.increment(n);
  }

  void batch() {
    batches.increment();
  }

  public Snapshot snapshot() {
    return new Snapshot((long) committed.count(), (long) shed.count(), (long) failed.count(), (long) batches.count());
  }
}
