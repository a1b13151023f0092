package dev.beacon.dashboard;

import dev.beacon.app.Routes;
import dev.beacon.app.Services;
import dev.beacon.support.BeaconExtension;
import dev.beacon.support.Http;
import dev.beacon.support.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Pool;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.beacon.support.TestApp.AGENT_KEY;
import static dev.beacon.support.TestApp.OPS_KEY;
import static dev.beacon.support.TestApp.VIEWER_KEY;
import static dev.beacon.support.TestApp.await;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(BeaconExtension.class)
@Timeout(60)
class DashboardApiIT {
  static final OffsetDateTime DAY = OffsetDateTime.parse("2026-11-01T00:00:00Z");
  static final String RANGE = "from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z";

  /** Three debtors with a known day of activity on 1 Nov, plus noise on 2 Nov that the range excludes. */
  static UUID[] seed(DashKit kit) {
    UUID a = kit.debtor("active", 91, "1000.00", "250.00");
    UUID b = kit.debtor("payment_plan", 55, "500.00", "0.00");
    UUID c = kit.debtor("resolved", 12, "300.00", "300.00");
    UUID ca = kit.contact(a, "email", DAY.plusHours(9));
    UUID cb = kit.contact(b, "email", DAY.plusHours(9));
    UUID cc = kit.contact(c, "email", DAY.plusHours(9));
    UUID sa = kit.contact(a, "sms", DAY.plusHours(11));
    // what the providers reported: a's email and text delivered, b's email delivered then a complaint, c's bounced
    kit.delivery(a, ca, "email", "delivered", null, DAY.plusHours(9).plusMinutes(1));
    kit.delivery(a, sa, "sms", "delivered", null, DAY.plusHours(11).plusMinutes(1));
    kit.delivery(b, cb, "email", "delivered", null, DAY.plusHours(9).plusMinutes(1));
    kit.delivery(b, cb, "email", "complained", null, DAY.plusHours(13).plusMinutes(30));
    kit.delivery(c, cc, "email", "bounced", "hard", DAY.plusHours(9).plusMinutes(1));
    kit.inbound(a, DAY.plusHours(12));
    kit.email(a, ca, "open", "human", DAY.plusHours(10));
    kit.email(a, ca, "open", "human", DAY.plusHours(10).plusMinutes(5));
    kit.email(a, ca, "click", "human", DAY.plusHours(10).plusMinutes(6));
    kit.email(b, cb, "open", "human", DAY.plusHours(13));
    kit.email(c, cc, "open", "machine", DAY.plusHours(9).plusSeconds(2));
    kit.email(c, cc, "click", "scanner", DAY.plusHours(9).plusSeconds(3));
    kit.page(a, "landing", DAY.plusHours(10).plusMinutes(7));
    kit.page(a, "payment", DAY.plusHours(10).plusMinutes(8));
    kit.payment(a, "250.00", "completed", DAY.plusHours(10).plusMinutes(20));
    kit.payment(b, "80.00", "failed", DAY.plusHours(14));
    // outside the range
    kit.email(b, cb, "open", "human", DAY.plusDays(1).plusHours(1));
    kit.contact(b, "phone", DAY.minusHours(1));
    kit.payment(c, "300.00", "completed", DAY.minusDays(3));
    return new UUID[] {a, b, c};
  }

  /** The body of GET {@code path} as {@code key}, over the {@link #seed} portfolio rolled up. */
  static JsonObject seededAnswer(TestApp app, String path, String key) {
    DashKit kit = new DashKit(app);
    seed(kit);
    kit.rollup();
    return new Http(app).get(path, key).bodyAsJsonObject();
  }

