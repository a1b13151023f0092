package dev.beacon;

import dev.beacon.core.Tokens;
import dev.beacon.http.ApiKeys;
import dev.beacon.support.BeaconJar;
import dev.beacon.support.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.beacon.support.TestApp.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The real jar as an operator runs it: start, serve, and on SIGTERM finish what is in flight, then exit. */
@Timeout(180)
class BeaconProcessIT {
  private static final String KEY = "process-test-key";

  @RegisterExtension
  final BeaconJar.Server server = new BeaconJar.Server();
  private final Vertx vertx = server.vertx();

  private String start(Path dataDir) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(BeaconJar.command());
    pb.environment().putAll(BeaconJar.env(dataDir, 2));
    pb.environment().put("BEACON_AUTH_KEYS",
        "[{\"name\":\"t\",\"role\":\"agent\",\"sha256\":\"" + ApiKeys.sha256(KEY) + "\"}]");
    return server.start(pb, Duration.ofSeconds(120));
  }

  @Test
  void sigterm_letsAnInFlightImportFinish_thenExitsCleanly(@TempDir Path dataDir) throws Exception {
    String base = start(dataDir);
    int port = Integer.parseInt(base.substring(base.lastIndexOf(':') + 1));
    Pool pool = TestDatabase.get().pool(vertx, 2);
    String marker = "sigterm" + System.nanoTime();
    long before = count(pool, marker);

    HttpClient client = vertx.createHttpClient();
    HttpClientRequest req = await(client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("localhost")
        .setPort(port).setURI("/api/debtors/import").putHeader("Authorization", "Bearer " + KEY)
        .putHeader("Content-Type", "application/x-ndjson")));
    req.setChunked(true);
    var response = req.response().compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), b)));
    int rows = 3000;
    await(req.write(lines(marker, 0, 1500)));
    // The first batch of 1,000 is committed: the request is certainly in flight on the server.
    await().atMost(Duration.ofSeconds(60)).until(() -> count(pool, marker) - before >= 1000);

    server.process().toHandle().destroy(); // SIGTERM
    await(req.end(lines(marker, 1500, rows)));

    Answer r = await(response);
    assertThat(r.status()).isEqualTo(200);
    JsonObject body = r.body().toJsonObject();
    assertThat(body.getLong("created")).isEqualTo(rows);
    assertThat(server.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(count(pool, marker) - before).isEqualTo(rows);
    assertThat(server.output()).anyMatch(l -> l.contains("Beacon stopped"));
    assertThat(server.output()).noneMatch(l -> l.contains("Exception"));
    await(pool.close());
  }

  @Test
  void sigterm_underTrackingLoad_everyBeaconAnswered204IsCommitted(@TempDir Path dataDir) throws Exception {
    String base = start(dataDir);
    int port = Integer.parseInt(base.substring(base.lastIndexOf(':') + 1));
    Pool pool = TestDatabase.get().pool(vertx, 2);
    String token = Tokens.newToken();
    UUID debtor = await(pool.preparedQuery("""
            INSERT INTO debtors (first_name, last_name, unique_token) VALUES ('Sig', 'Term', $1) RETURNING id""")
        .execute(Tuple.of(token))).iterator().next().getUUID(0);

    var client = WebClient.create(vertx, new WebClientOptions()
        .setDefaultHost("localhost").setDefaultPort(port), new PoolOptions().setHttp1MaxSize(32));
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    AtomicInteger lost = new AtomicInteger();
    AtomicInteger other = new AtomicInteger();
    AtomicBoolean stopSending = new AtomicBoolean();
    AtomicInteger running = new AtomicInteger(32);
    String body = new JsonObject().put("token", token).put("pageType", "landing").encode();
    Runnable[] send = new Runnable[1];
    send[0] = () -> {
      if (stopSending.get()) {
        running.decrementAndGet();
        return;
      }
      client.post("/t/b").putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body))
          .onComplete(ar -> {
            if (ar.succeeded()) {
              int status = ar.result().statusCode();
              if (status == 204) {
                ok.incrementAndGet();
              } else if (status == 503) {
                refused.incrementAndGet();
              } else {
                other.incrementAndGet();
              }
              send[0].run();
            } else {
              // Connection refused or closed: the process is going away.
              lost.incrementAndGet();
              stopSending.set(true);
              running.decrementAndGet();
            }
          });
    };
    for (int i = 0; i < 32; i++) {
      vertx.runOnContext(v -> send[0].run());
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> ok.get() >= 300);
    server.process().toHandle().destroy(); // SIGTERM
    assertThat(server.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
    stopSending.set(true);
    await().atMost(Duration.ofSeconds(30)).until(() -> running.get() == 0);

    // Committed means in the journal or, once an enricher moved it, in page_views (one snapshot sees both).
    long stored = await(pool.preparedQuery("""
            SELECT (SELECT count(*) FROM page_views WHERE debtor_id = $1)
                 + (SELECT count(*) FROM tracking_journal WHERE token = $2)""")
        .execute(Tuple.of(debtor, token))).iterator().next().getLong(0);
    assertThat(other.get()).isZero();
    // Every 204 is in the database; a request whose answer was lost with its connection may be there too.
    assertThat(stored).isBetween((long) ok.get(), (long) ok.get() + lost.get());
    assertThat(server.output()).anyMatch(l -> l.contains("Beacon stopped"));
    client.close();
    await(pool.close());
  }

  private static Buffer lines(String marker, int from, int to) {
    StringBuilder sb = new StringBuilder();
    for (int i = from; i < to; i++) {
      sb.append("{\"firstName\":\"P").append(i).append("\",\"lastName\":\"").append(marker)
          .append("\",\"email\":\"").append(marker).append('.').append(i).append("@example.com\"}\n");
    }
    return Buffer.buffer(sb.toString());
  }

  private static long count(Pool pool, String marker) {
    return await(pool.preparedQuery("SELECT count(*) FROM debtors WHERE last_name = $1")
        .execute(Tuple.of(marker))).iterator().next().getLong(0);
  }

  private record Answer(int status, Buffer body) {}
}
