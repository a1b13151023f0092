package dev.beacon.communications;

import dev.beacon.support.Http;
import dev.beacon.support.TestApp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.IntFunction;

import static dev.beacon.support.TestApp.AGENT_KEY;
import static org.assertj.core.api.Assertions.assertThat;

/** Helpers for the communications integration tests: debtors, contacts and times that never depend on the hour CI runs. */
final class Comms {
  static final ZoneId CHICAGO = ZoneId.of("America/Chicago");

  private final TestApp app;
  final Http http;

  Comms(TestApp app) {
    this.app = app;
    this.http = new Http(app);
  }

  /** A Chicago debtor with email and phone consent; {@code changes} override fields. */
  JsonObject debtor(JsonObject changes) {
    JsonObject body = new JsonObject().put("firstName", "Ann").put("lastName", "Lee")
        .put("email", "ann-" + UUID.randomUUID() + "@example.com").put("phone", "+15125550100")
        .put("state", "IL").put("timezone", "America/Chicago").put("totalOwed", "900.00").put("phoneConsent", true)
        .mergeIn(changes);
    HttpResponse<Buffer> r = http.post("/api/debtors", AGENT_KEY, body);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    return r.bodyAsJsonObject();
  }

  JsonObject debtor() {
    return debtor(new JsonObject());
  }

  HttpResponse<Buffer> post(String debtorId, JsonObject body) {
    return http.post("/api/debtors/" + debtorId + "/communications", AGENT_KEY, body);
  }

  /** {@code n} contacts for one debtor sent at once, the {@code i}-th with {@code body(i)}; the answers in order. */
  List<HttpResponse<Buffer>> postAtOnce(String debtorId, int n, IntFunction<JsonObject> body) {
    List<Future<HttpResponse<Buffer>>> posts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      posts.add(app.client.post("/api/debtors/" + debtorId + "/communications").bearerTokenAuthentication(AGENT_KEY)
          .sendJsonObject(body.apply(i)));
    }
    TestApp.await(Future.all(posts));
    return posts.stream().map(Future::result).toList();
  }

  static JsonObject contact(String type, String direction, Instant at) {
    JsonObject j = new JsonObject().put("type", type).put("direction", direction);
    return at == null ? j : j.put("at", at.toString());
  }

  /** {@code hour:minute} in Chicago, {@code daysAgo} days before today: always in the past, never "now". */
  static Instant chicago(int daysAgo, int hour, int minute) {
    return LocalDate.now(CHICAGO).minusDays(daysAgo).atTime(LocalTime.of(hour, minute)).atZone(CHICAGO).toInstant();
  }

  /**
   * A fixed-offset zone where it is now about 14:00, so a contact recorded "now" is at a convenient hour
   * whenever the test runs.
   */
  static String daytimeZone() {
    int hour = Instant.now().atOffset(ZoneOffset.UTC).getHour();
    int offset = 14 - hour;
    // Etc/GMT signs are inverted: Etc/GMT-5 is UTC+5.
    return offset == 0 ? "Etc/GMT" : "Etc/GMT" + (offset > 0 ? "-" : "+") + Math.abs(offset);
  }

  Row debtorRow(String id) {
    return TestApp.await(app.pool.preparedQuery("SELECT * FROM debtors WHERE id = $1")
        .execute(Tuple.of(UUID.fromString(id)))).iterator().next();
  }

  long count(String sql, Object... params) {
    return TestApp.await(app.pool.preparedQuery(sql).execute(Tuple.from(params))).iterator().next().getLong(0);
  }

  static void assertProblem(HttpResponse<Buffer> r, int status, String field) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    assertThat(r.getHeader("Content-Type")).startsWith("application/problem+json");
    JsonObject p = r.bodyAsJsonObject();
    assertThat(p.getInteger("status")).isEqualTo(status);
    assertThat(p.getString("detail")).isNotBlank();
    if (field != null) {
      assertThat(p.getJsonArray("errors").stream().map(e -> ((JsonObject) e).getString("field"))).contains(field);
    }
  }

  static void assertRefused(HttpResponse<Buffer> r, String rule) {
    assertProblem(r, 422, null);
    assertThat(r.bodyAsJsonObject().getString("rule")).isEqualTo(rule);
  }
}
