package dev.beacon.ops;

import io.micrometer.core.instrument.Tags;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;

import java.util.EnumSet;
import java.util.Set;

/**
 * The Vert.x options Beacon runs with: Micrometer metrics in a Prometheus registry, served at {@code /metrics}.
 * HTTP server meters are labelled by route pattern (e.g. {@code /api/debtors/:id}), method and status code,
 * never by the raw path, so tokens and ids never become label values. The method label is one of the standard
 * methods or {@code OTHER}: a client may send any token as its method, and each would otherwise become a series
 * of its own. JVM meters (memory, GC, threads, CPU, class loading) are bound to the same registry.
 */
public final class Metrics {
  static final String METHOD = "method";
  static final String OTHER_METHOD = "OTHER";
  private static final Set<HttpMethod> STANDARD_METHODS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST,
      HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE, HttpMethod.OPTIONS, HttpMethod.TRACE, HttpMethod.CONNECT);

  private Metrics() {}

  public static MicrometerMetricsOptions options() {
    return new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        // Vert.x's own method label would take the client's method verbatim; this one is bounded.
        .setLabels(EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_CODE, Label.POOL_TYPE, Label.POOL_NAME))
        // Beacon uses no event bus; and without the side label its local and remote "pending" gauges would share
        // one id, which Micrometer refuses with a WARN at every start.
        .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS)
        .setServerRequestTagsProvider(request -> Tags.of(METHOD, methodLabel(request.method())))
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true).setPublishQuantiles(true));
  }

  /** The standard method's name, or {@code OTHER} for any other token a client sent as its method. */
  static String methodLabel(HttpMethod method) {
    return method != null && STANDARD_METHODS.contains(method) ? method.name() : OTHER_METHOD;
  }

  public static VertxOptions vertxOptions() {
    return new VertxOptions().setMetricsOptions(options());
  }
}