  @Test
  @DisplayName("summary counts the range's events from the rollups, human and machine apart")
  void summary(TestApp app) {
    JsonObject s = seededAnswer(app, "/api/dashboard/summary?" + RANGE, VIEWER_KEY);
    assertThat(s.getString("from")).isEqualTo("2026-11-01T00:00:00Z");
    assertThat(s.getString("to")).isEqualTo("2026-11-02T00:00:00Z");
    assertThat(s.getString("generatedAt")).isNotBlank();
    assertThat(s.getJsonObject("debtors").getLong("total")).isEqualTo(3);
    assertThat(longs(s.getJsonObject("debtors").getJsonObject("byStatus")))
        .containsEntry("active", 1L).containsEntry("payment_plan", 1L).containsEntry("resolved", 1L)
        .containsEntry("dispute", 0L);
    assertThat(longs(s.getJsonObject("contacts"))).containsEntry("total", 4L).containsEntry("email", 3L)
        .containsEntry("sms", 1L).containsEntry("phone", 0L);
    assertThat(longs(s.getJsonObject("opens"))).containsEntry("human", 3L).containsEntry("machine", 1L)
        .containsEntry("scanner", 0L);
    assertThat(longs(s.getJsonObject("clicks"))).containsEntry("human", 1L).containsEntry("scanner", 1L);
    assertThat(longs(s.getJsonObject("pageViews"))).containsEntry("total", 2L).containsEntry("payment", 1L);
    assertThat(s.getJsonObject("payments").getLong("count")).isEqualTo(1);
    assertThat(s.getJsonObject("payments").getString("amount")).isEqualTo("250.00");
    assertThat(s.getJsonObject("portfolio").getString("totalOwed")).isEqualTo("1800.00");
    assertThat(s.getJsonObject("portfolio").getString("amountPaid")).isEqualTo("550.00");
    assertThat(s.getDouble("collectionRate")).isEqualTo(0.3056);
    JsonObject human = s.getJsonObject("humanEngagement");
    assertThat(human.getLong("contactedDebtors")).isEqualTo(3);
    // b's latest human open is on 2 Nov, so on 1 Nov only a counts as opened (see the funnel test)
    assertThat(human.getDouble("openRate")).isEqualTo(0.3333);
    assertThat(human.getDouble("clickRate")).isEqualTo(0.3333);
  }

  @Test
  @DisplayName("funnel counts distinct debtors by their latest time at each stage, human only, machine opens, "
      + "bounces and complaints apart")
  void funnel(TestApp app) {
    JsonObject f = seededAnswer(app, "/api/dashboard/funnel?" + RANGE, AGENT_KEY);
    JsonArray stages = f.getJsonArray("stages");
    assertThat(stages.stream().map(o -> ((JsonObject) o).getString("stage")))
        .containsExactly("contacted", "delivered", "opened", "clicked", "visited", "paid");
    assertThat(stages.stream().map(o -> ((JsonObject) o).getLong("debtors"))).containsExactly(3L, 2L, 1L, 1L, 1L, 1L);
    assertThat(stages.getJsonObject(1).getDouble("rateFromPrevious")).isEqualTo(0.6667);
    assertThat(stages.getJsonObject(2).getDouble("rateFromPrevious")).isEqualTo(0.5);
    assertThat(stages.getJsonObject(2).getDouble("rateFromFirst")).isEqualTo(0.3333);
    assertThat(f.getLong("machineOpenedDebtors")).isEqualTo(1);
    assertThat(f.getLong("bouncedDebtors")).isEqualTo(1);
    assertThat(f.getLong("complainedDebtors")).isEqualTo(1);
    assertThat(f.getDouble("bounceRate")).isEqualTo(0.3333);
    assertThat(f.getDouble("complaintRate")).isEqualTo(0.3333);
    // b's latest human open is on 2 Nov: b counts as opened there, not on 1 Nov
    JsonObject next = new Http(app).get("/api/dashboard/funnel?from=2026-11-02T00:00:00Z&to=2026-11-03T00:00:00Z",
        AGENT_KEY).bodyAsJsonObject();
    assertThat(next.getJsonArray("stages").getJsonObject(2).getLong("debtors")).isEqualTo(1);
    assertThat(next.getJsonArray("stages").getJsonObject(1).getLong("debtors")).isZero();
    assertThat(next.getLong("bouncedDebtors")).isZero();
  }

