package dev.beacon.http;

import dev.beacon.support.BeaconExtension;
import dev.beacon.support.Http;
import dev.beacon.support.LogCapture;
import dev.beacon.support.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static dev.beacon.support.TestApp.AGENT_KEY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Client text with line breaks and ANSI escapes goes through every import and validation path: no log event
 * and no problem detail carries it raw, so nobody can forge a log line or recolour an operator's terminal.
 */
@ExtendWith(BeaconExtension.class)
@Timeout(60)
class HostileInputIT {
  static final String FORGED = "x\n12:00:00.000 ERROR [main] dev.beacon.Beacon - FORGED LINE\r\n\u001b[31mred\u001b[0m\u2028";

  private static String debtorId(TestApp app) {
    return new Http(app).post("/api/debtors", AGENT_KEY, new JsonObject().put("firstName", "Ann").put("lastName", "Lee")
        .put("email", "ann@example.com").put("totalOwed", "100.00")).bodyAsJsonObject().getString("id");
  }

  @Test
  void forgedLinesAndEscapes_neverReachALogOrAProblemRaw(TestApp app) {
    Http http = new Http(app);
    String id = debtorId(app);
    String token = TestApp.await(app.pool.query("SELECT unique_token FROM debtors").execute()).iterator().next().getString(0);
    JsonObject hostile = new JsonObject().put(FORGED, FORGED).put("firstName", FORGED).put("email", FORGED)
        .put("totalOwed", FORGED);
    List<HttpResponse<Buffer>> answers;
    try (LogCapture logs = new LogCapture()) {
      answers = List.of(
          http.postRaw("/api/debtors/import", AGENT_KEY, "text/csv", Buffer.buffer("firstName," + csvQuote(FORGED) + "\n")),
          http.postRaw("/api/debtors/import", AGENT_KEY, "text/csv",
              Buffer.buffer("firstName,lastName,email\n" + csvQuote(FORGED) + ",b," + csvQuote(FORGED) + "\n")),
          http.postRaw("/api/debtors/import", AGENT_KEY, "application/x-ndjson", Buffer.buffer(hostile.encode() + "\n")),
          http.postRaw("/api/payments/import", AGENT_KEY, "application/x-ndjson", Buffer.buffer(hostile.encode() + "\n")),
          http.postRaw("/api/events/import", AGENT_KEY, "application/x-ndjson", Buffer.buffer(hostile.encode() + "\n")),
          http.postRaw("/api/debtors/import", AGENT_KEY, "text/csv; charset=FORGED-" + "y".repeat(400), Buffer.buffer("a\n")),
          http.post("/api/debtors", AGENT_KEY, hostile),
          http.patch("/api/debtors/" + id, AGENT_KEY, hostile),
          http.post("/api/debtors/" + id + "/communications", AGENT_KEY, hostile),
          http.post("/api/debtors/" + id + "/opt-outs", AGENT_KEY, hostile),
          http.post("/api/debtors/" + id + "/payments/checkout", AGENT_KEY, hostile),
          http.post("/p/" + token + "/opt-out", null, hostile),
          http.postRaw("/t/u/" + token + "/00000000-0000-0000-0000-000000000000", null,
              "application/x-www-form-urlencoded", Buffer.buffer("List-Unsubscribe=" + urlEncode(FORGED))),
          http.postRaw("/t/b", null, "application/json", Buffer.buffer(hostile.encode())),
          http.get("/api/debtors?status=" + urlEncode(FORGED) + "&q=" + urlEncode(FORGED), AGENT_KEY),
          http.get("/api/debtors/" + urlEncode(FORGED), AGENT_KEY),
          http.get("/nowhere/" + urlEncode(FORGED), null));
      List<String> events = logs.events();
      assertThat(events).allSatisfy(e -> assertThat(e).doesNotContain("\n", "\r", "\u001b", "\u2028"));
      assertThat(String.join("\n", events)).doesNotContain("ERROR [main] dev.beacon.Beacon - FORGED LINE\n");
    }
    for (var r : answers) {
      assertThat(r.statusCode() < 500 || r.statusCode() == 503).as(r.statusCode() + " " + r.bodyAsString()).isTrue();
      assertThat(r.bodyAsString()).doesNotContain("\u001b", "\n12:00");
      // Decoded, the problem still holds no control character: Untrusted wrote each as a visible escape.
      String body = r.bodyAsString();
      if (body.startsWith("{")) {
        JsonObject p = new JsonObject(body);
        p.getJsonArray("errors", new JsonArray()).forEach(e -> assertThat(e.toString())
            .doesNotContain("\u0000").satisfies(x -> assertThat(((JsonObject) e).getString("field"))
                .doesNotContain("\n", "\r", "\u001b")));
        String detail = p.getString("detail", "");
        assertThat(detail).doesNotContain("\n", "\r", "\u001b");
        assertThat(detail.length()).isLessThanOrEqualTo(Problem.MAX_DETAIL + 1);
      }
    }
  }

  @Test
  void untrusted_boundsAndEscapes() {
    assertThat(Untrusted.of(FORGED)).doesNotContain("\n", "\r", "\u001b", "\u2028").contains("\\n", "\\u001b");
    assertThat(Untrusted.of("a".repeat(500))).hasSize(Untrusted.MAX_CHARS + 1).endsWith("…");
    assertThat(Untrusted.of("\ud800x")).isEqualTo("\\ud800x");
    assertThat(Untrusted.of("😀")).isEqualTo("😀");
  }

  private static String csvQuote(String s) {
    return "\"" + s.replace("\"", "\"\"") + "\"";
  }

  private static String urlEncode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
