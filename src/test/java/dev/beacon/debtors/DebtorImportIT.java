package dev.beacon.debtors;

import dev.beacon.support.BeaconExtension;
import dev.beacon.support.Http;
import dev.beacon.support.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.beacon.debtors.DebtorApiIT.assertProblem;
import static dev.beacon.support.TestApp.AGENT_KEY;
import static dev.beacon.support.TestApp.VIEWER_KEY;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(BeaconExtension.class)
@Timeout(120)
class DebtorImportIT {

  private static JsonObject importCsv(TestApp app, String csv) {
    var r = new Http(app).postRaw("/api/debtors/import", AGENT_KEY, "text/csv", Buffer.buffer(csv));
    assertThat(r.statusCode()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  @Test
  void csv_createsValidRows_andReportsEachBadRowByLine(TestApp app) {
    String csv = """
        firstName,lastName,email,state,totalOwed,phoneConsent,addressLine2
        Ann,Lee,ann@example.com,TX,100.00,yes,
        Bob,,bob@example.com,CA,5,no,
        Cat,Kim,not-an-email,NY,5,no,
        Dan,Ng,dan@example.com,FL,12.345,no,
        "Eve, Jr.",Ray,eve@example.com,WA,7.5,true,"Apt 4, ""B""\"
        Gil,Roe,gil@example.com,WA,1,no,"Apt 4
        Floor 2"
        Fay,Cho,fay@example.com,OR,1
        """;
    JsonObject r = importCsv(app, csv);
    assertThat(r.getLong("created")).isEqualTo(2);
    assertThat(r.getLong("updated")).isZero();
    assertThat(r.getLong("rejectedCount")).isEqualTo(5);
    var rejected = r.getJsonArray("rejected");
    assertThat(rejected.stream().map(o -> ((JsonObject) o).getLong("line"))).containsExactly(3L, 4L, 5L, 7L, 9L);
    assertThat(rejected.stream().map(o -> ((JsonObject) o).getJsonArray("errors").getJsonObject(0).getString("field")))
        .containsExactly("lastName", "email", "totalOwed", "addressLine2", "row");

    var eve = TestApp.await(app.pool.query("SELECT first_name, address_line2, phone_consent, total_owed::text FROM debtors WHERE email = 'eve@example.com'")
        .execute()).iterator().next();
    assertThat(eve.getString(0)).isEqualTo("Eve, Jr.");
    assertThat(eve.getString(1)).isEqualTo("Apt 4, \"B\"");
    assertThat(eve.getBoolean(2)).isTrue();
    assertThat(eve.getString(3)).isEqualTo("7.50");
  }

  @Test
  void existingEmail_updatesThatDebtor_keepingItsTokenAndUnsetFields(TestApp app) {
    Http http = new Http(app);
    JsonObject d = http.post("/api/debtors", AGENT_KEY, new JsonObject().put("firstName", "Ann").put("lastName", "Lee")
        .put("email", "ann@example.com").put("city", "Austin").put("totalOwed", "10.00")).bodyAsJsonObject();
    JsonObject r = importCsv(app, "firstName,lastName,email,totalOwed,city\nAnnie,Lee,ANN@example.com,20.00,\nNew,One,new@example.com,1,\n");
    assertThat(r.getLong("created")).isEqualTo(1);
    assertThat(r.getLong("updated")).isEqualTo(1);
    JsonObject after = http.get("/api/debtors/" + d.getString("id"), AGENT_KEY).bodyAsJsonObject();
    assertThat(after.getString("firstName")).isEqualTo("Annie");
    assertThat(after.getString("totalOwed")).isEqualTo("20.00");
    assertThat(after.getString("city")).isEqualTo("Austin");
    assertThat(after.getString("uniqueToken")).isEqualTo(d.getString("uniqueToken"));
  }

  @Test
  void sameEmailTwiceInOneFile_lastRowWins(TestApp app) {
    JsonObject r = importCsv(app, "firstName,lastName,email\nA,One,dup@example.com\nB,Two,dup@example.com\n");
    assertThat(r.getLong("created")).isEqualTo(1);
    assertThat(r.getLong("updated")).isEqualTo(1);
    assertThat(TestApp.await(app.pool.query("SELECT first_name FROM debtors").execute()).iterator().next().getString(0))
        .isEqualTo("B");
  }

  @Test
  void csv_unknownHeader_refusesTheFile_andWritesNothing(TestApp app) {
    var r = new Http(app).postRaw("/api/debtors/import", AGENT_KEY, "text/csv",
        Buffer.buffer("firstName,lastName,favouriteColour\nA,B,red\n"));
    assertProblem(r, 400, "favouriteColour");
    assertThat(DebtorApiIT.count(app)).isZero();
  }

  @Test
  void ndjson_importsObjects_andRejectsBadLines(TestApp app) {
    String body = """
        {"firstName":"Ann","lastName":"Lee","email":"ann@example.com","totalOwed":"50.00","emailConsent":false}
        not json
        [1,2]

        {"firstName":"Bob","lastName":"Ray","totalOwed":-1}
        {"firstName":"Cy","lastName":"Day","phoneConsent":"yes"}
        {"firstName":"Di","lastName":"Fox","state":"NV"}
        """;
    var r = new Http(app).postRaw("/api/debtors/import", AGENT_KEY, "application/x-ndjson", Buffer.buffer(body));
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject j = r.bodyAsJsonObject();
    assertThat(j.getLong("created")).isEqualTo(2);
    assertThat(j.getJsonArray("rejected").stream().map(o -> ((JsonObject) o).getLong("line"))).containsExactly(2L, 3L, 5L, 6L);
    assertThat(TestApp.await(app.pool.query("SELECT email_consent FROM debtors WHERE email = 'ann@example.com'").execute())
        .iterator().next().getBoolean(0)).isFalse();
  }

  @Test
  void hundredThousandRows_importInOneRequest(TestApp app) {
    StringBuilder sb = new StringBuilder("firstName,lastName,email,state,totalOwed\n");
    for (int i = 0; i < 100_000; i++) {
      sb.append("First").append(i).append(",Last").append(i).append(",user").append(i).append("@example.com,TX,")
          .append(i % 1000).append(".25\n");
    }
    var r = TestApp.await(app.client.post("/api/debtors/import").bearerTokenAuthentication(AGENT_KEY)
        .putHeader("Content-Type", "text/csv").timeout(110_000).sendBuffer(Buffer.buffer(sb.toString())));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getLong("created")).isEqualTo(100_000);
    assertThat(r.bodyAsJsonObject().getLong("rejectedCount")).isZero();
    assertThat(DebtorApiIT.count(app)).isEqualTo(100_000);
    assertThat(TestApp.await(app.pool.query("SELECT count(DISTINCT unique_token) FROM debtors").execute())
        .iterator().next().getLong(0)).isEqualTo(100_000);
  }

  @Test
  void wrongContentType_is415_andViewerMayNotImport(TestApp app) {
    assertProblem(new Http(app).postRaw("/api/debtors/import", AGENT_KEY, "application/json", Buffer.buffer("{}")), 415, null);
    assertProblem(new Http(app).postRaw("/api/debtors/import", VIEWER_KEY, "text/csv", Buffer.buffer("firstName\n")), 403, null);
  }

  @Test
  void csvWithoutHeader_isRefused(TestApp app) {
    assertProblem(new Http(app).postRaw("/api/debtors/import", AGENT_KEY, "text/csv", Buffer.buffer("")), 400, "body");
  }

  @Test
  void bodyOverTheImportLimit_is413(TestApp unused) {
    try (TestApp small = TestApp.start(new JsonObject().put("http", new JsonObject().put("importLimitMb", 1)))) {
      String big = "firstName,lastName\n" + "Ann,Lee\n".repeat(200_000);
      var r = new Http(small).postRaw("/api/debtors/import", AGENT_KEY, "text/csv", Buffer.buffer(big));
      assertProblem(r, 413, null);
    }
  }
}
