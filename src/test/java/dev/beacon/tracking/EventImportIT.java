package dev.beacon.tracking;

import dev.beacon.support.BeaconExtension;
import dev.beacon.support.Http;
import dev.beacon.support.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import static dev.beacon.support.TestApp.AGENT_KEY;
import static dev.beacon.support.TestApp.VIEWER_KEY;
import static dev.beacon.support.TestApp.await;
import static dev.beacon.tracking.Fixtures.BROWSER;
import static dev.beacon.tracking.Fixtures.count;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(BeaconExtension.class)
@Timeout(60)
class EventImportIT {

  static String ndjson(JsonObject... lines) {
    StringBuilder b = new StringBuilder();
    for (JsonObject l : lines) {
      b.append(l.encode()).append('\n');
    }
    return b.toString();
  }

  @Test
  void import_writesValidLines_classifies_andReportsBadLinesByNumber(TestApp app) {
    var ann = Fixtures.debtor(app, "Ann");
    var bob = Fixtures.debtor(app, "Bob");
    UUID comm = Fixtures.email(app, ann, 86_400);
    UUID bobs = Fixtures.email(app, bob, 86_400);
    String sent = await(app.pool.preparedQuery("SELECT \"timestamp\" FROM communications WHERE id = $1")
        .execute(Tuple.of(comm))).iterator().next().getOffsetDateTime(0).toInstant().toString();
    String hourLater = Instant.parse(sent).plus(1, ChronoUnit.HOURS).toString();
    String body = ndjson(
        new JsonObject().put("debtorId", ann.id().toString()).put("kind", "open").put("at", hourLater)
            .put("communicationId", comm.toString()).put("userAgent", BROWSER).put("ip", "203.0.113.77"),
        new JsonObject().put("debtorId", ann.id().toString()).put("kind", "open").put("at", sent)
            .put("communicationId", comm.toString()).put("userAgent", BROWSER),
        new JsonObject().put("debtorId", ann.id().toString()).put("kind", "open").put("at", hourLater)
            .put("userAgent", "Mozilla/5.0"),
        new JsonObject().put("debtorId", ann.id().toString()).put("kind", "click").put("at", hourLater)
            .put("communicationId", comm.toString()).put("userAgent", BROWSER).put("url", "https://pay.example.com/"),
        new JsonObject().put("debtorId", ann.id().toString()).put("kind", "page_view").put("at", hourLater)
            .put("pageType", "payment").put("timeOnPage", 30).put("actions", new JsonArray().add("pay")))
        + "not json\n"
        + ndjson(
        new JsonObject().put("debtorId", ann.id().toString()).put("kind", "bounce").put("at", hourLater),
        new JsonObject().put("debtorId", UUID.randomUUID().toString()).put("kind", "open").put("at", hourLater),
        new JsonObject().put("debtorId", ann.id().toString()).put("kind", "click").put("at", hourLater),
        new JsonObject().put("debtorId", ann.id().toString()).put("kind", "open").put("at", hourLater)
            .put("communicationId", bobs.toString()),
        new JsonObject().put("debtorId", ann.id().toString()).put("kind", "open").put("at", "yesterday"),
        new JsonObject().put("debtorId", ann.id().toString()).put("kind", "open").put("at", hourLater).put("ip", "host.example"));
    var r = new Http(app).postRaw("/api/events/import", AGENT_KEY, "application/x-ndjson", Buffer.buffer(body));
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject out = r.bodyAsJsonObject();
    assertThat(out.getLong("imported")).isEqualTo(5);
    Map<Integer, String> rejected = new HashMap<>();
    out.getJsonArray("rejected").forEach(x -> {
      JsonObject j = (JsonObject) x;
      rejected.put(j.getInteger("line"), j.getJsonArray("errors").getJsonObject(0).getString("field"));
    });
    assertThat(rejected).containsExactlyInAnyOrderEntriesOf(Map.of(6, "line", 7, "kind", 8, "debtorId", 9, "url",
        10, "communicationId", 11, "at", 12, "ip"));

    Map<String, String> labels = new HashMap<>();
    for (Row e : await(app.pool.query("SELECT kind, label, reason, occurred_at FROM email_events ORDER BY occurred_at, kind, reason").execute())) {
      labels.merge(e.getString("kind") + "@" + e.getOffsetDateTime("occurred_at").toInstant() + ":" + e.getString("reason"),
          e.getString("label"), (a, b) -> a + "," + b);
    }
    assertThat(count(app, "SELECT count(*) FROM email_events WHERE label = 'human'")).isEqualTo(2);
    assertThat(count(app, "SELECT count(*) FROM email_events WHERE label = 'machine' AND reason LIKE '%of the send'"))
        .as(labels.toString()).isEqualTo(1);
    assertThat(count(app, "SELECT count(*) FROM email_events WHERE label = 'machine' AND reason LIKE 'Apple Mail%'"))
        .isEqualTo(1);
    assertThat(count(app, "SELECT count(*) FROM email_events WHERE host(ip_address) = '203.0.113.0'")).isEqualTo(1);
    assertThat(count(app, "SELECT count(*) FROM email_events WHERE occurred_at = $1::text::timestamptz", hourLater))
        .isEqualTo(3);
    assertThat(count(app, "SELECT count(*) FROM communications WHERE email_opened AND email_clicked")).isEqualTo(1);
    assertThat(count(app, "SELECT count(*) FROM page_views WHERE page_type = 'payment' AND time_on_page = 30"))
        .isEqualTo(1);
  }

  @Test
  void import_refusesOtherContentTypes_andViewers(TestApp app) {
    Http http = new Http(app);
    assertThat(http.postRaw("/api/events/import", AGENT_KEY, "text/csv", Buffer.buffer("a\n")).statusCode())
        .isEqualTo(415);
    assertThat(http.postRaw("/api/events/import", VIEWER_KEY, "application/x-ndjson", Buffer.buffer("{}\n"))
        .statusCode()).isEqualTo(403);
  }

  @Test
  void import_manyLines_spanBatches(TestApp app) {
    var ann = Fixtures.debtor(app, "Ann");
    StringBuilder b = new StringBuilder();
    int n = EventImport.BATCH * 2 + 7;
    Instant t = Instant.parse("2026-10-01T10:00:00Z");
    for (int i = 0; i < n; i++) {
      b.append(new JsonObject().put("debtorId", ann.id().toString()).put("kind", "open")
          .put("at", t.plusSeconds(i).toString()).put("userAgent", BROWSER).encode()).append('\n');
    }
    var r = new Http(app).postRaw("/api/events/import", AGENT_KEY, "application/x-ndjson", Buffer.buffer(b.toString()));
    assertThat(r.bodyAsJsonObject().getLong("imported")).isEqualTo(n);
    assertThat(count(app, "SELECT count(*) FROM email_events")).isEqualTo(n);
  }
}
