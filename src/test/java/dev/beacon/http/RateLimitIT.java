package dev.beacon.http;

import dev.beacon.support.Http;
import dev.beacon.support.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.UUID;

import static dev.beacon.support.TestApp.AGENT_KEY;
import static dev.beacon.support.TestApp.VIEWER_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Rate limits answer 429 with Retry-After (problem+json, or a page for a person's form) and recover. */
@Timeout(60)
class RateLimitIT {
  private static TestApp app;
  private static Http http;

  @BeforeAll
  static void start() {
    app = TestApp.start(new JsonObject().put("limits", new JsonObject().put("tokenRequests", 2).put("tokenPeriod", "2s")
        .put("apiKeyRequests", 5).put("apiKeyPeriod", "2s")));
    http = new Http(app);
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @BeforeEach
  void reset() {
    app.reset();
  }

  private static String token() {
    var d = http.post("/api/debtors", AGENT_KEY, new JsonObject().put("firstName", "Ann").put("lastName", "Lee")
        .put("email", "a" + System.nanoTime() + "@example.com"));
    return TestApp.await(app.pool.preparedQuery("SELECT unique_token FROM debtors WHERE id = $1")
        .execute(Tuple.of(UUID.fromString(d.bodyAsJsonObject().getString("id")))))
        .iterator().next().getString(0);
  }

  @Test
  void optOutPerToken_429WithRetryAfter_pageForTheForm_thenRecovers() {
    String token = token();
    JsonObject body = new JsonObject().put("channel", "sms");
    assertThat(http.post("/p/" + token + "/opt-out", null, body).statusCode()).isEqualTo(200);
    assertThat(http.post("/p/" + token + "/opt-out", null, body).statusCode()).isEqualTo(200);
    var refused = http.post("/p/" + token + "/opt-out", null, body);
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(Integer.parseInt(refused.getHeader("Retry-After"))).isBetween(1, 2);
    var form = http.postRaw("/p/" + token + "/opt-out", null, "application/x-www-form-urlencoded",
        Buffer.buffer("channel=sms"));
    assertThat(form.statusCode()).isEqualTo(429);
    assertThat(form.getHeader("Content-Type")).startsWith("text/html");
    assertThat(form.getHeader("Retry-After")).isNotNull();
    assertThat(form.bodyAsString()).contains("too many requests");
    // Another token has its own allowance.
    assertThat(http.post("/p/" + token() + "/opt-out", null, body).statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250))
        .until(() -> http.post("/p/" + token + "/opt-out", null, body).statusCode() == 200);
  }

  @Test
  void oneClickPerToken_andApiPerKey_areLimited_pixelIsNot() {
    String token = token();
    String path = "/t/u/" + token + "/00000000-0000-0000-0000-000000000000";
    int last = 0;
    for (int i = 0; i < 3; i++) {
      last = http.postRaw(path, null, "application/x-www-form-urlencoded", Buffer.buffer("List-Unsubscribe=One-Click"))
          .statusCode();
    }
    assertThat(last).isEqualTo(429);

    int apiStatus = 0;
    for (int i = 0; i < 8 && apiStatus != 429; i++) {
      apiStatus = http.get("/api/debtors", VIEWER_KEY).statusCode();
    }
    assertThat(apiStatus).isEqualTo(429);
    // Keys are counted apart; the agent key still has its allowance (it made one request above).
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250))
        .until(() -> http.get("/api/debtors", VIEWER_KEY).statusCode() == 200);

    for (int i = 0; i < 30; i++) {
      assertThat(http.get("/t/o/" + token + "/00000000-0000-0000-0000-000000000000.gif", null).statusCode())
          .isEqualTo(200);
    }
  }
}