  @Test
  @DisplayName("activity gives dense series per kind and label, by hour or by day")
  void activity(TestApp app) {
    JsonObject h = seededAnswer(app, "/api/dashboard/activity?bucket=hour&" + RANGE, VIEWER_KEY);
    assertThat(h.getJsonArray("buckets")).hasSize(24);
    assertThat(h.getJsonArray("buckets").getString(10)).isEqualTo("2026-11-01T10:00:00Z");
    JsonArray humanOpens = series(h, "open", "human");
    assertThat(humanOpens.getLong(10)).isEqualTo(2);
    assertThat(humanOpens.getLong(13)).isEqualTo(1);
    assertThat(humanOpens.stream().mapToLong(x -> ((Number) x).longValue()).sum()).isEqualTo(3);
    assertThat(series(h, "open", "machine").getLong(9)).isEqualTo(1);
    assertThat(series(h, "payment", "collected").getLong(10)).isEqualTo(1);

    JsonObject d = new Http(app).get("/api/dashboard/activity?bucket=day&from=2026-10-29T00:00:00Z&to=2026-11-03T00:00:00Z",
        VIEWER_KEY).bodyAsJsonObject();
    assertThat(d.getJsonArray("buckets")).hasSize(5);
    assertThat(longs(series(d, "open", "human"))).containsExactly(0L, 0L, 0L, 3L, 1L);
    assertThat(longs(series(d, "payment", "collected"))).containsExactly(1L, 0L, 0L, 1L, 0L);
  }

  @Test
  @DisplayName("ranges not on day boundaries: whole days from the daily rollups, the edge hours from the hourly ones")
  void partialDays(TestApp app) {
    DashKit kit = new DashKit(app);
    seed(kit);
    kit.rollup();
    Http http = new Http(app);
    // 31 Oct 22:00 to 2 Nov 03:00: two hours before 1 Nov (b's phone contact at 23:00), the whole of 1 Nov and
    // three hours after (b's human open at 01:00)
    String across = "from=2026-10-31T22:00:00Z&to=2026-11-02T03:00:00Z";
    JsonObject s = http.get("/api/dashboard/summary?" + across, VIEWER_KEY).bodyAsJsonObject();
    assertThat(longs(s.getJsonObject("contacts"))).containsEntry("total", 5L).containsEntry("phone", 1L);
    assertThat(longs(s.getJsonObject("opens"))).containsEntry("human", 4L).containsEntry("machine", 1L);
    assertThat(s.getJsonObject("payments").getString("amount")).isEqualTo("250.00");
    assertThat(s.getJsonObject("humanEngagement").getLong("contactedDebtors")).isEqualTo(3);
    assertThat(s.getJsonObject("humanEngagement").getDouble("openRate")).isEqualTo(0.6667);
    JsonObject f = http.get("/api/dashboard/funnel?" + across, VIEWER_KEY).bodyAsJsonObject();
    assertThat(f.getJsonArray("stages").stream().map(o -> ((JsonObject) o).getLong("debtors")))
        .containsExactly(3L, 2L, 2L, 1L, 1L, 1L);
    JsonObject d = http.get("/api/dashboard/activity?bucket=day&" + across, VIEWER_KEY).bodyAsJsonObject();
    assertThat(d.getJsonArray("buckets").getList())
        .containsExactly("2026-10-31T00:00:00Z", "2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z");
    assertThat(longs(series(d, "open", "human"))).containsExactly(0L, 3L, 1L);
    assertThat(longs(series(d, "contact", "phone"))).containsExactly(1L, 0L, 0L);
    assertThat(longs(series(d, "contact", "email"))).containsExactly(0L, 3L, 0L);

    // within one day: 10:00 to 11:00 on 1 Nov
    String hour = "from=2026-11-01T10:00:00Z&to=2026-11-01T11:00:00Z";
    JsonObject h = http.get("/api/dashboard/summary?" + hour, VIEWER_KEY).bodyAsJsonObject();
    assertThat(longs(h.getJsonObject("opens"))).containsEntry("human", 2L).containsEntry("total", 2L);
    assertThat(longs(h.getJsonObject("clicks"))).containsEntry("human", 1L).containsEntry("total", 1L);
    assertThat(longs(h.getJsonObject("contacts"))).containsEntry("total", 0L);
    assertThat(longs(h.getJsonObject("pageViews"))).containsEntry("total", 2L);
    assertThat(h.getJsonObject("payments").getLong("count")).isEqualTo(1);
    JsonObject hd = http.get("/api/dashboard/activity?bucket=day&" + hour, VIEWER_KEY).bodyAsJsonObject();
    assertThat(longs(series(hd, "open", "human"))).containsExactly(2L);
    // the first whole day but not the next morning: 1 Nov 00:00 to 2 Nov 01:00 (b's open at 01:00 is outside)
    JsonObject m = http.get("/api/dashboard/summary?from=2026-11-01T00:00:00Z&to=2026-11-02T01:00:00Z", VIEWER_KEY)
        .bodyAsJsonObject();
    assertThat(longs(m.getJsonObject("opens"))).containsEntry("human", 3L);
  }

