package dev.beacon.ops;

import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;

import java.util.EnumSet;

/**
 * The Vert.x options Beacon runs with: Micrometer metrics in a Prometheus registry, served at {@code /metrics}.
 * HTTP server meters are labelled by route pattern (e.g. {@code /api/debtors/:id}), method and status code,
 * never by the raw path, so tokens and ids never become label values. JVM meters (memory, GC, threads, CPU,
 * class loading) are bound to the same registry.
 */
public final class Metrics {
  private Metrics() {}

  public static MicrometerMetricsOptions options() {
    return new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setLabels(EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE, Label.POOL_TYPE,
            Label.POOL_NAME))
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true).setPublishQuantiles(true));
  }

  public static VertxOptions vertxOptions() {
    return new VertxOptions().setMetricsOptions(options());
  }
}
