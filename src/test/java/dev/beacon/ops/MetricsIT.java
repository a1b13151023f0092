package dev.beacon.ops;

import dev.beacon.core.Tokens;
import dev.beacon.support.Http;
import dev.beacon.support.TestApp;
import dev.beacon.support.TestDatabase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.beacon.support.TestApp.AGENT_KEY;
import static dev.beacon.support.TestApp.OPS_KEY;
import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class MetricsIT {
  /** {@code name{labels} value} lines of the Prometheus text format. */
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)$");

  @Test
  void metrics_requireTheOpsKey() {
    try (TestApp app = TestApp.startWithMetrics(new JsonObject(), TestDatabase.get())) {
      Http http = new Http(app);
      assertThat(http.get("/metrics", null).statusCode()).isEqualTo(401);
      assertThat(http.get("/metrics", AGENT_KEY).statusCode()).isEqualTo(403);
      assertThat(http.get("/metrics", OPS_KEY).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void scrape_hasRouteLatencyWriterPoolAndJvmSeries_withoutRawPathsAsLabels() {
    try (TestApp app = TestApp.startWithMetrics(new JsonObject(), TestDatabase.get())) {
      app.reset();
      Http http = new Http(app);
      String unknown = Tokens.newToken();
      for (int i = 0; i < 3; i++) {
        assertThat(http.get("/t/o/" + unknown + ".gif", null).statusCode()).isEqualTo(200);
      }
      assertThat(http.get("/api/debtors/" + UUID.randomUUID(), AGENT_KEY).statusCode()).isEqualTo(404);
      assertThat(http.post("/api/scoring/run?full=true", AGENT_KEY, new JsonObject()).statusCode()).isEqualTo(200);
      // The unknown tokens are counted as the enricher moves their journal rows (it may skip a turn while a rollup
      // run recounts an hour).
      app.enriched();

      HttpResponse<Buffer> res = http.get("/metrics", OPS_KEY);
      assertThat(res.getHeader("Content-Type")).startsWith("text/plain");
      String text = res.bodyAsString();
      Map<String, Double> samples = parse(text);

      assertThat(sum(samples, "vertx_http_server_requests_total", "route=\"/t/o/\"")).isEqualTo(3);
      assertThat(sum(samples, "vertx_http_server_requests_total", "/api/debtors/:id\"")).isEqualTo(1);
      assertThat(samples.keySet()).anyMatch(k -> k.startsWith("vertx_http_server_response_time_seconds_bucket{"));
      assertThat(text).doesNotContain(unknown);
      assertThat(sum(samples, "beacon_tracking_unknown_tokens_total", "")).isGreaterThanOrEqualTo(3);
      assertThat(sum(samples, "beacon_tracking_batch_size_count", "")).isPositive();
      assertThat(sum(samples, "beacon_tracking_commit_seconds_count", "")).isPositive();
      assertThat(samples).containsKey("beacon_tracking_batches_hedged_total");
      assertThat(samples).containsKey("beacon_tracking_queue_depth");
      assertThat(samples).containsKey("beacon_tracking_queue_fill_max");
      assertThat(samples.keySet()).anyMatch(k -> k.startsWith("beacon_tracking_events_total{outcome=\"shed\""));
      assertThat(samples.keySet()).anyMatch(k -> k.startsWith("beacon_tracking_email_events_total{label=\"scanner\""));
      assertThat(samples.keySet()).anyMatch(k -> k.startsWith("vertx_pool_") && k.contains("pool_name=\"beacon\""));
      assertThat(sum(samples, "beacon_scoring_runs_seconds_count", "kind=\"full\"")).isGreaterThanOrEqualTo(1);
      assertThat(samples.keySet()).anyMatch(k -> k.startsWith("beacon_scoring_runs_seconds_sum{"));
      assertThat(samples.keySet()).anyMatch(k -> k.startsWith("beacon_scoring_debtors_total{result=\"scored\""));
      assertThat(samples.keySet()).anyMatch(k -> k.startsWith("jvm_memory_used_bytes"));
      assertThat(samples.keySet()).anyMatch(k -> k.startsWith("jvm_gc_"));
      assertThat(samples.keySet()).anyMatch(k -> k.startsWith("jvm_threads_live_threads"));
      assertThat(samples.keySet()).anyMatch(k -> k.startsWith("process_cpu_usage"));
    }
  }

  @Test
  void methodLabel_isBounded_anyNonStandardMethodCountsAsOther() {
    try (TestApp app = TestApp.startWithMetrics(new JsonObject(), TestDatabase.get())) {
      Http http = new Http(app);
      String token = Tokens.newToken();
      // A client may send any token as its method; each used to become a series of its own.
      for (String method : new String[] {"PROBEONE", "PROBETWO", "X" + token.replaceAll("[^A-Za-z]", "").toUpperCase()}) {
        var r = TestApp.await(app.client.request(HttpMethod.valueOf(method), "/p/" + token).send());
        assertThat(r.statusCode()).as(method).isEqualTo(405);
      }
      assertThat(http.get("/t/o/" + token + ".gif", null).statusCode()).isEqualTo(200);

      String text = http.get("/metrics", OPS_KEY).bodyAsString();
      Map<String, Double> samples = parse(text);
      assertThat(sum(samples, "vertx_http_server_requests_total", "method=\"OTHER\"")).isEqualTo(3);
      assertThat(sum(samples, "vertx_http_server_requests_total", "method=\"GET\",route=\"/t/o/\"")).isEqualTo(1);
      assertThat(text).doesNotContain("PROBEONE").doesNotContain("PROBETWO").doesNotContain(token);
      assertThat(samples.keySet()).filteredOn(k -> k.startsWith("vertx_http_server_"))
          .allMatch(k -> k.matches(".*method=\"(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|TRACE|CONNECT|OTHER)\".*")
              || !k.contains("method="));
    }
  }

  static Map<String, Double> parse(String text) {
    Map<String, Double> samples = new HashMap<>();
    for (String line : text.split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertThat(m.matches()).as("a Prometheus sample line: %s", line).isTrue();
      samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
    }
    return samples;
  }

  /** The sum of a series' samples whose labels contain {@code label}. */
  static double sum(Map<String, Double> samples, String name, String label) {
    return samples.entrySet().stream()
        .filter(e -> e.getKey().equals(name) || e.getKey().startsWith(name + "{"))
        .filter(e -> e.getKey().contains(label))
        .mapToDouble(Map.Entry::getValue).sum();
  }
}
