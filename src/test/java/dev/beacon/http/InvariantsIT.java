package dev.beacon.http;

import dev.beacon.core.Money;
import dev.beacon.support.BeaconExtension;
import dev.beacon.support.Http;
import dev.beacon.support.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.UUID;

import static dev.beacon.support.TestApp.AGENT_KEY;
import static org.assertj.core.api.Assertions.assertThat;

/** Money keeps its invariant, numbers keep their range, and the public pages reveal nothing they should not. */
@ExtendWith(BeaconExtension.class)
@Timeout(60)
class InvariantsIT {

  private static void assertField(HttpResponse<Buffer> r, int status, String field) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    assertThat(r.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo(field);
  }

  private static JsonObject ann() {
    return new JsonObject().put("firstName", "Ann").put("lastName", "Lee").put("email", "ann@example.com");
  }

  @Test
  void amountPaidNeverExceedsTotalOwed_onCreatePatchAndImport(TestApp app) {
    Http http = new Http(app);
    assertField(http.post("/api/debtors", AGENT_KEY, ann().put("totalOwed", "10.00").put("amountPaid", "10.01")),
        400, "amountPaid");
    assertField(http.post("/api/debtors", AGENT_KEY, ann().put("amountPaid", "1.00")), 400, "amountPaid");
    var created = http.post("/api/debtors", AGENT_KEY, ann().put("totalOwed", "100.00").put("amountPaid", "40.00"));
    assertThat(created.statusCode()).isEqualTo(201);
    String id = created.bodyAsJsonObject().getString("id");
    assertField(http.patch("/api/debtors/" + id, AGENT_KEY, new JsonObject().put("amountPaid", "100.01")), 400,
        "amountPaid");
    assertField(http.patch("/api/debtors/" + id, AGENT_KEY, new JsonObject().put("totalOwed", "39.99")), 400,
        "amountPaid");
    assertThat(http.patch("/api/debtors/" + id, AGENT_KEY, new JsonObject().put("amountPaid", "100.00")).statusCode())
        .isEqualTo(200);
    var imported = http.postRaw("/api/debtors/import", AGENT_KEY, "text/csv", Buffer.buffer(
        "firstName,lastName,email,totalOwed,amountPaid\nAnn,Lee,ann@example.com,50.00,\nBo,Ng,bo@example.com,5,6\n"))
        .bodyAsJsonObject();
    assertThat(imported.getLong("created")).isZero();
    assertThat(imported.getLong("updated")).isZero();
    assertThat(imported.getJsonArray("rejected").stream().map(o -> ((JsonObject) o).getJsonArray("errors")
        .getJsonObject(0).getString("field"))).containsExactly("amountPaid", "amountPaid");
    var row = TestApp.await(app.pool.query("SELECT total_owed::text, amount_paid::text FROM debtors").execute())
        .iterator().next();
    assertThat(row.getString(0) + "/" + row.getString(1)).isEqualTo("100.00/100.00");
  }

  @Test
  void outOfRangeNumbers_loneSurrogates_andDuplicateKeys_are400sNamingTheField(TestApp app) {
    Http http = new Http(app);
    String base = "{\"firstName\":\"Ann\",\"lastName\":\"Lee\",";
    assertField(http.postRaw("/api/debtors", AGENT_KEY, "application/json", Buffer.buffer(base + "\"totalOwed\":1e400}")),
        400, "totalOwed");
    assertField(http.postRaw("/api/debtors", AGENT_KEY, "application/json",
        Buffer.buffer(base + "\"totalOwed\":1e-1000000000}")), 400, "totalOwed");
    assertField(http.postRaw("/api/debtors", AGENT_KEY, "application/json",
        Buffer.buffer(base + "\"totalOwed\":123456789012345678901234567890}")), 400, "totalOwed");
    assertField(http.postRaw("/api/debtors", AGENT_KEY, "application/json",
        Buffer.buffer("{\"firstName\":\"\\udc00Ann\",\"lastName\":\"Lee\"}")), 400, "firstName");
    assertField(http.postRaw("/api/debtors", AGENT_KEY, "application/json",
        Buffer.buffer(base + "\"lastName\":\"Ray\"}")), 400, "lastName");
    var deep = http.postRaw("/api/debtors", AGENT_KEY, "application/json",
        Buffer.buffer("{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}"));
    assertThat(deep.statusCode()).isEqualTo(400);
    assertThat(DebtorCount.of(app)).isZero();
  }

  @Test
  void paidPage_showsOnlyThatDebtorsPayment_andCheckoutAnswers404ForUnknownTokensFirst(TestApp app) {
    Http http = new Http(app);
    http.post("/api/debtors", AGENT_KEY, ann().put("totalOwed", "10.00"));
    String token = TestApp.await(app.pool.query("SELECT unique_token FROM debtors").execute()).iterator().next()
        .getString(0);
    var paid = http.get("/p/" + token + "/paid?payment=" + UUID.randomUUID(), null);
    assertThat(paid.statusCode()).isEqualTo(404);
    assertThat(paid.bodyAsString()).doesNotContain("Thank you", "refresh");
    assertThat(http.get("/p/" + token + "/paid", null).statusCode()).isEqualTo(404);
    // Payments are not configured in this app: a known token hears that, an unknown one gets the 404 page.
    var unknown = http.postRaw("/p/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz/checkout", null, "application/x-www-form-urlencoded",
        Buffer.buffer("option=full"));
    assertThat(unknown.statusCode()).isEqualTo(404);
    var known = http.postRaw("/p/" + token + "/checkout", null, "application/x-www-form-urlencoded",
        Buffer.buffer("option=full"));
    assertThat(known.statusCode()).isEqualTo(503);
  }

  @Test
  void multipartOptOut_is415_asDocumented(TestApp app) {
    Http http = new Http(app);
    http.post("/api/debtors", AGENT_KEY, ann());
    String token = TestApp.await(app.pool.query("SELECT unique_token FROM debtors").execute()).iterator().next()
        .getString(0);
    var r = http.postRaw("/p/" + token + "/opt-out", null, "multipart/form-data; boundary=b",
        Buffer.buffer("--b\r\nContent-Disposition: form-data; name=\"channel\"\r\n\r\nsms\r\n--b--\r\n"));
    assertThat(r.statusCode()).isEqualTo(415);
    assertThat(TestApp.await(app.pool.query("SELECT count(*) FROM debtor_opt_outs")
        .execute()).iterator().next().getLong(0)).isZero();
  }

  /** Counts debtors. */
  static final class DebtorCount {
    static long of(TestApp app) {
      return TestApp.await(app.pool.query("SELECT count(*) FROM debtors").execute()).iterator().next().getLong(0);
    }
  }
}
