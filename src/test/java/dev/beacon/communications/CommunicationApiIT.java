package dev.beacon.communications;

import dev.beacon.support.BeaconExtension;
import dev.beacon.support.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.beacon.communications.Comms.assertProblem;
import static dev.beacon.communications.Comms.chicago;
import static dev.beacon.communications.Comms.contact;
import static dev.beacon.support.TestApp.AGENT_KEY;
import static dev.beacon.support.TestApp.VIEWER_KEY;
import static org.assertj.core.api.Assertions.assertThat;

/** Recording, listing, validating and following up communications over HTTP and PostgreSQL. */
@ExtendWith(BeaconExtension.class)
@Timeout(60)
class CommunicationApiIT {
  private Comms t;

  @BeforeEach
  void comms(TestApp app) {
    t = new Comms(app);
  }

  @Test
  @DisplayName("outbound email: 201, checked against the rule set, tracking URLs, counters moved")
  void outboundEmail_isRecordedWithTrackingAndCounters(TestApp app) {
    JsonObject d = t.debtor();
    Instant at = chicago(2, 10, 15);
    var r = t.post(d.getString("id"), contact("email", "outbound", at).put("subject", "Your balance")
        .put("content", "Hello Ann").put("aiGenerated", true));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    JsonObject c = r.bodyAsJsonObject();
    String id = c.getString("id");
    assertThat(c.getString("debtorId")).isEqualTo(d.getString("id"));
    assertThat(c.getString("type")).isEqualTo("email");
    assertThat(c.getString("direction")).isEqualTo("outbound");
    assertThat(c.getString("subject")).isEqualTo("Your balance");
    assertThat(c.getString("content")).isEqualTo("Hello Ann");
    assertThat(c.getBoolean("aiGenerated")).isTrue();
    assertThat(c.getBoolean("complianceChecked")).isTrue();
    assertThat(c.getString("ruleSet")).isEqualTo(Compliance.RULE_SET);
    assertThat(c.getString("at")).isEqualTo(at.toString());
    assertThat(c.getBoolean("emailOpened")).isFalse();
    JsonObject tracking = c.getJsonObject("tracking");
    assertThat(tracking.getString("pixelUrl"))
        .isEqualTo(app.baseUrl() + "/t/o/" + d.getString("uniqueToken") + "/" + id + ".gif");
    assertThat(tracking.getString("linkBase")).isEqualTo(app.baseUrl() + "/api/tracking-links");

    var row = t.debtorRow(d.getString("id"));
    assertThat(row.getInteger("total_contacts")).isEqualTo(1);
    assertThat(row.getOffsetDateTime("last_contact_date").toInstant()).isEqualTo(at);
    assertThat(row.getOffsetDateTime("last_response_date")).isNull();
    assertThat(t.count("SELECT count(*) FROM communications WHERE compliance_checked AND compliance_rule_set = $1",
        Compliance.RULE_SET)).isEqualTo(1);
  }

  @Test
  void outboundCall_keepsCallFields_andHasNoTracking(TestApp app) {
    JsonObject d = t.debtor();
    var r = t.post(d.getString("id"), contact("phone", "outbound", chicago(1, 11, 0)).put("callDuration", 95)
        .put("callOutcome", "voicemail").put("content", "Left a message"));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    JsonObject c = r.bodyAsJsonObject();
    assertThat(c.getInteger("callDuration")).isEqualTo(95);
    assertThat(c.getString("callOutcome")).isEqualTo("voicemail");
    assertThat(c.containsKey("tracking")).isFalse();
  }

  @Test
  @DisplayName("inbound contact: not gated, moves last_response_date only")
  void inbound_movesLastResponseDate_notContactCount(TestApp app) {
    // No consent at all and in dispute: inbound contacts are still recorded.
    JsonObject d = t.debtor(new JsonObject().put("emailConsent", false).put("phoneConsent", false).put("status", "dispute"));
    Instant at = chicago(3, 23, 30);
    var r = t.post(d.getString("id"), contact("email", "inbound", at).put("subject", "Re: balance"));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    assertThat(r.bodyAsJsonObject().getBoolean("complianceChecked")).isFalse();
    assertThat(r.bodyAsJsonObject().getString("ruleSet")).isNull();
    assertThat(r.bodyAsJsonObject().containsKey("tracking")).isFalse();
    var row = t.debtorRow(d.getString("id"));
    assertThat(row.getInteger("total_contacts")).isZero();
    assertThat(row.getOffsetDateTime("last_contact_date")).isNull();
    assertThat(row.getOffsetDateTime("last_response_date").toInstant()).isEqualTo(at);
  }

