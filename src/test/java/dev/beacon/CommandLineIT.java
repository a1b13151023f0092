package dev.beacon;

import dev.beacon.http.ApiKeys;
import dev.beacon.support.BeaconJar;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.beacon.support.TestApp.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The real jar's command line, logs and shutdown, as an operator meets them. */
@Timeout(240)
class CommandLineIT {
  private static final Path REPO = Path.of("").toAbsolutePath();

  @RegisterExtension
  final BeaconJar.Server server = new BeaconJar.Server();
  private final Vertx vertx = server.vertx();

  record Result(int code, String out, String err) {}

  private static Result run(Path cwd, Map<String, String> env, String... args) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(BeaconJar.command(args)).directory(cwd.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out.get(), err.get());
  }

  private static String read(InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** The environment of a Beacon on the test database with its keys in dataDir's key file. */
  private static Map<String, String> env(Path dataDir) {
    return BeaconJar.env(dataDir, 1);
  }

  private String start(Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(BeaconJar.command()).directory(REPO.toFile());
    pb.environment().putAll(env);
    return server.start(pb, Duration.ofSeconds(150));
  }

  @Test
  void help_listsTheCommands_andUnknownCommandsOrOptions_exitNonZero_startingNothing(@TempDir Path cwd) throws Exception {
    for (String help : new String[] {"--help", "help"}) {
      Result r = run(cwd, Map.of(), help);
      assertThat(r.code()).isZero();
      assertThat(r.out()).contains("Usage: beacon", "migrate", "config", "keys", "backup", "restore", "--demo");
    }
    Result keysHelp = run(cwd, Map.of(), "keys", "--help");
    assertThat(keysHelp.out()).contains("create", "list", "revoke");
    for (String[] bad : new String[][] {{"frobnicate"}, {"--nope"}, {"run", "--dmeo"}, {"keys", "create", "--role", "admin",
        "--name", "x"}}) {
      long t0 = System.nanoTime();
      Result r = run(cwd, Map.of(), bad);
      assertThat(r.code()).as(String.join(" ", bad)).isEqualTo(2);
      assertThat(r.err()).containsAnyOf("Unmatched argument", "Unknown option", "Invalid value");
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
    }
    assertThat(cwd.resolve("data")).doesNotExist();
  }

  @Test
  void unknownBeaconVariable_failsTheStartNamingIt_withoutCreatingData(@TempDir Path cwd) throws Exception {
    Result r = run(cwd, Map.of("BEACON_HTTP_PROT", "9000"));
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("BEACON_HTTP_PROT");
    assertThat(cwd.resolve("data")).doesNotExist();
  }

  @Test
  void config_printsEffectiveValuesAndOrigins_secretsRedacted(@TempDir Path dir) throws Exception {
    Path secret = dir.resolve("stripe-key");
    Files.writeString(secret, "sk_test_doNotPrintMe\n");
    Map<String, String> env = new HashMap<>(env(dir.resolve("data")));
    env.put("BEACON_PAYMENTS_STRIPE_API_KEY_FILE", secret.toString());
    Result r = run(REPO, env, "config");
    assertThat(r.code()).isZero();
    assertThat(r.out()).containsPattern("payments.stripeApiKey +=  ?\\(set, redacted\\) +\\(file .*BEACON_PAYMENTS_STRIPE_API_KEY_FILE");
    assertThat(r.out()).containsPattern("http.port +=  ?0 +\\(environment variable BEACON_HTTP_PORT\\)");
    assertThat(r.out()).containsPattern("scoring.model +=  ?v1 +\\(conf/config.json\\)");
    assertThat(r.out()).doesNotContain("doNotPrintMe");
    assertThat(r.out()).containsPattern("db.url +=  ?\\(set, redacted\\) +\\(environment variable BEACON_DB_URL\\)");
  }

  @Test
  void keysCreateListRevoke_takeEffectInTheRunningServer_andJsonLogsCarryRequestIds(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    Map<String, String> env = new HashMap<>(env(data));
    env.put("BEACON_LOG_FORMAT", "json");
    env.put("BEACON_LOG_ACCESS", "true");
    String base = start(env);
    int port = Integer.parseInt(base.substring(base.lastIndexOf(':') + 1));
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("localhost").setDefaultPort(port));

    Result created = run(REPO, env, "keys", "create", "--role", "viewer", "--name", "grafana");
    assertThat(created.code()).isZero();
    String key = created.out().trim();
    assertThat(key).startsWith("bk_viewer_").doesNotContain("\n");
    assertThat(Files.readString(data.resolve("api-keys.json"))).doesNotContain(key)
        .contains(ApiKeys.sha256(key));
    assertThat(run(REPO, env, "keys", "create", "--role", "viewer", "--name", "grafana").code()).isEqualTo(1);

    Result list = run(REPO, env, "keys", "list");
    assertThat(list.out()).contains("grafana", "viewer", "first-agent", "first-ops").doesNotContain(key);

    await().atMost(Duration.ofSeconds(20)).until(() -> await(client.get("/api/dashboard/summary")
        .putHeader("Authorization", "Bearer " + key).putHeader("X-Request-Id", "it-viewer-1").send()).statusCode() == 200);

    assertThat(run(REPO, env, "keys", "revoke", "grafana").code()).isZero();
    assertThat(run(REPO, env, "keys", "revoke", "grafana").code()).isEqualTo(1);
    await().atMost(Duration.ofSeconds(20)).until(() -> await(client.get("/api/dashboard/summary")
        .putHeader("Authorization", "Bearer " + key).send()).statusCode() == 401);

    // A request id given is returned, in the header and in the problem (here: the revoked key's 401); one not
    // given is generated.
    var problem = await(client.get("/api/nothing").putHeader("Authorization", "Bearer " + key)
        .putHeader("X-Request-Id", "it-req-42").send());
    assertThat(problem.getHeader("X-Request-Id")).isEqualTo("it-req-42");
    assertThat(problem.bodyAsJsonObject().getString("requestId")).isEqualTo("it-req-42");
    var plain = await(client.get("/health/live").send());
    assertThat(plain.getHeader("X-Request-Id")).matches("[0-9a-f]{32}");
    String token = "tok" + "x".repeat(30);
    await(client.get("/t/o/" + token + ".gif?secret=q1").send());

    await().atMost(Duration.ofSeconds(10)).until(() -> server.output().stream().anyMatch(l -> l.contains("it-req-42")));
    List<JsonObject> lines = new ArrayList<>();
    for (String l : server.output()) {
      if (l.startsWith("{")) {
        lines.add(new JsonObject(l));
      }
    }
    assertThat(lines).isNotEmpty();
    assertThat(lines).anySatisfy(j -> {
      assertThat(j.getString("loggerName")).isEqualTo("beacon.access");
      assertThat(j.getJsonObject("mdc").getString("requestId")).isEqualTo("it-req-42");
      assertThat(j.getString("formattedMessage")).startsWith("GET /api/nothing 401");
    });
    assertThat(lines).anySatisfy(j -> assertThat(j.getString("formattedMessage")).contains("API keys reloaded"));
    // The access log never holds a key, a token or a query string.
    assertThat(server.output()).noneMatch(l -> l.contains(key) || l.contains(token) || l.contains("secret=q1"));
    // A healthy start writes no WARN line.
    assertThat(lines).noneMatch(j -> j.getString("level").equals("WARN") || j.getString("level").equals("ERROR"));
    client.close();
  }

  @Test
  void sigterm_readinessTurns503First_whileAnInFlightRequestFinishes(@TempDir Path dir) throws Exception {
    Map<String, String> env = new HashMap<>(env(dir.resolve("data")));
    String agent = "drain-test-agent-key";
    env.put("BEACON_AUTH_KEYS", "[{\"name\":\"a\",\"role\":\"agent\",\"sha256\":\"" + ApiKeys.sha256(agent) + "\"}]");
    env.put("BEACON_HTTP_SHUTDOWN_DELAY", "4s");
    String base = start(env);
    int port = Integer.parseInt(base.substring(base.lastIndexOf(':') + 1));
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("localhost").setDefaultPort(port)
        .setKeepAlive(false));
    assertThat(await(client.get("/health/ready").send()).statusCode()).isEqualTo(200);

    HttpClient http = vertx.createHttpClient();
    HttpClientRequest req = await(http.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("localhost")
        .setPort(port).setURI("/api/debtors/import").putHeader("Authorization", "Bearer " + agent)
        .putHeader("Content-Type", "application/x-ndjson")));
    req.setChunked(true);
    var response = req.response().compose(r -> r.body().map(b -> r.statusCode()));
    String marker = "drain" + System.nanoTime();
    await(req.write(Buffer.buffer("{\"firstName\":\"A\",\"lastName\":\"" + marker + "\"}\n")));

    long t0 = System.nanoTime();
    server.process().toHandle().destroy(); // SIGTERM
    await().atMost(Duration.ofSeconds(3)).until(() -> {
      var r = await(client.get("/health/ready").send());
      return r.statusCode() == 503 && r.bodyAsString().contains("shutting down");
    });
    // Still serving while the balancer notices: liveness is fine, new requests are answered.
    assertThat(await(client.get("/health/live").send()).statusCode()).isEqualTo(200);
    await(req.end(Buffer.buffer("{\"firstName\":\"B\",\"lastName\":\"" + marker + "\"}\n")));
    assertThat(await(response)).isEqualTo(200);
    assertThat(server.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofSeconds(4));
    assertThat(server.output()).anyMatch(l -> l.contains("readiness is 503"));
    assertThat(server.output()).anyMatch(l -> l.contains("Beacon stopped"));
    client.close();
  }
}
