package dev.beacon.ops;

import dev.beacon.app.Routes;
import dev.beacon.http.HttpVerticle;
import dev.beacon.support.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.beacon.support.TestApp.AGENT_KEY;
import static dev.beacon.support.TestApp.OPS_KEY;
import static dev.beacon.support.TestApp.await;
import static org.assertj.core.api.Assertions.assertThat;

@Timeout(120)
class InstanceScalingIT {
  private static final int REQUESTS = 2000;
  private static final int IN_FLIGHT = 32;

  @Test
  void put_changesTheInstances_underLoad_withoutAFailedRequest() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (TestApp app = TestApp.start(new JsonObject().put("http", new JsonObject().put("port", port)))) {
      app.stopEnricher(); // only HTTP verticles are counted below; this test reads no events
      InstanceScaler scaler = await(InstanceScaler.create(app.vertx, () -> Routes.httpVerticle(app.services)));
      await(scaler.scale(2));
      // Admin calls open a connection each: a keep-alive connection left idle on an instance being replaced can
      // be closed by its shutdown just as the next request is sent (HTTP/1.1's idle-close race; see docs/operations.md).
      WebClient admin = WebClient.create(app.vertx, new WebClientOptions().setDefaultHost("localhost")
          .setDefaultPort(port).setKeepAlive(false));
      assertThat(get(admin, "/admin/instances", OPS_KEY).bodyAsJsonObject()).isEqualTo(new JsonObject().put("http", 2));
      assertThat(get(admin, "/admin/instances", AGENT_KEY).statusCode()).isEqualTo(403);
      assertThat(put(admin, OPS_KEY, new JsonObject().put("http", 0)).statusCode()).isEqualTo(400);

      WebClient load = WebClient.create(app.vertx, new WebClientOptions().setDefaultHost("localhost")
          .setDefaultPort(port), new PoolOptions().setHttp1MaxSize(IN_FLIGHT));
      Map<String, Integer> failures = new ConcurrentHashMap<>();
      AtomicInteger sent = new AtomicInteger();
      AtomicInteger ok = new AtomicInteger();
      Promise<Void> done = Promise.promise();
      AtomicInteger finished = new AtomicInteger();
      for (int i = 0; i < IN_FLIGHT; i++) {
        next(load, sent, ok, failures, finished, done);
      }

      eventually().until(() -> sent.get() > REQUESTS / 5);
      assertThat(put(admin, OPS_KEY, new JsonObject().put("http", 4)).bodyAsJsonObject())
          .isEqualTo(new JsonObject().put("http", 4));
      eventually().until(() -> sent.get() > REQUESTS / 2);
      assertThat(put(admin, OPS_KEY, new JsonObject().put("http", 1)).statusCode()).isEqualTo(200);
      assertThat(get(admin, "/admin/instances", OPS_KEY).bodyAsJsonObject().getInteger("http")).isEqualTo(1);

      await(done.future());
      await(scaler.settled());
      load.close();
      assertThat(failures).isEmpty();
      assertThat(ok.get()).isEqualTo(REQUESTS);
      // The app's own instance, the scaler's anchor and the scaler's one set of instances.
      assertThat(app.vertx.deploymentIDs()).hasSize(3);

      // Changes asked for through the scaler's own instances: the new set must not die with the old one.
      app.undeployVerticle();
      for (int n : new int[] {3, 2}) {
        assertThat(put(admin, OPS_KEY, new JsonObject().put("http", n)).statusCode()).isEqualTo(200);
        await(scaler.settled());
        assertThat(get(admin, "/admin/instances", OPS_KEY).bodyAsJsonObject().getInteger("http")).isEqualTo(n);
      }
      assertThat(app.vertx.deploymentIDs()).hasSize(2); // the anchor and its one set
      await(scaler.stop());
      assertThat(app.vertx.deploymentIDs()).isEmpty();
    }
  }

  private static HttpResponse<Buffer> get(WebClient c, String path, String key) {
    return await(c.get(path).bearerTokenAuthentication(key).send());
  }

  private static HttpResponse<Buffer> put(WebClient c, String key, JsonObject body) {
    return await(c.put("/admin/instances").bearerTokenAuthentication(key).sendJsonObject(body));
  }

  private static ConditionFactory eventually() {
    return Awaitility.await().atMost(Duration.ofSeconds(60));
  }

  private static Future<HttpResponse<Buffer>> read(WebClient load) {
    return load.get("/api/debtors?limit=5").bearerTokenAuthentication(AGENT_KEY).send();
  }

  /** Connections of one old instance closed at once: how often a GET that met a closed one is sent again. */
  private static final int CLOSED_RETRIES = 3;

  private static Future<HttpResponse<Buffer>> readRetryingClosed(WebClient load, int retries) {
    return read(load).recover(t -> t instanceof HttpClosedException && retries > 0
        ? readRetryingClosed(load, retries - 1) : Future.failedFuture(t));
  }

  /** One client "thread": a debtor read, then the next, until {@link #REQUESTS} have been sent in all. */
  private static void next(WebClient load, AtomicInteger sent, AtomicInteger ok, Map<String, Integer> failures,
                           AtomicInteger finished, Promise<Void> done) {
    if (sent.getAndIncrement() >= REQUESTS) {
      if (finished.incrementAndGet() == IN_FLIGHT) {
        done.complete();
      }
      return;
    }
    // A keep-alive connection that stayed idle through an old instance's drain second is closed by its shutdown;
    // a GET sent on it at that instant fails with HttpClosedException before the server read it (HTTP/1.1's
    // idle-close race). Clients retry an idempotent request then, and so does this one; the pool may hand out
    // another idle connection that the same shutdown is closing, so up to CLOSED_RETRIES times.
    readRetryingClosed(load, CLOSED_RETRIES).onComplete(ar -> {
      if (ar.succeeded() && ar.result().statusCode() == 200) {
        ok.incrementAndGet();
      } else {
        failures.merge(ar.succeeded() ? "status " + ar.result().statusCode() : ar.cause().toString(), 1, Integer::sum);
      }
      next(load, sent, ok, failures, finished, done);
    });
  }
}