  @Test
  @DisplayName("imported history keeps its timestamp; an older contact does not move last_contact_date back")
  void importedHistory_keepsTimestamps(TestApp app) {
    String id = t.debtor().getString("id");
    Instant recent = chicago(1, 12, 0);
    Instant older = chicago(30, 12, 0);
    assertThat(t.post(id, contact("sms", "outbound", recent)).statusCode()).isEqualTo(201);
    var r = t.post(id, contact("sms", "outbound", older));
    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(r.bodyAsJsonObject().getString("at")).isEqualTo(older.toString());
    var row = t.debtorRow(id);
    assertThat(row.getInteger("total_contacts")).isEqualTo(2);
    assertThat(row.getOffsetDateTime("last_contact_date").toInstant()).isEqualTo(recent);
  }

  @Test
  @DisplayName("without at, the contact is recorded now (debtor where it is daytime now)")
  void withoutAt_isRecordedNow(TestApp app) {
    String id = t.debtor(new JsonObject().put("timezone", Comms.daytimeZone())).getString("id");
    Instant before = Instant.now().minusSeconds(1);
    var r = t.post(id, contact("email", "outbound", null));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    Instant at = Instant.parse(r.bodyAsJsonObject().getString("at"));
    assertThat(at).isBetween(before, Instant.now().plusSeconds(1));
  }

  @Test
  @DisplayName("every invalid field is named in one 400 and nothing is written")
  void invalidFields_areAllNamed(TestApp app) {
    String id = t.debtor().getString("id");
    JsonObject bad = new JsonObject().put("type", "fax").put("direction", "sideways").put("subject", "x".repeat(501))
        .put("content", 7).put("callDuration", -1).put("callOutcome", "hung_up").put("aiGenerated", "yes")
        .put("requiresFollowup", "no").put("followupDate", "tomorrow").put("at", "yesterday").put("channel", "x");
    var r = t.post(id, bad);
    assertProblem(r, 400, "type");
    List<String> fields = r.bodyAsJsonObject().getJsonArray("errors").stream()
        .map(e -> ((JsonObject) e).getString("field")).toList();
    assertThat(fields).contains("direction", "subject", "content", "callDuration", "callOutcome", "aiGenerated",
        "requiresFollowup", "followupDate", "at", "channel");
    assertThat(t.count("SELECT count(*) FROM communications")).isZero();
  }

  @Test
  void missingRequiredFields_andFieldCombinations_are400(TestApp app) {
    String id = t.debtor().getString("id");
    var missing = t.post(id, new JsonObject());
    assertProblem(missing, 400, "type");
    assertProblem(missing, 400, "direction");
    assertProblem(t.post(id, contact("email", "outbound", chicago(1, 12, 0)).put("callDuration", 10)), 400, "callDuration");
    assertProblem(t.post(id, contact("sms", "outbound", chicago(1, 12, 0)).put("callOutcome", "answered")), 400, "callOutcome");
    assertProblem(t.post(id, contact("email", "outbound", chicago(1, 12, 0)).put("requiresFollowup", true)), 400, "followupDate");
    assertProblem(t.post(id, contact("email", "outbound", chicago(1, 12, 0))
        .put("followupDate", "2026-12-01T15:00:00Z")), 400, "followupDate");
    assertProblem(t.post(id, contact("phone", "outbound", chicago(1, 12, 0)).put("callDuration", 1.5)), 400, "callDuration");
    assertProblem(t.post(id, contact("email", "outbound", Instant.now().plus(Duration.ofHours(1)))), 400, "at");
    assertProblem(t.post(id, contact("email", "outbound", chicago(1, 12, 0)).put("subject", " ")), 400, "subject");
    assertThat(t.count("SELECT count(*) FROM communications")).isZero();
  }

