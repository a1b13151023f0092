package dev.beacon;

import dev.beacon.config.BeaconConfig;
import dev.beacon.config.ConfigSource;
import dev.beacon.core.Tokens;
import dev.beacon.support.Http;
import dev.beacon.support.TestApp;
import dev.beacon.support.TestDatabase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.beacon.support.TestApp.AGENT_KEY;
import static dev.beacon.support.TestApp.OPS_KEY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaging (Dockerfile, compose.yaml, deploy/) cannot be built here (no container engine): this checks that
 * every variable, port, path, probe, command and metric it names exists in Beacon.
 */
@Timeout(120)
class PackagingIT {
  private static final List<Path> PACKAGING = List.of(Path.of("Dockerfile"), Path.of("compose.yaml"),
      Path.of("deploy/k8s/deployment.yaml"), Path.of("deploy/k8s/service.yaml"), Path.of("deploy/k8s/secret.yaml"),
      Path.of("deploy/systemd/beacon.service"));
  private static final List<Path> MONITORING = List.of(Path.of("deploy/grafana/beacon-dashboard.json"),
      Path.of("deploy/prometheus/beacon-alerts.yaml"));

  private static String all(List<Path> files) throws Exception {
    StringBuilder sb = new StringBuilder();
    for (Path p : files) {
      assertThat(p).exists();
      sb.append(Files.readString(p)).append('\n');
    }
    return sb.toString();
  }

  private static Set<String> matches(String text, String regex, int group) {
    Set<String> out = new TreeSet<>();
    Matcher m = Pattern.compile(regex).matcher(text);
    while (m.find()) {
      out.add(m.group(group));
    }
    return out;
  }

  @Test
  void everyBeaconVariableInThePackaging_isAConfigurationKey() throws Exception {
    Set<String> known = new HashSet<>();
    BeaconConfig.KEYS.forEach(k -> known.add(ConfigSource.envName(k)));
    BeaconConfig.SECRETS.forEach(k -> known.add(ConfigSource.envName(k) + ConfigSource.FILE_SUFFIX));
    Set<String> named = matches(all(PACKAGING), "\\b(BEACON_[A-Z0-9_]+)\\b", 1);
    assertThat(named).hasSizeGreaterThan(10);
    assertThat(named).allSatisfy(v -> assertThat(known).as("known variable").contains(v));
  }

  @Test
  void portsAndCommands_areBeacons() throws Exception {
    String text = all(PACKAGING);
    int port = BeaconConfig.of(new JsonObject()).http().port();
    assertThat(matches(text, "(?:EXPOSE|containerPort:|targetPort:|localhost:|BEACON_HTTP_PORT[=:] *\"?)\\s*(\\d{2,5})", 1))
        .containsOnly(String.valueOf(port));
    Set<String> commands = new CommandLine(new Cli()).getSubcommands().keySet();
    Set<String> used = new TreeSet<>();
    used.addAll(matches(text, "args: \\[\"([a-z]+)\"", 1));
    used.addAll(matches(text, "CMD \\[\"([a-z]+)\"\\]", 1));
    used.addAll(matches(text, "beacon\\.jar ([a-z]+)", 1));
    used.addAll(matches(text, "run --rm beacon ([a-z]+)", 1));
    assertThat(used).contains("migrate", "run");
    assertThat(commands).containsAll(used);
  }

  @Test
  void everyPathAndProbe_andEveryQueriedMetric_isServed() throws Exception {
    Set<String> paths = matches(all(PACKAGING), "(/health/[a-z]+|/metrics)\\b", 1);
    assertThat(paths).contains("/health/live", "/health/ready", "/metrics");
    Set<String> metrics = matches(all(MONITORING), "\\b((?:beacon|vertx|jvm|process)_[a-z0-9_]+)", 1);
    assertThat(metrics).hasSizeGreaterThan(8);
    JsonObject payments = new JsonObject().put("payments", new JsonObject().put("stripeApiKey", "sk_test_unused")
        .put("stripeWebhookSecret", "whsec_test").put("stripeApiBase", "http://127.0.0.1:9"));
    try (TestApp app = TestApp.startWithMetrics(payments, TestDatabase.get())) {
      app.reset();
      Http http = new Http(app);
      for (String p : paths) {
        int status = http.get(p, OPS_KEY).statusCode();
        assertThat(status).as(p).isEqualTo(200);
      }
      // Make the counters that only exist once counted exist: a pixel, a 404, a scoring run, a bad webhook.
      http.get("/t/o/" + Tokens.newToken() + ".gif", null);
      http.get("/api/debtors/" + UUID.randomUUID(), AGENT_KEY);
      assertThat(http.post("/api/scoring/run?full=true", AGENT_KEY, new JsonObject()).statusCode()).isEqualTo(200);
      assertThat(TestApp.await(app.client.post("/webhooks/stripe").putHeader("Content-Type", "application/json")
          .putHeader("Stripe-Signature", "t=1,v1=00").sendBuffer(Buffer.buffer("{}")))
          .statusCode()).isEqualTo(400);
      String scrape = http.get("/metrics", OPS_KEY).bodyAsString();
      Set<String> exposed = new TreeSet<>();
      Stream.of(scrape.split("\n")).filter(l -> !l.startsWith("#") && !l.isBlank())
          .forEach(l -> exposed.add(l.split("[{ ]", 2)[0]));
      assertThat(metrics).allSatisfy(m -> assertThat(exposed).as("exposed by /metrics").contains(m));
    }
  }
}