  static Map<String, Long> longs(JsonObject o) {
    Map<String, Long> m = new HashMap<>();
    o.forEach(e -> m.put(e.getKey(), ((Number) e.getValue()).longValue()));
    return m;
  }

  static List<Long> longs(JsonArray a) {
    return a.stream().map(x -> ((Number) x).longValue()).toList();
  }

  /** The rollup run publishes its version to the HTTP verticle asynchronously: wait until it is in use. */
  static void awaitVersion(TestApp app, long version) {
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
        new Http(app).get("/api/dashboard/scores", VIEWER_KEY).getHeader("ETag").startsWith("W/\"" + version + "-"));
  }

  static JsonArray series(JsonObject activity, String kind, String label) {
    return activity.getJsonArray("series").stream().map(o -> (JsonObject) o)
        .filter(o -> o.getString("kind").equals(kind) && o.getString("label").equals(label))
        .findFirst().orElseThrow().getJsonArray("values");
  }

  @Test
  @DisplayName("ranges: defaults to the last 30 days in whole hours; bad values are 400 naming the field")
  void ranges(TestApp app) {
    Http http = new Http(app);
    JsonObject d = http.get("/api/dashboard/summary", VIEWER_KEY).bodyAsJsonObject();
    OffsetDateTime from = OffsetDateTime.parse(d.getString("from"));
    OffsetDateTime to = OffsetDateTime.parse(d.getString("to"));
    assertThat(Duration.between(from, to)).isEqualTo(Duration.ofDays(30));
    assertThat(to.getMinute()).isZero();
    assertThat(to).isAfter(OffsetDateTime.now());
    assertProblem(http.get("/api/dashboard/summary?from=yesterday", VIEWER_KEY), "from");
    assertProblem(http.get("/api/dashboard/funnel?to=2026-13-01", VIEWER_KEY), "to");
    assertProblem(http.get("/api/dashboard/funnel?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", VIEWER_KEY), "from");
    assertProblem(http.get("/api/dashboard/summary?from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", VIEWER_KEY), "from");
    assertProblem(http.get("/api/dashboard/activity?bucket=week", VIEWER_KEY), "bucket");
    assertProblem(http.get("/api/dashboard/activity?bucket=hour&from=2026-09-01T00:00:00Z&to=2026-11-01T00:00:00Z",
        VIEWER_KEY), "from");
    assertProblem(http.get("/api/dashboard/top-debtors?limit=0", VIEWER_KEY), "limit");
    assertThat(http.get("/api/dashboard/activity?bucket=day&from=2026-09-01T00:00:00Z&to=2026-11-01T00:00:00Z",
        VIEWER_KEY).statusCode()).isEqualTo(200);
  }

  static void assertProblem(HttpResponse<Buffer> r, String field) {
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.getHeader("Content-Type")).startsWith("application/problem+json");
    assertThat(r.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo(field);
  }

  @Test
  @DisplayName("scores: a 10-bucket histogram and the average score by status")
  void scores(TestApp app) {
    DashKit kit = new DashKit(app);
    kit.debtor("active", 0, "10.00", "0.00");
    kit.debtor("active", 95, "10.00", "0.00");
    kit.debtor("active", 100, "10.00", "0.00");
    kit.debtor("dispute", 42, "10.00", "0.00");
    kit.rollup();
    JsonObject s = new Http(app).get("/api/dashboard/scores", VIEWER_KEY).bodyAsJsonObject();
    JsonArray h = s.getJsonArray("histogram");
    assertThat(h).hasSize(10);
    assertThat(h.stream().map(o -> ((JsonObject) o).getLong("debtors")))
        .containsExactly(1L, 0L, 0L, 0L, 1L, 0L, 0L, 0L, 0L, 2L);
    assertThat(h.getJsonObject(9).getInteger("to")).isEqualTo(100);
    assertThat(s.getJsonObject("averageByStatus").getJsonObject("active").getDouble("averageScore")).isEqualTo(65.0);
    assertThat(s.getJsonObject("averageByStatus").getJsonObject("dispute").getDouble("averageScore")).isEqualTo(42.0);
    assertThat(s.getJsonObject("averageByStatus").getJsonObject("closed").getValue("averageScore")).isNull();
  }

  @Test
  @DisplayName("top debtors: highest score first, resolved and closed left out, limit honoured")
  void topDebtors(TestApp app) {
    DashKit kit = new DashKit(app);
    UUID low = kit.debtor("active", 20, "100.00", "0.00");
    UUID high = kit.debtor("payment_plan", 90, "100.00", "40.00");
    kit.debtor("resolved", 99, "100.00", "100.00");
    kit.debtor("closed", 98, "100.00", "0.00");
    UUID mid = kit.debtor("dispute", 50, "100.00", "0.00");
    kit.rollup();
    JsonObject t = new Http(app).get("/api/dashboard/top-debtors?limit=2", VIEWER_KEY).bodyAsJsonObject();
    JsonArray items = t.getJsonArray("items");
    assertThat(items.stream().map(o -> ((JsonObject) o).getString("id")))
        .containsExactly(high.toString(), mid.toString());
    assertThat(items.getJsonObject(0).getString("balance")).isEqualTo("60.00");
    assertThat(items.getJsonObject(0).getJsonObject("links").getString("dashboard"))
        .isEqualTo("/dashboard#/debtors/" + high);
    JsonObject all = new Http(app).get("/api/dashboard/top-debtors", VIEWER_KEY).bodyAsJsonObject();
    assertThat(all.getJsonArray("items")).hasSize(3);
    assertThat(all.getJsonArray("items").getJsonObject(2).getString("id")).isEqualTo(low.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"summary", "funnel", "activity", "scores", "top-debtors"})
  @DisplayName("viewers and agents may read every dashboard endpoint; no key is 401, the ops key 403")
  void roles(String endpoint, TestApp app) {
    Http http = new Http(app);
    String path = "/api/dashboard/" + endpoint;
    assertThat(http.get(path, VIEWER_KEY).statusCode()).isEqualTo(200);
    assertThat(http.get(path, AGENT_KEY).statusCode()).isEqualTo(200);
    assertThat(http.get(path, null).statusCode()).isEqualTo(401);
    assertThat(http.get(path, OPS_KEY).statusCode()).isEqualTo(403);
    assertThat(http.get(path, "not-a-key").statusCode()).isEqualTo(401);
  }

  @ParameterizedTest
  @ValueSource(strings = {"summary", "funnel", "activity", "scores", "top-debtors"})
  @DisplayName("ETag and If-None-Match: 304 (and the kept answer) from memory while nothing changed, new tag after a change")
  void etags(String endpoint, TestApp app) {
    DashKit kit = new DashKit(app);
    seed(kit);
    awaitVersion(app, kit.rollup().version());
    String path = "/api/dashboard/" + endpoint;
    var first = new Http(app).get(path, VIEWER_KEY);
    String etag = first.getHeader("ETag");
    assertThat(etag).startsWith("W/\"");
    assertThat(first.getHeader("Cache-Control")).matches("private, max-age=\\d+");

    long before = DashboardRepository.QUERIES.get();
    var again = new Http(app).get(path, VIEWER_KEY);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.getHeader("ETag")).isEqualTo(etag);
    assertThat(again.bodyAsJsonObject().getString("generatedAt")).as("the answer kept for this data version")
        .isEqualTo(first.bodyAsJsonObject().getString("generatedAt"));
    for (int i = 0; i < 50; i++) {
      var r = await(app.client.get(path).bearerTokenAuthentication(VIEWER_KEY).putHeader("If-None-Match", etag).send());
      assertThat(r.statusCode()).isEqualTo(304);
      assertThat(r.getHeader("ETag")).isEqualTo(etag);
      assertThat(r.body()).isNull();
    }
    // at most one version check when the two-second freshness window happens to lapse during the loop
    assertThat(DashboardRepository.QUERIES.get() - before).isLessThanOrEqualTo(1);

    UUID d = kit.debtor("active", 77, "10.00", "0.00");
    kit.contact(d, "email", OffsetDateTime.now());
    awaitVersion(app, kit.rollup().version());
    var changed = await(app.client.get(path).bearerTokenAuthentication(VIEWER_KEY).putHeader("If-None-Match", etag).send());
    assertThat(changed.statusCode()).isEqualTo(200);
    assertThat(changed.getHeader("ETag")).isNotEqualTo(etag);
    assertThat(changed.bodyAsJsonObject().getString("generatedAt")).isNotBlank();
  }

  @Test
  @DisplayName("with a read replica, a version pushed by the primary's rollup run never tags numbers the replica has not replayed")
  void replica_pushedVersionNeverTagsOlderNumbers(TestApp app) {
    DashKit kit = new DashKit(app);
    long before = kit.rollup().version();
    // A second pool: the HTTP verticle below treats it as the replica (Services.readPool differs from Services.pool).
    Pool replica = app.database.pool(app.vertx, 2);
    var deps = new Services(app.services.config(), app.pool, replica, app.services.keys(),
        app.services.schemaVersion());
    var verticle = Routes.httpVerticle(deps);
    String deployment = await(app.vertx.deployVerticle(verticle));
    var client = WebClient.create(app.vertx,
        new WebClientOptions().setDefaultHost("localhost").setDefaultPort(verticle.actualPort()));
    try {
      String path = "/api/dashboard/summary";
      var first = await(client.get(path).bearerTokenAuthentication(VIEWER_KEY).send());
      assertThat(first.getHeader("ETag")).startsWith("W/\"" + before + "-");

      // The primary's next run commits version `next` with this payment in it and pushes `next` over the event
      // bus at once; the replica has not replayed that commit yet (here: the run has not happened at all).
      UUID d = kit.debtor("active", 50, "500.00", "0.00");
      kit.payment(d, "250.00", "completed", OffsetDateTime.now());
      long next = kit.scalar("SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM rollup_version_seq");
      app.vertx.eventBus().publish(DataVersion.ADDRESS, next);
      awaitVersion(app, next); // delivered (the test app's own verticle, without a replica, uses it)

      var lagging = await(client.get(path).bearerTokenAuthentication(VIEWER_KEY).send());
      assertThat(lagging.bodyAsJsonObject().getJsonObject("payments").getString("amount")).isEqualTo("0.00");
      assertThat(lagging.getHeader("ETag")).as("numbers read before version %s must not carry its tag", next)
          .doesNotStartWith("W/\"" + next + "-");

      // The replica catches up: the numbers with the payment arrive under a new tag.
      assertThat(await(new RollupJob(app.vertx, app.pool).runOnce(false)).version()).isEqualTo(next);
      String stale = lagging.getHeader("ETag");
      Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        var r = await(client.get(path).bearerTokenAuthentication(VIEWER_KEY).putHeader("If-None-Match", stale).send());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.bodyAsJsonObject().getJsonObject("payments").getString("amount")).isEqualTo("250.00");
      });
    } finally {
      await(app.vertx.undeploy(deployment));
      await(replica.close());
    }
  }

  @Test
  @DisplayName("the web dashboard shell is public, no-store, with a strict CSP; its assets and uPlot come from the jar")
  void webShell(TestApp app) {
    Http http = new Http(app);
    var page = http.get("/dashboard", null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.getHeader("Content-Type")).startsWith("text/html");
    assertThat(page.getHeader("Cache-Control")).isEqualTo("no-store");
    assertThat(page.getHeader("Content-Security-Policy")).contains("script-src 'self'").doesNotContain("unsafe");
    assertThat(page.bodyAsString()).contains("/static/dashboard/app.js").doesNotContain("<script>");
    assertThat(http.get("/static/dashboard/app.js", null).statusCode()).isEqualTo(200);
    assertThat(http.get("/static/dashboard/vendor/uPlot.iife.min.js", null).bodyAsString()).contains("uPlot");
    assertThat(http.get("/static/dashboard/vendor/uPlot.LICENSE", null).bodyAsString()).contains("MIT");
  }
}
