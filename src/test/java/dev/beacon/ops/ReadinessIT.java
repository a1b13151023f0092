package dev.beacon.ops;

import dev.beacon.core.Tokens;
import dev.beacon.db.Database;
import dev.beacon.support.Http;
import dev.beacon.support.TcpProxy;
import dev.beacon.support.TestApp;
import dev.beacon.support.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.beacon.support.TestApp.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@Timeout(90)
class ReadinessIT {

  @Test
  void ready_goesDownWhenTheDatabaseIsUnreachable_andComesBackByItself() throws Exception {
    Database real = TestDatabase.get();
    try (TcpProxy proxy = new TcpProxy(real.connect().getHost(), real.connect().getPort())) {
      Database viaProxy = new Database(new PgConnectOptions(real.connect()).setHost("127.0.0.1").setPort(proxy.port()));
      try (TestApp app = TestApp.startWithMetrics(new JsonObject(), viaProxy)) {
        Http http = new Http(app);
        assertThat(http.get("/health/ready", null).statusCode()).isEqualTo(200);

        proxy.cut();
        await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/health/ready", null).statusCode() == 503);
        HttpResponse<Buffer> down = http.get("/health/ready", null);
        assertThat(down.bodyAsJsonObject().getString("status")).isEqualTo("DOWN");
        assertThat(http.get("/health/live", null).statusCode()).isEqualTo(200);

        proxy.restore();
        await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/health/ready", null).statusCode() == 200);
        assertThat(http.get("/health/live", null).statusCode()).isEqualTo(200);
      }
    }
  }

  @Test
  void ready_goesDownWhileTheWriterIsSaturated_andComesBackWhenItDrains() {
    int capacity = 10;
    try (TestApp app = TestApp.startWithMetrics(
        new JsonObject().put("tracking", new JsonObject().put("queueCapacity", capacity)), TestDatabase.get())) {
      Http http = new Http(app);
      assertThat(http.get("/health/ready", null).statusCode()).isEqualTo(200);

      // Hold every write to the tracking journal: the writer's statements wait, its queue fills.
      SqlConnection lock = await(app.pool.getConnection());
      Transaction tx = await(lock.begin());
      await(lock.query("LOCK TABLE tracking_journal IN ACCESS EXCLUSIVE MODE").execute());
      // A client of its own with enough connections: the app's client stays free for the health checks.
      WebClient many = WebClient.create(app.vertx, new WebClientOptions().setDefaultHost("localhost")
          .setDefaultPort(app.port), new PoolOptions().setHttp1MaxSize(capacity * 2));
      List<Future<HttpResponse<Buffer>>> pixels = new ArrayList<>();
      for (int i = 0; i < capacity + 2; i++) {
        pixels.add(many.get("/t/o/" + Tokens.newToken() + ".gif").send());
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/health/ready", null).statusCode() == 503);
      JsonObject writer = http.get("/health/ready", null).bodyAsJsonObject().getJsonArray("checks").stream()
          .map(JsonObject.class::cast).filter(c -> c.getString("id").equals("writer")).findFirst().orElseThrow();
      assertThat(writer.getString("status")).isEqualTo("DOWN");
      assertThat(http.get("/health/live", null).statusCode()).isEqualTo(200);

      await(tx.rollback());
      await(lock.close());
      await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/health/ready", null).statusCode() == 200);
      // Every pixel was answered with the GIF, written or shed.
      for (Future<HttpResponse<Buffer>> p : pixels) {
        assertThat(await(p).statusCode()).isEqualTo(200);
      }
      many.close();
    }
  }
}
