package dev.beacon.communications;

import dev.beacon.support.BeaconExtension;
import dev.beacon.support.TestApp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import static dev.beacon.communications.Comms.assertProblem;
import static dev.beacon.communications.Comms.assertRefused;
import static dev.beacon.communications.Comms.chicago;
import static dev.beacon.communications.Comms.contact;
import static dev.beacon.support.TestApp.AGENT_KEY;
import static dev.beacon.support.TestApp.await;
import static org.assertj.core.api.Assertions.assertThat;

/** The compliance gate end to end: refusals and their log, Regulation F limits, opt-outs, the audit trigger, concurrency. */
@ExtendWith(BeaconExtension.class)
@Timeout(60)
class ComplianceGateIT {
  private Comms t;

  @BeforeEach
  void comms(TestApp app) {
    t = new Comms(app);
  }

  @Test
  @DisplayName("a refusal answers 422 with the rule, is logged, and stores nothing as sent")
  void refusal_isLogged_andNothingIsStored(TestApp app) {
    String id = t.debtor(new JsonObject().put("phoneConsent", false)).getString("id");
    Instant at = chicago(1, 12, 0);
    assertRefused(t.post(id, contact("phone", "outbound", at)), Compliance.PHONE_CONSENT);
    assertThat(t.count("SELECT count(*) FROM communications")).isZero();
    Row log = await(app.pool.query("SELECT * FROM compliance_refusals").execute()).iterator().next();
    assertThat(log.getUUID("debtor_id")).isEqualTo(UUID.fromString(id));
    assertThat(log.getString("type")).isEqualTo("phone");
    assertThat(log.getString("rule")).isEqualTo(Compliance.PHONE_CONSENT);
    assertThat(log.getString("rule_set")).isEqualTo(Compliance.RULE_SET);
    assertThat(log.getString("detail")).isNotBlank();
    assertThat(log.getOffsetDateTime("attempted_at").toInstant()).isEqualTo(at);
    Row d = t.debtorRow(id);
    assertThat(d.getInteger("total_contacts")).isZero();
    assertThat(d.getOffsetDateTime("last_contact_date")).isNull();
  }

  @Test
  @DisplayName("7:59 in the debtor's zone: 422 inconvenient-time with nextAllowedAt 8:00, logged with it")
  void inconvenientTime_namesNextAllowedAt(TestApp app) {
    String id = t.debtor().getString("id");
    HttpResponse<Buffer> r = t.post(id, contact("email", "outbound", chicago(1, 7, 59)));
    assertRefused(r, Compliance.INCONVENIENT_TIME);
    assertThat(r.bodyAsJsonObject().getString("nextAllowedAt")).isEqualTo(chicago(1, 8, 0).toString());
    assertThat(t.count("SELECT count(*) FROM compliance_refusals WHERE next_allowed_at = $1",
        chicago(1, 8, 0).atOffset(ZoneOffset.UTC))).isEqualTo(1);
    assertThat(t.post(id, contact("email", "outbound", chicago(1, 8, 0))).statusCode()).isEqualTo(201);
  }

  @Test
  @DisplayName("Regulation F: the 7th call in 7 days passes, the 8th is refused until the first ages out")
  void sevenCallsInSevenDays(TestApp app) {
    String id = t.debtor().getString("id");
    List<Instant> calls = List.of(chicago(6, 10, 0), chicago(5, 10, 0), chicago(4, 10, 0), chicago(3, 10, 0),
        chicago(2, 10, 0), chicago(1, 10, 0), chicago(1, 11, 0));
    for (Instant at : calls) {
      var r = t.post(id, contact("phone", "outbound", at).put("callOutcome", "no_answer"));
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    }
    var eighth = t.post(id, contact("phone", "outbound", chicago(1, 15, 0)).put("callOutcome", "no_answer"));
    assertRefused(eighth, Compliance.CALL_FREQUENCY);
    assertThat(eighth.bodyAsJsonObject().getString("nextAllowedAt"))
        .isEqualTo(calls.get(0).plus(Duration.ofDays(7)).toString());
    assertThat(t.post(id, contact("sms", "outbound", chicago(1, 15, 0))).statusCode()).isEqualTo(201);
    assertThat(t.debtorRow(id).getInteger("total_contacts")).isEqualTo(8);
  }