  @Test
  void badRequests_malformedJson_wrongType_badId_unknownDebtor(TestApp app) {
    String id = t.debtor().getString("id");
    String path = "/api/debtors/" + id + "/communications";
    assertProblem(t.http.postRaw(path, AGENT_KEY, "application/json", Buffer.buffer("{\"type\":")), 400, null);
    assertProblem(t.http.postRaw(path, AGENT_KEY, "application/json", Buffer.buffer("[]")), 400, null);
    assertProblem(t.http.postRaw(path, AGENT_KEY, "text/plain", contact("email", "outbound", null).toBuffer()), 415, null);
    assertProblem(t.post("not-a-uuid", contact("email", "outbound", null)), 400, "id");
    assertProblem(t.post(UUID.randomUUID().toString(), contact("email", "outbound", chicago(1, 12, 0))), 404, null);
    assertProblem(t.http.get("/api/debtors/" + UUID.randomUUID() + "/communications", AGENT_KEY), 404, null);
    assertProblem(t.http.get(path + "?limit=0", AGENT_KEY), 400, "limit");
    assertProblem(t.http.get(path + "?cursor=bm90LWpzb24", AGENT_KEY), 400, "cursor");
    // JSON, but not a cursor of this list: no time, then a time that does not parse.
    assertProblem(t.http.get(path + "?cursor=eyJpZCI6IjZmMWMxZjllLTJiMWEtNGM1OS05ZDBlLTAwMDAwMDAwMDAwMCJ9", AGENT_KEY), 400, "cursor");
    assertProblem(t.http.get(path + "?cursor=eyJhdCI6Inllc3RlcmRheSIsImlkIjoiNmYxYzFmOWUtMmIxYS00YzU5LTlkMGUtMDAwMDAwMDAwMDAwIn0", AGENT_KEY), 400, "cursor");
    assertProblem(t.http.get("/api/followups?cursor=eyJhdCI6Inllc3RlcmRheSIsImlkIjoiNmYxYzFmOWUtMmIxYS00YzU5LTlkMGUtMDAwMDAwMDAwMDAwIn0", AGENT_KEY), 400, "cursor");
  }

  @Test
  void auth_viewerMayList_butNotRecord_andNoKeyIs401(TestApp app) {
    String id = t.debtor().getString("id");
    String path = "/api/debtors/" + id + "/communications";
    assertProblem(t.http.post(path, VIEWER_KEY, contact("email", "outbound", chicago(1, 12, 0))), 403, null);
    assertProblem(t.http.post(path, null, contact("email", "outbound", chicago(1, 12, 0))), 401, null);
    assertThat(t.http.get(path, VIEWER_KEY).statusCode()).isEqualTo(200);
  }

  @Test
  void agentOptOut_refusesTheChannel_onlyThatOne_andOnce(TestApp app) {
    JsonObject d = t.debtor(new JsonObject().put("emailConsent", true));
    String id = d.getString("id");
    String path = "/api/debtors/" + id + "/opt-outs";
    String check = "/api/compliance/check?debtorId=" + id + "&at=" + chicago(1, 12, 0) + "&type=";
    assertThat(t.http.get(check + "sms", AGENT_KEY).bodyAsJsonObject().getBoolean("allowed")).isTrue();

    var first = t.http.post(path, AGENT_KEY, new JsonObject().put("channel", "sms"));
    assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(201);
    assertThat(first.bodyAsJsonObject().getString("source")).isEqualTo("agent");
    assertThat(first.bodyAsJsonObject().getString("channel")).isEqualTo("sms");
    JsonObject refused = t.http.get(check + "sms", AGENT_KEY).bodyAsJsonObject();
    assertThat(refused.getBoolean("allowed")).isFalse();
    assertThat(refused.getString("rule")).isEqualTo("opt-out");
    assertThat(t.http.get(check + "email", AGENT_KEY).bodyAsJsonObject().getBoolean("allowed")).isTrue();
    assertThat(t.http.get(check + "phone", AGENT_KEY).bodyAsJsonObject().getBoolean("allowed")).isTrue();
    assertProblem(t.post(id, contact("sms", "outbound", chicago(1, 12, 0))), 422, null);

    var again = t.http.post(path, AGENT_KEY, new JsonObject().put("channel", "sms"));
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.bodyAsJsonObject().getString("createdAt")).isEqualTo(first.bodyAsJsonObject().getString("createdAt"));
    long rows = TestApp.await(app.pool.preparedQuery("SELECT count(*) FROM debtor_opt_outs WHERE debtor_id = $1")
        .execute(Tuple.of(UUID.fromString(id)))).iterator().next().getLong(0);
    assertThat(rows).isEqualTo(1);

