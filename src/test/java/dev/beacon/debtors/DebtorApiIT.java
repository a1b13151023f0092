package dev.beacon.debtors;

import dev.beacon.support.BeaconExtension;
import dev.beacon.support.Http;
import dev.beacon.support.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static dev.beacon.support.TestApp.AGENT_KEY;
import static dev.beacon.support.TestApp.OPS_KEY;
import static dev.beacon.support.TestApp.VIEWER_KEY;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(BeaconExtension.class)
@Timeout(60)
class DebtorApiIT {

  static JsonObject ann() {
    return new JsonObject().put("firstName", "Ann").put("lastName", "Lee").put("email", "Ann.Lee@Example.com")
        .put("phone", "+1 (512) 555-0100").put("addressLine1", "1 Main St").put("city", "Austin").put("state", "tx")
        .put("zipCode", "78701").put("totalOwed", "1250.50").put("phoneConsent", true);
  }

  static void assertProblem(HttpResponse<Buffer> r, int status, String field) {
    assertThat(r.statusCode()).isEqualTo(status);
    assertThat(r.getHeader("Content-Type")).startsWith("application/problem+json");
    JsonObject p = r.bodyAsJsonObject();
    assertThat(p.getInteger("status")).isEqualTo(status);
    assertThat(p.getString("title")).isNotBlank();
    assertThat(p.getString("detail")).isNotBlank();
    if (field != null) {
      assertThat(p.getJsonArray("errors").stream().map(e -> ((JsonObject) e).getString("field"))).contains(field);
    }
  }

