package dev.beacon.http;

import dev.beacon.app.Routes;
import dev.beacon.app.Services;
import dev.beacon.db.Database;
import dev.beacon.support.BeaconExtension;
import dev.beacon.support.Http;
import dev.beacon.support.TestApp;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.function.Consumer;

import static dev.beacon.support.TestApp.await;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(BeaconExtension.class)
@Timeout(60)
class HealthIT {

  @Test
  void live_andReady_areUp(TestApp app) {
    Http http = new Http(app);
    var live = http.get("/health/live", null);
    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(live.bodyAsJsonObject().getString("outcome")).isEqualTo("UP");
    var ready = http.get("/health/ready", null);
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.bodyAsJsonObject().getJsonArray("checks").getJsonObject(0).getJsonObject("data")
        .getString("schemaVersion")).isEqualTo(app.services.schemaVersion());
  }

  @Test
  void ready_isDown_whenTheSchemaIsNotTheOneThisCodeExpects_andLiveStaysUp(TestApp app) {
    Services wrong = new Services(app.services.config(), app.services.pool(), app.services.pool(), app.services.keys(), "999");
    serve(app, wrong, c -> {
      var ready = await(c.get("/health/ready").send());
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(await(c.get("/health/live").send()).statusCode()).isEqualTo(200);
    });
  }

  @Test
  void ready_isDown_whenTheDatabaseIsUnreachable(TestApp app) {
    var unreachable = Database.of("postgresql://nobody@127.0.0.1:1/none", null, null);
    var pool = unreachable.pool(app.vertx, 1);
    Services down = new Services(app.services.config(), pool, pool, app.services.keys(),
        app.services.schemaVersion());
    try {
      serve(app, down, c -> {
        var ready = await(c.get("/health/ready").send());
        assertThat(ready.statusCode()).isEqualTo(503);
        var api = await(c.get("/api/debtors").bearerTokenAuthentication(TestApp.AGENT_KEY).send());
        assertThat(api.statusCode()).isEqualTo(503);
        assertThat(api.getHeader("Retry-After")).isNotBlank();
        assertThat(api.bodyAsJsonObject().getString("detail")).doesNotContain("127.0.0.1");
      });
    } finally {
      await(pool.close());
    }
  }

  @Test
  void openApi_isServed(TestApp app) {
    var r = new Http(app).get("/openapi.yaml", null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsString()).startsWith("openapi: 3.1");
  }

  @Test
  void unknownPath_andWrongMethod_areProblems(TestApp app) {
    Http http = new Http(app);
    var notFound = http.get("/nothing", null);
    assertThat(notFound.statusCode()).isEqualTo(404);
    assertThat(notFound.getHeader("Content-Type")).isEqualTo(Problems.PROBLEM_JSON);
    var wrongMethod = await(app.client.delete("/health/live").send());
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertThat(wrongMethod.bodyAsJsonObject().getInteger("status")).isEqualTo(405);
    assertThat(new JsonObject(wrongMethod.bodyAsString()).containsKey("detail")).isTrue();
  }

  /** Serves {@code services} beside the app's own server for the length of {@code exchange}. */
  private static void serve(TestApp app, Services services, Consumer<WebClient> exchange) {
    HttpVerticle v = Routes.httpVerticle(services);
    String id = await(app.vertx.deployVerticle(v));
    try {
      exchange.accept(WebClient.create(app.vertx,
          new WebClientOptions().setDefaultPort(v.actualPort()).setDefaultHost("localhost")));
    } finally {
      await(app.vertx.undeploy(id));
    }
  }
}
