package dev.beacon.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.micrometer.backends.BackendRegistries;

/**
 * Where Beacon's own meters go: Vert.x's Micrometer registry when the process runs with metrics (Beacon main
 * always does), else a process-wide simple registry so that code counting things never needs to care.
 */
public final class Meters {
  private static final MeterRegistry FALLBACK = new SimpleMeterRegistry();

  private Meters() {}

  public static MeterRegistry registry() {
    MeterRegistry r = BackendRegistries.getDefaultNow();
    return r == null ? FALLBACK : r;
  }

  /** A counter with one tag, registered once (Micrometer returns the existing meter on later calls). */
  public static Counter counter(String name, String tag, String value, String description) {
    return Counter.builder(name).tag(tag, value).description(description).register(registry());
  }
}