  @Test
  @DisplayName("Regulation F: no call for 7 days after an answered call or an inbound call")
  void noCallAfterConversation(TestApp app) {
    String answered = t.debtor().getString("id");
    assertThat(t.post(answered, contact("phone", "outbound", chicago(3, 10, 0)).put("callOutcome", "answered")
        .put("callDuration", 300)).statusCode()).isEqualTo(201);
    var r = t.post(answered, contact("phone", "outbound", chicago(1, 10, 0)));
    assertRefused(r, Compliance.CALL_AFTER_CONVERSATION);
    assertThat(r.bodyAsJsonObject().getString("nextAllowedAt"))
        .isEqualTo(chicago(3, 10, 0).plus(Duration.ofDays(7)).toString());

    String inbound = t.debtor().getString("id");
    assertThat(t.post(inbound, contact("phone", "inbound", chicago(2, 22, 0))).statusCode()).isEqualTo(201);
    assertRefused(t.post(inbound, contact("phone", "outbound", chicago(1, 10, 0))), Compliance.CALL_AFTER_CONVERSATION);
    assertThat(t.post(inbound, contact("email", "outbound", chicago(1, 10, 0))).statusCode()).isEqualTo(201);
  }

  @Test
  @DisplayName("an inbound SMS that is a revocation word records an SMS opt-out that then blocks SMS")
  void inboundSmsRevocation_blocksSms(TestApp app) {
    for (String word : List.of("stop", "QUIT", "End", "revoke", "opt out", "cancel", "Unsubscribe.", "STOP STOP")) {
      String id = t.debtor().getString("id");
      var r = t.post(id, contact("sms", "inbound", chicago(2, 9, 0)).put("content", word));
      assertThat(r.statusCode()).as(word).isEqualTo(201);
      assertThat(r.bodyAsJsonObject().getJsonObject("optOut").getString("channel")).isEqualTo("sms");
      String commId = r.bodyAsJsonObject().getString("id");
      assertThat(t.count("SELECT count(*) FROM debtor_opt_outs WHERE debtor_id = $1 AND channel = 'sms' "
          + "AND source = 'inbound_sms' AND communication_id = $2", UUID.fromString(id), UUID.fromString(commId)))
          .as(word).isEqualTo(1);
      assertRefused(t.post(id, contact("sms", "outbound", chicago(1, 12, 0))), Compliance.OPT_OUT);
      assertThat(t.post(id, contact("email", "outbound", chicago(1, 12, 0))).statusCode()).as(word).isEqualTo(201);
    }
  }

  @Test
  void inboundSms_otherText_orRepeatedStop_addsNoOptOut(TestApp app) {
    String id = t.debtor().getString("id");
    var r = t.post(id, contact("sms", "inbound", chicago(3, 9, 0)).put("content", "I can pay on Friday, stop calling at work"));
    assertThat(r.bodyAsJsonObject().containsKey("optOut")).isFalse();
    assertThat(t.post(id, contact("sms", "outbound", chicago(2, 12, 0))).statusCode()).isEqualTo(201);
    assertThat(t.post(id, contact("sms", "inbound", chicago(2, 13, 0)).put("content", "STOP")).statusCode()).isEqualTo(201);
    var again = t.post(id, contact("sms", "inbound", chicago(2, 14, 0)).put("content", "STOP"));
    assertThat(again.bodyAsJsonObject().containsKey("optOut")).isFalse();
    assertThat(t.count("SELECT count(*) FROM debtor_opt_outs WHERE debtor_id = $1", UUID.fromString(id))).isEqualTo(1);
  }

  @Test
  @DisplayName("opt-outs from the opt-out page and one-click unsubscribe block their channel")
  void optOutPages_blockTheirChannel(TestApp app) {
    String page = t.debtor().getString("id");
    optOut(app, page, "sms", "opt_out_page");
    assertRefused(t.post(page, contact("sms", "outbound", chicago(1, 12, 0))), Compliance.OPT_OUT);
    assertThat(t.post(page, contact("email", "outbound", chicago(1, 12, 0))).statusCode()).isEqualTo(201);

    String oneClick = t.debtor().getString("id");
    optOut(app, oneClick, "email", "one_click");
    assertRefused(t.post(oneClick, contact("email", "outbound", chicago(1, 12, 0))), Compliance.OPT_OUT);
    assertThat(t.post(oneClick, contact("phone", "outbound", chicago(1, 12, 0))).statusCode()).isEqualTo(201);
  }

  private static void optOut(TestApp app, String debtorId, String channel, String source) {
    await(app.pool.preparedQuery("INSERT INTO debtor_opt_outs (debtor_id, channel, source) VALUES ($1, $2, $3)")
        .execute(Tuple.of(UUID.fromString(debtorId), channel, source)));
  }