    var phone = t.http.post(path, AGENT_KEY, new JsonObject().put("channel", "phone"));
    assertThat(phone.statusCode()).isEqualTo(201);
    assertThat(t.http.get(check + "phone", AGENT_KEY).bodyAsJsonObject().getString("rule")).isEqualTo("opt-out");
  }

  @Test
  void agentOptOut_badInput_unknownDebtor_andViewer(TestApp app) {
    String id = t.debtor().getString("id");
    String path = "/api/debtors/" + id + "/opt-outs";
    assertProblem(t.http.post(path, AGENT_KEY, new JsonObject()), 400, "channel");
    assertProblem(t.http.post(path, AGENT_KEY, new JsonObject().put("channel", "fax")), 400, "channel");
    assertProblem(t.http.post(path, AGENT_KEY, new JsonObject().put("channel", 3)), 400, "channel");
    assertProblem(t.http.postRaw(path, AGENT_KEY, "text/plain", Buffer.buffer("sms")), 415, null);
    assertProblem(t.http.post("/api/debtors/" + UUID.randomUUID() + "/opt-outs", AGENT_KEY,
        new JsonObject().put("channel", "sms")), 404, null);
    assertProblem(t.http.post("/api/debtors/nope/opt-outs", AGENT_KEY, new JsonObject().put("channel", "sms")), 400, "id");
    assertProblem(t.http.post(path, VIEWER_KEY, new JsonObject().put("channel", "sms")), 403, null);
    long rows = TestApp.await(app.pool.query("SELECT count(*) FROM debtor_opt_outs").execute())
        .iterator().next().getLong(0);
    assertThat(rows).isZero();
  }

  @Test
  void viewer_seesRecordedMessages_withTheDebtorsTokenMasked(TestApp app) {
    JsonObject d = t.debtor(new JsonObject().put("emailConsent", true));
    String id = d.getString("id");
    String token = d.getString("uniqueToken");
    var recorded = t.post(id, contact("email", "outbound", chicago(1, 12, 0))
        .put("subject", "Your balance").put("content", "Pay here: https://pay.example/p/" + token + "/pay"));
    assertThat(recorded.statusCode()).as(recorded.bodyAsString()).isEqualTo(201);
    String path = "/api/debtors/" + id + "/communications";

    JsonObject asAgent = t.http.get(path, AGENT_KEY).bodyAsJsonObject().getJsonArray("items").getJsonObject(0);
    assertThat(asAgent.getString("content")).isEqualTo("Pay here: https://pay.example/p/" + token + "/pay");

    var asViewer = t.http.get(path, VIEWER_KEY);
    assertThat(asViewer.statusCode()).isEqualTo(200);
    assertThat(asViewer.bodyAsString()).doesNotContain(token);
    JsonObject item = asViewer.bodyAsJsonObject().getJsonArray("items").getJsonObject(0);
    assertThat(item.getString("content")).isEqualTo("Pay here: https://pay.example/p/{token}/pay");
    assertThat(item.getString("subject")).isEqualTo("Your balance");
  }

  @Test
  @DisplayName("list: newest first, paged with limit and cursor, only this debtor's contacts")
  void list_isPagedNewestFirst(TestApp app) {
    String id = t.debtor().getString("id");
    String other = t.debtor().getString("id");
    List<Instant> times = new ArrayList<>();
    for (int i = 5; i >= 1; i--) {
      Instant at = chicago(i, 12, 0);
      times.add(0, at);
      assertThat(t.post(id, contact("email", "outbound", at)).statusCode()).isEqualTo(201);
    }
    assertThat(t.post(other, contact("email", "outbound", chicago(1, 13, 0))).statusCode()).isEqualTo(201);

    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      var r = t.http.get("/api/debtors/" + id + "/communications?limit=2" + (cursor == null ? "" : "&cursor=" + cursor),
          AGENT_KEY);
      assertThat(r.statusCode()).isEqualTo(200);
      JsonArray items = r.bodyAsJsonObject().getJsonArray("items");
      assertThat(items.size()).isLessThanOrEqualTo(2);
      items.forEach(o -> seen.add(((JsonObject) o).getString("at")));
      cursor = r.bodyAsJsonObject().getString("nextCursor");
      pages++;
    } while (cursor != null);
    assertThat(pages).isEqualTo(3);
    assertThat(seen).containsExactlyElementsOf(times.stream().map(Instant::toString).toList());
  }

  @Test
  @DisplayName("follow-ups: those due by `due`, oldest first, paged; future ones and non-follow-ups left out")
  void followups_dueOldestFirst(TestApp app) {
    String id = t.debtor().getString("id");
    Instant at = chicago(10, 12, 0);
    Instant first = Instant.parse("2026-01-05T15:00:00Z");
    Instant second = Instant.parse("2026-01-06T15:00:00Z");
    Instant later = Instant.parse("2026-03-01T15:00:00Z");
    for (Instant f : List.of(second, later, first)) {
      var r = t.post(id, contact("email", "outbound", at).put("requiresFollowup", true).put("followupDate", f.toString()));
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    }
    assertThat(t.post(id, contact("email", "outbound", at)).statusCode()).isEqualTo(201);

    var r = t.http.get("/api/followups?due=2026-02-01T00:00:00Z", AGENT_KEY);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonArray items = r.bodyAsJsonObject().getJsonArray("items");
    assertThat(items.stream().map(o -> ((JsonObject) o).getString("followupDate")))
        .containsExactly(first.toString(), second.toString());
    assertThat(items.getJsonObject(0).getString("debtorId")).isEqualTo(id);

    var page1 = t.http.get("/api/followups?due=2026-12-31T00:00:00%2B00:00&limit=2", AGENT_KEY).bodyAsJsonObject();
    assertThat(page1.getJsonArray("items")).hasSize(2);
    var page2 = t.http.get("/api/followups?due=2026-12-31T00:00:00Z&limit=2&cursor=" + page1.getString("nextCursor"),
        AGENT_KEY).bodyAsJsonObject();
    assertThat(page2.getJsonArray("items").getJsonObject(0).getString("followupDate")).isEqualTo(later.toString());
    assertThat(page2.getString("nextCursor")).isNull();

    var now = t.http.get("/api/followups", AGENT_KEY).bodyAsJsonObject();
    assertThat(now.getJsonArray("items")).hasSize(3);
    assertProblem(t.http.get("/api/followups?due=soon", AGENT_KEY), 400, "due");
  }

  @Test
  @DisplayName("the timeline shows communications and compliance refusals")
  void timeline_showsCommunicationsAndRefusals(TestApp app) {
    String id = t.debtor(new JsonObject().put("phoneConsent", false)).getString("id");
    assertThat(t.post(id, contact("email", "outbound", chicago(2, 12, 0))).statusCode()).isEqualTo(201);
    Comms.assertRefused(t.post(id, contact("sms", "outbound", chicago(1, 12, 0))), Compliance.PHONE_CONSENT);
    JsonArray items = t.http.get("/api/debtors/" + id + "/timeline", AGENT_KEY).bodyAsJsonObject().getJsonArray("items");
    assertThat(items).hasSize(2);
    JsonObject refusal = items.getJsonObject(0);
    assertThat(refusal.getString("kind")).isEqualTo("compliance_refusal");
    assertThat(refusal.getString("rule")).isEqualTo(Compliance.PHONE_CONSENT);
    assertThat(refusal.getString("type")).isEqualTo("sms");
    assertThat(refusal.getString("ruleSet")).isEqualTo(Compliance.RULE_SET);
    assertThat(refusal.getString("at")).isEqualTo(chicago(1, 12, 0).toString());
    assertThat(items.getJsonObject(1).getString("kind")).isEqualTo("communication");
  }

  @Test
  @DisplayName("OffsetDateTime `at` with an offset is stored as the same instant")
  void atWithOffset_isTheSameInstant(TestApp app) {
    String id = t.debtor().getString("id");
    Instant at = chicago(1, 12, 0);
    String withOffset = OffsetDateTime.ofInstant(at, Comms.CHICAGO).toString();
    var r = t.post(id, new JsonObject().put("type", "email").put("direction", "outbound").put("at", withOffset));
    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(r.bodyAsJsonObject().getString("at")).isEqualTo(at.toString());
  }
}