  @Test
  @DisplayName("create answers 201 with a normalised debtor, a 192-bit URL-safe token and page links")
  void create(TestApp app) {
    var r = new Http(app).post("/api/debtors", AGENT_KEY, ann());
    assertThat(r.statusCode()).isEqualTo(201);
    JsonObject d = r.bodyAsJsonObject();
    assertThat(d.getString("email")).isEqualTo("ann.lee@example.com");
    assertThat(d.getString("phone")).isEqualTo("+15125550100");
    assertThat(d.getString("state")).isEqualTo("TX");
    assertThat(d.getString("timezone")).isEqualTo("America/Chicago");
    assertThat(d.getBoolean("timezoneDerived")).isTrue();
    assertThat(d.getString("totalOwed")).isEqualTo("1250.50");
    assertThat(d.getString("amountPaid")).isEqualTo("0.00");
    assertThat(d.getString("balance")).isEqualTo("1250.50");
    assertThat(d.getString("status")).isEqualTo("active");
    assertThat(d.getBoolean("emailConsent")).isTrue();
    assertThat(d.getString("uniqueToken")).matches("[A-Za-z0-9_-]{32}");
    assertThat(d.getJsonObject("links").getString("landing")).isEqualTo(app.baseUrl() + "/p/" + d.getString("uniqueToken"));
    assertThat(d.getJsonObject("links").getString("payment")).endsWith("/p/" + d.getString("uniqueToken") + "/pay");
    assertThat(r.getHeader("Location")).isEqualTo("/api/debtors/" + d.getString("id"));

    var again = new Http(app).get("/api/debtors/" + d.getString("id"), AGENT_KEY);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.bodyAsJsonObject()).isEqualTo(d);
  }

  @Test
  void create_explicitTimezone_isKept(TestApp app) {
    var r = new Http(app).post("/api/debtors", AGENT_KEY, ann().put("timezone", "America/Denver"));
    assertThat(r.bodyAsJsonObject().getString("timezone")).isEqualTo("America/Denver");
    assertThat(r.bodyAsJsonObject().getBoolean("timezoneDerived")).isFalse();
  }

  @Test
  void create_duplicateEmail_is409(TestApp app) {
    Http http = new Http(app);
    assertThat(http.post("/api/debtors", AGENT_KEY, ann()).statusCode()).isEqualTo(201);
    var r = http.post("/api/debtors", AGENT_KEY, ann().put("email", "ANN.LEE@example.com"));
    assertProblem(r, 409, null);
    assertThat(count(app)).isEqualTo(1);
  }

  @Test
  void create_invalidFields_areAllNamed_andNothingIsWritten(TestApp app) {
    JsonObject bad = new JsonObject().put("firstName", 12).put("email", "not-an-email").put("phone", "12")
        .put("state", "XX").put("zipCode", "1234").put("totalOwed", "10.999").put("timezone", "Mars/Olympus")
        .put("emailConsent", "yes").put("nickname", "A");
    var r = new Http(app).post("/api/debtors", AGENT_KEY, bad);
    assertProblem(r, 400, "firstName");
    var fields = r.bodyAsJsonObject().getJsonArray("errors").stream().map(e -> ((JsonObject) e).getString("field")).toList();
    assertThat(fields).contains("lastName", "email", "phone", "state", "zipCode", "totalOwed", "timezone",
        "emailConsent", "nickname");
    assertThat(count(app)).isZero();
  }

  @Test
  void create_negativeOrHugeAmount_isRefused(TestApp app) {
    assertProblem(new Http(app).post("/api/debtors", AGENT_KEY, ann().put("totalOwed", -1)), 400, "totalOwed");
    assertProblem(new Http(app).post("/api/debtors", AGENT_KEY, ann().put("totalOwed", "100000000.00")), 400, "totalOwed");
  }

  @Test
  void create_malformedJson_is400(TestApp app) {
    var r = new Http(app).postRaw("/api/debtors", AGENT_KEY, "application/json", Buffer.buffer("{\"firstName\": "));
    assertProblem(r, 400, null);
    var arr = new Http(app).postRaw("/api/debtors", AGENT_KEY, "application/json", Buffer.buffer("[1,2]"));
    assertProblem(arr, 400, null);
  }

  @Test
  void create_wrongContentType_is415(TestApp app) {
    var r = new Http(app).postRaw("/api/debtors", AGENT_KEY, "text/plain", ann().toBuffer());
    assertProblem(r, 415, null);
  }

  @Test
  void create_aTypeThatOnlyStartsLikeJson_is415_andJsonWithACharsetIsRead(TestApp app) {
    Http http = new Http(app);
    assertProblem(http.postRaw("/api/debtors", AGENT_KEY, "application/jsonx", ann().toBuffer()), 415, null);
    assertThat(http.postRaw("/api/debtors", AGENT_KEY, "Application/JSON; charset=utf-8", ann().toBuffer())
        .statusCode()).isEqualTo(201);
  }

  @Test
  void create_oversizeBody_is413(TestApp app) {
    String big = "x".repeat(70_000);
    var r = new Http(app).postRaw("/api/debtors", AGENT_KEY, "application/json",
        ann().put("addressLine2", big).toBuffer());
    assertProblem(r, 413, null);
  }

  @Test
  void missingOrWrongKey_is401(TestApp app) {
    var none = new Http(app).get("/api/debtors", null);
    assertProblem(none, 401, null);
    assertThat(none.getHeader("WWW-Authenticate")).isEqualTo("Bearer");
    assertProblem(new Http(app).get("/api/debtors", "nope"), 401, null);
  }

  @Test
  void viewer_mayRead_butNotWrite_andOpsMayNotUseTheApi(TestApp app) {
    Http http = new Http(app);
    assertThat(http.get("/api/debtors", VIEWER_KEY).statusCode()).isEqualTo(200);
    assertProblem(http.post("/api/debtors", VIEWER_KEY, ann()), 403, null);
    assertProblem(http.get("/api/debtors", OPS_KEY), 403, null);
    assertThat(count(app)).isZero();
  }

  @Test
  void viewer_readsDebtors_withoutTheirTokenOrLinks(TestApp app) {
    Http http = new Http(app);
    var created = http.post("/api/debtors", AGENT_KEY, ann());
    assertThat(created.statusCode()).isEqualTo(201);
    String id = created.bodyAsJsonObject().getString("id");
    String token = created.bodyAsJsonObject().getString("uniqueToken");

    JsonObject asAgent = http.get("/api/debtors/" + id, AGENT_KEY).bodyAsJsonObject();
    assertThat(asAgent.getString("uniqueToken")).isEqualTo(token);
    assertThat(asAgent.getJsonObject("links").getString("landing")).endsWith("/p/" + token);

    var one = http.get("/api/debtors/" + id, VIEWER_KEY);
    assertThat(one.statusCode()).isEqualTo(200);
    assertThat(one.bodyAsJsonObject().getString("id")).isEqualTo(id);
    assertThat(one.bodyAsJsonObject().getString("balance")).isEqualTo(asAgent.getString("balance"));
    assertThat(one.bodyAsJsonObject().fieldNames()).doesNotContain("uniqueToken", "links");
    var list = http.get("/api/debtors", VIEWER_KEY);
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.bodyAsString()).doesNotContain(token);
    assertThat(list.bodyAsJsonObject().getJsonArray("items")).hasSize(1);
  }

  @Test
  void get_badUuid_is400_andUnknown_is404(TestApp app) {
    assertProblem(new Http(app).get("/api/debtors/not-a-uuid", AGENT_KEY), 400, "id");
    assertProblem(new Http(app).get("/api/debtors/6f1c1f9e-2b1a-4c59-9d0e-000000000000", AGENT_KEY), 404, null);
  }

  @Test
  void patch_changesOnlyTheGivenFields(TestApp app) {
    Http http = new Http(app);
    JsonObject d = http.post("/api/debtors", AGENT_KEY, ann()).bodyAsJsonObject();
    var r = http.patch("/api/debtors/" + d.getString("id"), AGENT_KEY,
        new JsonObject().put("status", "dispute").put("dncRegistered", true).put("amountPaid", "250.50")
            .putNull("addressLine1"));
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject p = r.bodyAsJsonObject();
    assertThat(p.getString("status")).isEqualTo("dispute");
    assertThat(p.getBoolean("dncRegistered")).isTrue();
    assertThat(p.getString("balance")).isEqualTo("1000.00");
    assertThat(p.getString("addressLine1")).isNull();
    assertThat(p.getString("email")).isEqualTo(d.getString("email"));
    assertThat(p.getString("uniqueToken")).isEqualTo(d.getString("uniqueToken"));
    assertThat(p.getString("updatedAt")).isGreaterThan(d.getString("updatedAt"));
  }

  @Test
  void patch_invalid_isRefused_andNothingChanges(TestApp app) {
    Http http = new Http(app);
    JsonObject d = http.post("/api/debtors", AGENT_KEY, ann()).bodyAsJsonObject();
    String path = "/api/debtors/" + d.getString("id");
    assertProblem(http.patch(path, AGENT_KEY, new JsonObject().put("status", "gone").put("city", "Dallas")), 400, "status");
    assertProblem(http.patch(path, AGENT_KEY, new JsonObject().putNull("firstName")), 400, "firstName");
    assertProblem(http.patch(path, AGENT_KEY, new JsonObject()), 400, "body");
    assertProblem(http.patch(path, AGENT_KEY, new JsonObject().put("uniqueToken", "x")), 400, "uniqueToken");
    assertThat(http.get(path, AGENT_KEY).bodyAsJsonObject().getString("city")).isEqualTo("Austin");
  }

  @Test
  void patch_unknownId_is404_duplicateEmail_is409_closed_is409(TestApp app) {
    Http http = new Http(app);
    assertProblem(http.patch("/api/debtors/6f1c1f9e-2b1a-4c59-9d0e-000000000000", AGENT_KEY,
        new JsonObject().put("city", "X")), 404, null);
    JsonObject a = http.post("/api/debtors", AGENT_KEY, ann()).bodyAsJsonObject();
    JsonObject b = http.post("/api/debtors", AGENT_KEY, ann().put("email", "b@example.com")).bodyAsJsonObject();
    assertProblem(http.patch("/api/debtors/" + b.getString("id"), AGENT_KEY,
        new JsonObject().put("email", a.getString("email"))), 409, null);
    assertThat(http.patch("/api/debtors/" + b.getString("id"), AGENT_KEY, new JsonObject().put("status", "closed"))
        .statusCode()).isEqualTo(200);
    assertProblem(http.patch("/api/debtors/" + b.getString("id"), AGENT_KEY, new JsonObject().put("status", "active")),
        409, null);
  }

  @Test
  void list_filtersSortsAndPagesWithoutGapsOrRepeats(TestApp app) {
    Http http = new Http(app);
    for (int i = 0; i < 23; i++) {
      http.post("/api/debtors", AGENT_KEY, ann().put("email", "p" + i + "@example.com").put("lastName", "Person" + i)
          .put("status", i % 3 == 0 ? "dispute" : "active"));
    }
    TestApp.await(app.pool.query("UPDATE debtors SET payment_propensity_score = (abs(hashtext(email)) % 101)").execute());

    Set<String> seen = new HashSet<>();
    List<Integer> scores = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      var r = http.get("/api/debtors?sort=score&limit=5" + (cursor == null ? "" : "&cursor=" + cursor), AGENT_KEY);
      assertThat(r.statusCode()).isEqualTo(200);
      JsonArray items = r.bodyAsJsonObject().getJsonArray("items");
      items.forEach(o -> {
        assertThat(seen.add(((JsonObject) o).getString("id"))).isTrue();
        scores.add(((JsonObject) o).getInteger("paymentPropensityScore"));
      });
      cursor = r.bodyAsJsonObject().getString("nextCursor");
      pages++;
    } while (cursor != null);
    assertThat(seen).hasSize(23);
    assertThat(pages).isEqualTo(5);
    assertThat(scores).isSortedAccordingTo((a, b) -> b - a);

    var disputes = http.get("/api/debtors?status=dispute&limit=500", AGENT_KEY).bodyAsJsonObject();
    assertThat(disputes.getJsonArray("items")).hasSize(8);
    assertThat(disputes.getString("nextCursor")).isNull();

    var q = http.get("/api/debtors?q=person1", AGENT_KEY).bodyAsJsonObject().getJsonArray("items");
    assertThat(q).hasSize(11); // Person1, Person10..Person19

    var ranged = http.get("/api/debtors?minScore=40&maxScore=60&sort=score", AGENT_KEY).bodyAsJsonObject().getJsonArray("items");
    ranged.forEach(o -> assertThat(((JsonObject) o).getInteger("paymentPropensityScore")).isBetween(40, 60));

    Set<String> byUpdated = new HashSet<>();
    String c = null;
    do {
      var page = http.get("/api/debtors?sort=updated&limit=7" + (c == null ? "" : "&cursor=" + c), AGENT_KEY).bodyAsJsonObject();
      page.getJsonArray("items").forEach(o -> byUpdated.add(((JsonObject) o).getString("id")));
      c = page.getString("nextCursor");
    } while (c != null);
    assertThat(byUpdated).isEqualTo(seen);
  }

  @ParameterizedTest(name = "GET /api/debtors?{0} is a 400 naming {1}")
  @CsvSource(nullValues = "-", value = {"limit=0, limit", "limit=501, limit", "sort=name, sort", "status=happy, status",
      "minScore=abc, minScore", "cursor=abc, cursor", "cursor=%%%, -"})
  void list_badParameters_are400(String query, String field, TestApp app) {
    assertProblem(new Http(app).get("/api/debtors?" + query, AGENT_KEY), 400, field);
  }

  @Test
  void timeline_forAViewer_hidesTheTokenInClickedLinks(TestApp app) {
    Http http = new Http(app);
    JsonObject d = http.post("/api/debtors", AGENT_KEY, ann()).bodyAsJsonObject();
    String id = d.getString("id");
    String token = d.getString("uniqueToken");
    TestApp.await(app.pool.preparedQuery("""
        INSERT INTO email_events (debtor_id, kind, occurred_at, label, reason, url)
        VALUES ($1, 'click', now() - interval '1 hour', 'human', 'no machine signal', $2)""")
        .execute(Tuple.of(UUID.fromString(id), "https://pay.example/p/" + token + "/pay")));

    JsonObject asAgent = http.get("/api/debtors/" + id + "/timeline", AGENT_KEY).bodyAsJsonObject()
        .getJsonArray("items").getJsonObject(0);
    assertThat(asAgent.getString("kind")).isEqualTo("click");
    assertThat(asAgent.getString("url")).isEqualTo("https://pay.example/p/" + token + "/pay");

    var asViewer = http.get("/api/debtors/" + id + "/timeline", VIEWER_KEY);
    assertThat(asViewer.statusCode()).isEqualTo(200);
    assertThat(asViewer.bodyAsString()).doesNotContain(token);
    assertThat(asViewer.bodyAsJsonObject().getJsonArray("items").getJsonObject(0).getString("url"))
        .isEqualTo("https://pay.example/p/{token}/pay");
  }

  @Test
  void timeline_listsCommunicationsPageViewsAndPayments_newestFirst(TestApp app) {
    Http http = new Http(app);
    JsonObject d = http.post("/api/debtors", AGENT_KEY, ann()).bodyAsJsonObject();
    String id = d.getString("id");
    TestApp.await(app.pool.query("""
        INSERT INTO communications (debtor_id, type, direction, subject, "timestamp")
          VALUES ('%1$s', 'email', 'outbound', 'Hello', now() - interval '3 days');
        INSERT INTO page_views (debtor_id, page_type, time_on_page, "timestamp")
          VALUES ('%1$s', 'landing', 42, now() - interval '2 days');
        INSERT INTO payments (debtor_id, amount, payment_type, status, created_at)
          VALUES ('%1$s', 100.00, 'partial', 'completed', now() - interval '1 day');
        """.formatted(id)).execute());
    var r = http.get("/api/debtors/" + id + "/timeline?limit=2", AGENT_KEY).bodyAsJsonObject();
    JsonArray items = r.getJsonArray("items");
    assertThat(items).hasSize(2);
    assertThat(items.getJsonObject(0).getString("kind")).isEqualTo("payment");
    assertThat(items.getJsonObject(0).getString("amount")).isEqualTo("100.00");
    assertThat(items.getJsonObject(1).getString("kind")).isEqualTo("page_view");
    assertThat(items.getJsonObject(1).getInteger("timeOnPage")).isEqualTo(42);
    var next = http.get("/api/debtors/" + id + "/timeline?limit=2&cursor=" + r.getString("nextCursor"), AGENT_KEY)
        .bodyAsJsonObject();
    assertThat(next.getJsonArray("items")).hasSize(1);
    assertThat(next.getJsonArray("items").getJsonObject(0).getString("kind")).isEqualTo("communication");
    assertThat(next.getJsonArray("items").getJsonObject(0).getString("subject")).isEqualTo("Hello");
    assertThat(next.getString("nextCursor")).isNull();

    assertProblem(http.get("/api/debtors/6f1c1f9e-2b1a-4c59-9d0e-000000000000/timeline", AGENT_KEY), 404, null);
  }

  @Test
  void unknownRoute_isProblem404(TestApp app) {
    assertProblem(new Http(app).get("/api/nothing-here", AGENT_KEY), 404, null);
  }

  static long count(TestApp app) {
    return TestApp.await(app.pool.query("SELECT count(*) FROM debtors").execute()).iterator().next().getLong(0);
  }
}