  @Test
  @DisplayName("status and flags: dispute, cease, DNC and missing email consent are refused by name")
  void statusAndFlags_areRefused(TestApp app) {
    Instant at = chicago(1, 12, 0);
    String dispute = t.debtor().getString("id");
    assertThat(t.http.patch("/api/debtors/" + dispute, AGENT_KEY, new JsonObject().put("status", "dispute")).statusCode())
        .isEqualTo(200);
    assertRefused(t.post(dispute, contact("email", "outbound", at)), Compliance.DISPUTE);
    String cease = t.debtor(new JsonObject().put("status", "cease")).getString("id");
    assertRefused(t.post(cease, contact("sms", "outbound", at)), Compliance.CEASE);
    String dnc = t.debtor(new JsonObject().put("dncRegistered", true)).getString("id");
    assertRefused(t.post(dnc, contact("phone", "outbound", at)), Compliance.DNC);
    String noEmail = t.debtor(new JsonObject().put("emailConsent", false)).getString("id");
    assertRefused(t.post(noEmail, contact("email", "outbound", at)), Compliance.EMAIL_CONSENT);
    assertThat(t.count("SELECT count(*) FROM compliance_refusals")).isEqualTo(4);
    assertThat(t.count("SELECT count(*) FROM communications")).isZero();
  }

  @Test
  @DisplayName("a two-zone state is checked in both zones (Texas: Chicago and Denver)")
  void twoZoneState_usesBothZones(TestApp app) {
    JsonObject tx = new JsonObject().put("state", "TX").putNull("timezone");
    String id = t.debtor(tx).getString("id");
    // 8:30 in Chicago is 7:30 in El Paso.
    var r = t.post(id, contact("email", "outbound", chicago(1, 8, 30)));
    assertRefused(r, Compliance.INCONVENIENT_TIME);
    assertThat(r.bodyAsJsonObject().getString("nextAllowedAt")).isEqualTo(chicago(1, 9, 0).toString());
  }

  @Test
  @DisplayName("compliance check answers without recording anything")
  void check_answersWithoutRecording(TestApp app) {
    String id = t.debtor().getString("id");
    String ok = "/api/compliance/check?debtorId=" + id + "&type=email&at=" + chicago(1, 12, 0);
    JsonObject allowed = t.http.get(ok, AGENT_KEY).bodyAsJsonObject();
    assertThat(allowed.getBoolean("allowed")).isTrue();
    assertThat(allowed.containsKey("rule")).isFalse();
    assertThat(allowed.getString("ruleSet")).isEqualTo(Compliance.RULE_SET);

    var early = t.http.get("/api/compliance/check?debtorId=" + id + "&type=sms&at=" + chicago(1, 6, 0), AGENT_KEY);
    assertThat(early.statusCode()).isEqualTo(200);
    JsonObject refused = early.bodyAsJsonObject();
    assertThat(refused.getBoolean("allowed")).isFalse();
    assertThat(refused.getString("rule")).isEqualTo(Compliance.INCONVENIENT_TIME);
    assertThat(refused.getString("detail")).isNotBlank();
    assertThat(refused.getString("nextAllowedAt")).isEqualTo(chicago(1, 8, 0).toString());

    String noAt = "/api/compliance/check?debtorId=" + id + "&type=phone";
    assertThat(t.http.get(noAt, AGENT_KEY).bodyAsJsonObject().containsKey("allowed")).isTrue();
    assertThat(t.count("SELECT count(*) FROM compliance_refusals")).isZero();
    assertThat(t.count("SELECT count(*) FROM communications")).isZero();
  }

  @Test
  void check_badParameters(TestApp app) {
    String id = t.debtor().getString("id");
    assertProblem(t.http.get("/api/compliance/check?type=email", AGENT_KEY), 400, "debtorId");
    assertProblem(t.http.get("/api/compliance/check?debtorId=abc&type=email", AGENT_KEY), 400, "debtorId");
    assertProblem(t.http.get("/api/compliance/check?debtorId=" + id, AGENT_KEY), 400, "type");
    assertProblem(t.http.get("/api/compliance/check?debtorId=" + id + "&type=fax", AGENT_KEY), 400, "type");
    assertProblem(t.http.get("/api/compliance/check?debtorId=" + id + "&type=sms&at=noon", AGENT_KEY), 400, "at");
    assertProblem(t.http.get("/api/compliance/check?debtorId=" + UUID.randomUUID() + "&type=sms", AGENT_KEY), 404, null);
  }

