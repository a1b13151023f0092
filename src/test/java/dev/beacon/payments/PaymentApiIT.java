package dev.beacon.payments;

import dev.beacon.support.BeaconExtension;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.beacon.support.TestApp.AGENT_KEY;
import static dev.beacon.support.TestApp.VIEWER_KEY;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(BeaconExtension.class)
@Timeout(60)
class PaymentApiIT {
  static PaymentKit kit;
  @RegisterExtension
  static final PaymentKit.PerClass KIT = PaymentKit.perClass(k -> kit = k);

  private static JsonObject importLines(String... lines) {
    var r = kit.http.postRaw("/api/payments/import", AGENT_KEY, "application/x-ndjson",
        Buffer.buffer(String.join("\n", lines) + "\n"));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  @Test
  @DisplayName("GET /api/debtors/{id}/payments pages newest first with a cursor; viewers may read it")
  void list_paged() {
    JsonObject d = kit.debtor("500.00");
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(kit.checkout(d, new JsonObject().put("option", "partial").put("amount", "30.00")));
    }
    String path = "/api/debtors/" + d.getString("id") + "/payments?limit=2";
    var first = kit.http.get(path, VIEWER_KEY);
    assertThat(first.statusCode()).isEqualTo(200);
    JsonArray items = first.bodyAsJsonObject().getJsonArray("items");
    assertThat(items).hasSize(2);
    assertThat(items.getJsonObject(0).getString("id")).isEqualTo(ids.get(2).toString());
    assertThat(items.getJsonObject(0).getString("amount")).isEqualTo("30.00");
    assertThat(items.getJsonObject(0).getString("status")).isEqualTo("pending");
    String cursor = first.bodyAsJsonObject().getString("nextCursor");
    assertThat(cursor).isNotNull();
    var second = kit.http.get(path + "&cursor=" + cursor, AGENT_KEY).bodyAsJsonObject();
    assertThat(second.getJsonArray("items")).hasSize(1);
    assertThat(second.getJsonArray("items").getJsonObject(0).getString("id")).isEqualTo(ids.get(0).toString());
    assertThat(second.getString("nextCursor")).isNull();
    assertThat(kit.http.get("/api/debtors/" + UUID.randomUUID() + "/payments", AGENT_KEY).statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("import writes history with its own timestamps, moves amount_paid for completed ones and lists bad lines")
  void import_historyAndErrors() {
    JsonObject d = kit.debtor("200.00");
    JsonObject e = kit.debtor("1000.00");
    JsonObject result = importLines(
        new JsonObject().put("debtorId", d.getString("id")).put("amount", "150.00").put("status", "completed")
            .put("paymentType", "partial").put("paymentMethod", "check")
            .put("createdAt", "2025-01-02T10:00:00Z").put("completedAt", "2025-01-03T10:00:00Z").encode(),
        new JsonObject().put("email", d.getString("email").toUpperCase()).put("amount", "50.00").put("status", "completed")
            .put("createdAt", "2025-02-02T10:00:00Z").encode(),
        new JsonObject().put("debtorId", e.getString("id")).put("amount", "70.00").put("status", "failed").encode(),
        "",
        "not json",
        new JsonObject().put("debtorId", UUID.randomUUID().toString()).put("amount", "10.00").encode(),
        new JsonObject().put("email", e.getString("email")).put("amount", "-1").put("status", "weird").encode(),
        new JsonObject().put("debtorId", e.getString("id")).put("amount", "10.00").put("status", "refunded")
            .put("completedAt", "2025-01-01T00:00:00Z").put("createdAt", "2025-02-01T00:00:00Z").encode());

    assertThat(result.getLong("imported")).isEqualTo(3);
    assertThat(result.getLong("rejectedCount")).isEqualTo(4);
    JsonArray rejected = result.getJsonArray("rejected");
    List<Integer> lines = new ArrayList<>();
    rejected.forEach(r -> lines.add(((JsonObject) r).getInteger("line")));
    assertThat(lines).containsExactlyInAnyOrder(5, 6, 7, 8);
    JsonObject line7 = rejected.stream().map(JsonObject.class::cast).filter(r -> r.getInteger("line") == 7).findFirst()
        .orElseThrow();
    assertThat(line7.getJsonArray("errors").stream().map(x -> ((JsonObject) x).getString("field")))
        .contains("amount", "status");

    assertThat(kit.amountPaid(d)).isEqualTo("200.00");
    assertThat(kit.status(d)).isEqualTo("resolved");
    assertThat(kit.amountPaid(e)).isEqualTo("0.00");
    var list = kit.http.get("/api/debtors/" + d.getString("id") + "/payments", AGENT_KEY).bodyAsJsonObject()
        .getJsonArray("items");
    JsonObject oldest = list.getJsonObject(1);
    assertThat(oldest.getString("createdAt")).isEqualTo("2025-01-02T10:00:00Z");
    assertThat(oldest.getString("completedAt")).isEqualTo("2025-01-03T10:00:00Z");
    assertThat(oldest.getString("source")).isEqualTo("import");
    assertThat(oldest.getString("paymentMethod")).isEqualTo("check");
  }

  @Test
  @DisplayName("import refuses other content types (415) and viewers (403)")
  void import_refusals() {
    assertThat(kit.http.postRaw("/api/payments/import", AGENT_KEY, "application/json", Buffer.buffer("{}"))
        .statusCode()).isEqualTo(415);
    assertThat(kit.http.postRaw("/api/payments/import", VIEWER_KEY, "application/x-ndjson", Buffer.buffer("{}"))
        .statusCode()).isEqualTo(403);
  }
}