  @Test
  @DisplayName("the audit trail refuses DELETE and edits; only engagement flags may be set, never unset")
  void trigger_keepsCommunicationsAppendOnly(TestApp app) {
    String id = t.debtor(new JsonObject().put("phoneConsent", false)).getString("id");
    UUID comm = UUID.fromString(t.post(id, contact("email", "outbound", chicago(1, 12, 0))
        .put("content", "original")).bodyAsJsonObject().getString("id"));
    assertRefused(t.post(id, contact("sms", "outbound", chicago(1, 12, 0))), Compliance.PHONE_CONSENT);

    assertAuditViolation(sql(app, "UPDATE communications SET content = 'edited' WHERE id = $1", comm));
    assertAuditViolation(sql(app, "UPDATE communications SET \"timestamp\" = now() WHERE id = $1", comm));
    assertAuditViolation(sql(app, "UPDATE communications SET compliance_checked = false WHERE id = $1", comm));
    assertAuditViolation(sql(app, "DELETE FROM communications WHERE id = $1", comm));
    assertThat(await(sql(app, "UPDATE communications SET email_opened = true, email_clicked = true WHERE id = $1", comm)))
        .isNull();
    assertAuditViolation(sql(app, "UPDATE communications SET email_opened = false WHERE id = $1", comm));
    assertAuditViolation(sql(app, "DELETE FROM compliance_refusals WHERE debtor_id = $1", UUID.fromString(id)));
    assertAuditViolation(sql(app, "UPDATE compliance_refusals SET rule = 'x' WHERE debtor_id = $1", UUID.fromString(id)));

    Row row = await(app.pool.preparedQuery("SELECT * FROM communications WHERE id = $1").execute(Tuple.of(comm)))
        .iterator().next();
    assertThat(row.getString("content")).isEqualTo("original");
    assertThat(row.getBoolean("email_opened")).isTrue();
    assertThat(row.getBoolean("email_clicked")).isTrue();
    assertThat(t.count("SELECT count(*) FROM compliance_refusals")).isEqualTo(1);
  }

  private static Future<Void> sql(TestApp app, String sql, UUID id) {
    return app.pool.preparedQuery(sql).execute(Tuple.of(id)).mapEmpty();
  }

  private static void assertAuditViolation(Future<Void> f) {
    Throwable failure = await(f.map(v -> (Throwable) null).recover(Future::succeededFuture));
    assertThat(failure).isInstanceOf(PgException.class);
    assertThat(((PgException) failure).getSqlState()).isEqualTo("23001");
    assertThat(failure.getMessage()).contains("append-only");
  }

  @Test
  @DisplayName("20 concurrent contacts for one debtor: total_contacts is 20, no lost update")
  void concurrentContacts_loseNoUpdate(TestApp app) {
    String id = t.debtor().getString("id");
    var answers = t.postAtOnce(id, 20, i -> contact(i % 2 == 0 ? "email" : "sms", "outbound", chicago(1, 12, i)));
    assertThat(answers).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(201));
    Row d = t.debtorRow(id);
    assertThat(d.getInteger("total_contacts")).isEqualTo(20);
    assertThat(d.getOffsetDateTime("last_contact_date").toInstant()).isEqualTo(chicago(1, 12, 19));
    assertThat(t.count("SELECT count(*) FROM communications WHERE debtor_id = $1", UUID.fromString(id))).isEqualTo(20);
  }

  @Test
  @DisplayName("12 concurrent calls for one debtor: exactly 7 pass the 7-in-7 limit, 5 are refused and logged")
  void concurrentCalls_onlySevenPass(TestApp app) {
    String id = t.debtor().getString("id");
    var answers = t.postAtOnce(id, 12, i -> contact("phone", "outbound", chicago(1, 13, i)).put("callOutcome", "busy"));
    long passed = answers.stream().filter(r -> r.statusCode() == 201).count();
    long refused = answers.stream().filter(r -> r.statusCode() == 422).count();
    assertThat(passed).isEqualTo(7);
    assertThat(refused).isEqualTo(5);
    assertThat(t.count("SELECT count(*) FROM communications WHERE debtor_id = $1", UUID.fromString(id))).isEqualTo(7);
    assertThat(t.count("SELECT count(*) FROM compliance_refusals WHERE rule = $1", Compliance.CALL_FREQUENCY)).isEqualTo(5);
    assertThat(t.debtorRow(id).getInteger("total_contacts")).isEqualTo(7);
  }
}
