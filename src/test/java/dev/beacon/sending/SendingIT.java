package dev.beacon.sending;

import dev.beacon.support.BeaconExtension;
import dev.beacon.support.Http;
import dev.beacon.support.TestApp;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.beacon.support.TestApp.AGENT_KEY;
import static dev.beacon.support.TestApp.VIEWER_KEY;
import static dev.beacon.support.TestApp.await;
import static org.assertj.core.api.Assertions.assertThat;

/** Recording an outbound email or SMS given as html/text: what is answered, stored, and what its links do. */
@ExtendWith(BeaconExtension.class)
@Timeout(60)
class SendingIT {
  static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
  static final String HTML_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

  static JsonObject debtor(Http http, JsonObject changes) {
    JsonObject body = new JsonObject().put("firstName", "Ann").put("lastName", "Lee")
        .put("email", "ann-" + UUID.randomUUID() + "@example.com").put("phone", "+15125550100").put("state", "IL")
        .put("timezone", "America/Chicago").put("totalOwed", "1250.50").put("phoneConsent", true).mergeIn(changes);
    HttpResponse<Buffer> r = http.post("/api/debtors", AGENT_KEY, body);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    return r.bodyAsJsonObject();
  }

  /** Yesterday 10:00 in Chicago: inside calling hours, and far outside the send window of a click now. */
  static String yesterdayMorning() {
    ZoneId chicago = ZoneId.of("America/Chicago");
    return LocalDate.now(chicago).minusDays(1).atTime(LocalTime.of(10, 0)).atZone(chicago).toInstant().toString();
  }

  static JsonObject email(String html, String text) {
    JsonObject j = new JsonObject().put("type", "email").put("direction", "outbound").put("at", yesterdayMorning())
        .put("subject", "Your account, {{firstName}}");
    if (html != null) {
      j.put("html", html);
    }
    return text == null ? j : j.put("text", text);
  }

  static JsonObject sms(String text) {
    return new JsonObject().put("type", "sms").put("direction", "outbound").put("at", yesterdayMorning()).put("text", text);
  }

  static long count(TestApp app, String sql, Object... params) {
    return await(app.pool.preparedQuery(sql).execute(Tuple.from(params))).iterator().next().getLong(0);
  }

  static HttpResponse<Buffer> follow(TestApp app, String url, String userAgent) {
    URI u = URI.create(url);
    String path = u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
    var req = app.client.get(path).putHeader("Accept", HTML_ACCEPT);
    if (userAgent != null) {
      req.putHeader("User-Agent", userAgent);
    }
    return await(req.send());
  }

  static Row eventWhen(TestApp app, String sql, Object... params) {
    List<Row> found = new ArrayList<>();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
      found.clear();
      await(app.pool.preparedQuery(sql).execute(Tuple.from(params))).forEach(found::add);
      return !found.isEmpty();
    });
    return found.get(0);
  }

  @Test
  @DisplayName("outbound email with html and text: instrumented answer, stored as sent, a followed link is a human click")
  void email_instrumented_storedAndClickable(TestApp app) {
    Http http = new Http(app);
    JsonObject d = debtor(http, new JsonObject());
    String token = d.getString("uniqueToken");
    var r = http.post("/api/debtors/" + d.getString("id") + "/communications", AGENT_KEY, email(
        "<HTML><BODY><TABLE><TR><TD><A HREF=\"https://agency.example/pay?a=1&amp;b=2#now\">Pay</A>"
            + " <a href=\"mailto:help@agency.example\">Help</a> Hi {{firstName}}</TD></TR></TABLE></BODY></HTML>",
        "Pay at https://agency.example/pay?a=1&b=2#now or {{landingUrl}}."));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    JsonObject c = r.bodyAsJsonObject();
    String id = c.getString("id");
    JsonObject in = c.getJsonObject("instrumented");
    assertThat(in.getString("subject")).isEqualTo("Your account, Ann");
    String pixel = app.baseUrl() + "/t/o/" + token + "/" + id + ".gif";
    assertThat(in.getString("html")).startsWith("<HTML><BODY><TABLE><TR><TD><A HREF=\"" + app.baseUrl() + "/t/c/" + token + "/" + id + "?u=")
        .endsWith("Hi Ann</TD></TR></TABLE><img src=\"" + pixel + "\" width=\"1\" height=\"1\" alt=\"\" "
            + "style=\"display:block;width:1px;height:1px;border:0\"></BODY></HTML>");
    assertThat(in.getJsonArray("skippedLinks")).containsExactly(new JsonObject().put("part", "html")
        .put("href", "mailto:help@agency.example").put("reason", "not-http"));
    JsonArray links = in.getJsonArray("links");
    assertThat(links).hasSize(3);
    assertThat(links.getJsonObject(2).getString("url")).isEqualTo(app.baseUrl() + "/p/" + token);
    assertThat(in.getString("text")).startsWith("Pay at " + app.baseUrl() + "/t/c/").endsWith(".");
    JsonObject headers = in.getJsonObject("headers");
    assertThat(headers.getString("X-Beacon-Communication-Id")).isEqualTo(id);
    assertThat(headers.getString("List-Unsubscribe")).isEqualTo("<" + app.baseUrl() + "/t/u/" + token + "/" + id + ">");
    assertThat(headers.getString("List-Unsubscribe-Post")).isEqualTo("List-Unsubscribe=One-Click");
    assertThat(in.getJsonObject("providerArgs").getJsonObject("sendgrid").getJsonObject("custom_args")
        .getString("beacon_communication_id")).isEqualTo(id);
    // The audit trail keeps what was sent.
    assertThat(c.getString("content")).isEqualTo(in.getString("text"));
    assertThat(c.getString("html")).isEqualTo(in.getString("html"));
    assertThat(c.getString("subject")).isEqualTo("Your account, Ann");
    Row stored = await(app.pool.preparedQuery("SELECT content, content_html FROM communications WHERE id = $1")
        .execute(Tuple.of(UUID.fromString(id)))).iterator().next();
    assertThat(stored.getString("content_html")).isEqualTo(in.getString("html"));

    var click = follow(app, links.getJsonObject(0).getString("trackedUrl"), BROWSER);
    assertThat(click.statusCode()).isEqualTo(302);
    assertThat(click.getHeader("Location")).isEqualTo("https://agency.example/pay?a=1&b=2#now");
    Row e = eventWhen(app, "SELECT label, url FROM email_events WHERE kind = 'click' AND communication_id = $1",
        UUID.fromString(id));
    assertThat(e.getString("label")).isEqualTo("human");
    assertThat(e.getString("url")).isEqualTo("https://agency.example/pay?a=1&b=2#now");
    assertThat(follow(app, pixel, BROWSER).statusCode()).isEqualTo(200);

    var viewer = http.get("/api/debtors/" + d.getString("id") + "/communications", VIEWER_KEY).bodyAsJsonObject();
    String masked = viewer.getJsonArray("items").getJsonObject(0).getString("html");
    assertThat(masked).doesNotContain(token).contains("/t/c/{token}/" + id);
  }

  @Test
  @DisplayName("the one-click URL List-Unsubscribe names takes RFC 8058's POST: the email opt-out is recorded, later email refused")
  void listUnsubscribe_oneClickPost_optsOut(TestApp app) {
    Http http = new Http(app);
    JsonObject d = debtor(http, new JsonObject());
    var r = http.post("/api/debtors/" + d.getString("id") + "/communications", AGENT_KEY, email("<p>Hello</p>", null));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    String id = r.bodyAsJsonObject().getString("id");
    JsonObject headers = r.bodyAsJsonObject().getJsonObject("instrumented").getJsonObject("headers");
    String header = headers.getString("List-Unsubscribe");
    String url = header.substring(1, header.indexOf('>'));
    String[] post = headers.getString("List-Unsubscribe-Post").split("=", 2);
    var unsub = await(app.client.postAbs(url).sendForm(MultiMap.caseInsensitiveMultiMap().add(post[0], post[1])));
    assertThat(unsub.statusCode()).as(unsub.bodyAsString()).isEqualTo(200);
    assertThat(count(app, "SELECT count(*) FROM debtor_opt_outs WHERE debtor_id = $1 AND channel = 'email' "
        + "AND source = 'one_click' AND communication_id = $2", UUID.fromString(d.getString("id")), UUID.fromString(id)))
        .isEqualTo(1);
    var again = http.post("/api/debtors/" + d.getString("id") + "/communications", AGENT_KEY, email("<p>Again</p>", null));
    assertThat(again.statusCode()).isEqualTo(422);
    assertThat(again.bodyAsJsonObject().getString("rule")).isEqualTo("opt-out");
    assertThat(again.bodyAsJsonObject().containsKey("instrumented")).isFalse();
  }

  @Test
  @DisplayName("outbound SMS: short links bound to the message; a click is a 302 and a human click, previews are machine")
  void sms_shortLinks_clickAndPreviewBots(TestApp app) {
    Http http = new Http(app);
    JsonObject d = debtor(http, new JsonObject());
    var r = http.post("/api/debtors/" + d.getString("id") + "/communications", AGENT_KEY,
        sms("Hi {{firstName}}, balance {{balance}}: {{paymentUrl}} or https://agency.example/help?x=1. Reply STOP to opt out."));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    JsonObject c = r.bodyAsJsonObject();
    UUID id = UUID.fromString(c.getString("id"));
    JsonObject in = c.getJsonObject("instrumented");
    JsonArray shorts = in.getJsonArray("shortLinks");
    assertThat(shorts).hasSize(2);
    String payUrl = shorts.getJsonObject(0).getString("url");
    String code = shorts.getJsonObject(0).getString("code");
    assertThat(payUrl).isEqualTo(app.baseUrl() + "/s/" + code);
    assertThat(code).matches("[A-Za-z0-9_-]{12}");
    assertThat(in.getString("text")).isEqualTo("Hi Ann, balance $1,250.50: " + payUrl + " or "
        + shorts.getJsonObject(1).getString("url") + ". Reply STOP to opt out.");
    assertThat(c.getString("content")).isEqualTo(in.getString("text"));
    assertThat(in.getJsonObject("sms").getInteger("segments")).isEqualTo(1);
    assertThat(in.getJsonObject("providerArgs").getJsonObject("twilio").getString("StatusCallback"))
        .isEqualTo(app.baseUrl() + "/webhooks/twilio/status?communicationId=" + id);
    assertThat(count(app, "SELECT count(*) FROM short_links WHERE communication_id = $1 AND debtor_id = $2", id,
        UUID.fromString(d.getString("id")))).isEqualTo(2);

    var preview = follow(app, payUrl, "WhatsApp/2.23.20.0 A");
    assertThat(preview.statusCode()).isEqualTo(302);
    var imessage = follow(app, payUrl, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 "
        + "(KHTML, like Gecko) Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0");
    assertThat(imessage.statusCode()).isEqualTo(302);
    var telegram = follow(app, payUrl, "TelegramBot (like TwitterBot)");
    assertThat(telegram.statusCode()).isEqualTo(302);
    var person = follow(app, payUrl, BROWSER);
    assertThat(person.statusCode()).isEqualTo(302);
    assertThat(person.getHeader("Location")).isEqualTo(app.baseUrl() + "/p/" + d.getString("uniqueToken") + "/pay");
    assertThat(person.getHeader("Cache-Control")).isEqualTo("no-store");
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
        count(app, "SELECT count(*) FROM email_events WHERE communication_id = $1 AND kind = 'click'", id) == 4);
    List<String> labels = new ArrayList<>();
    await(app.pool.preparedQuery("SELECT label, reason FROM email_events WHERE communication_id = $1 ORDER BY occurred_at, id")
        .execute(Tuple.of(id))).forEach(row -> labels.add(row.getString(0) + ": " + row.getString(1)));
    assertThat(labels).containsExactlyInAnyOrder("machine: link preview (WhatsApp)", "machine: link preview (Apple iMessage)",
        "machine: link preview (TelegramBot)", "human: browser");
    assertThat(count(app, "SELECT count(*) FROM communications WHERE id = $1 AND email_clicked", id)).isEqualTo(1);
    assertThat(count(app, "SELECT count(*) FROM short_links")).isEqualTo(2);
  }

  @Test
  @DisplayName("an unknown or malformed short code: the pages' 404, byte for byte the same, nothing recorded")
  void sms_unknownCode_identical404(TestApp app) {
    var unknown = follow(app, app.baseUrl() + "/s/AAAAAAAAAAAA", BROWSER);
    var other = follow(app, app.baseUrl() + "/s/zzzzzzzzzzzz", BROWSER);
    var malformed = follow(app, app.baseUrl() + "/s/x", BROWSER);
    var page = follow(app, app.baseUrl() + "/p/unknown-token-aaaaaaaaaaaaaaaaaaaa", BROWSER);
    for (var res : List.of(unknown, other, malformed)) {
      assertThat(res.statusCode()).isEqualTo(404);
      assertThat(res.body()).isEqualTo(page.body());
      assertThat(res.getHeader("Content-Type")).isEqualTo(page.getHeader("Content-Type"));
      assertThat(res.getHeader("Content-Security-Policy")).isEqualTo(page.getHeader("Content-Security-Policy"));
      assertThat(res.getHeader("Location")).isNull();
    }
    var head = await(app.client.head("/s/AAAAAAAAAAAA").send());
    assertThat(head.statusCode()).isEqualTo(404);
    assertThat(head.getHeader("Content-Length")).isEqualTo(String.valueOf(page.body().length()));
    assertThat(count(app, "SELECT count(*) FROM email_events")).isZero();
  }

  @Test
  @DisplayName("a refused contact (422) instruments nothing and binds no short link")
  void refused_instrumentsNothing(TestApp app) {
    Http http = new Http(app);
    JsonObject d = debtor(http, new JsonObject().put("status", "cease"));
    var e = http.post("/api/debtors/" + d.getString("id") + "/communications", AGENT_KEY, email("<a href=\"https://x.example/\">x</a>", null));
    var s = http.post("/api/debtors/" + d.getString("id") + "/communications", AGENT_KEY, sms("Pay https://x.example/"));
    for (var res : List.of(e, s)) {
      assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(422);
      assertThat(res.bodyAsJsonObject().getString("rule")).isEqualTo("cease");
      assertThat(res.bodyAsString()).doesNotContain("/t/c/").doesNotContain("/s/");
    }
    assertThat(count(app, "SELECT count(*) FROM communications")).isZero();
    assertThat(count(app, "SELECT count(*) FROM short_links")).isZero();
    assertThat(count(app, "SELECT count(*) FROM compliance_refusals")).isEqualTo(2);
  }

  @Test
  @DisplayName("bad input: unknown merge field 400 naming it, a part over 1 MiB 413, html on SMS and content beside html 400")
  void badInput(TestApp app) {
    Http http = new Http(app);
    JsonObject d = debtor(http, new JsonObject());
    String path = "/api/debtors/" + d.getString("id") + "/communications";
    var unknown = http.post(path, AGENT_KEY, email("<p>{{ssn}} {{firstName}}</p>", "Dear {{lastName}}"));
    assertThat(unknown.statusCode()).isEqualTo(400);
    JsonArray errors = unknown.bodyAsJsonObject().getJsonArray("errors");
    assertThat(errors.stream().map(o -> ((JsonObject) o).getString("field"))).containsExactly("html", "text");
    assertThat(errors.getJsonObject(0).getString("message")).contains("{{ssn}}");
    assertThat(errors.getJsonObject(1).getString("message")).contains("{{lastName}}");
    var big = http.post(path, AGENT_KEY, email("<p>" + "x".repeat(MessagePartsLimit.MAX) + "</p>", null));
    assertThat(big.statusCode()).isEqualTo(413);
    assertThat(big.bodyAsJsonObject().getString("detail")).contains("html");
    var smsHtml = http.post(path, AGENT_KEY, sms("hi").put("html", "<p>hi</p>"));
    assertThat(smsHtml.statusCode()).isEqualTo(400);
    var both = http.post(path, AGENT_KEY, email("<p>hi</p>", null).put("content", "hi"));
    assertThat(both.statusCode()).isEqualTo(400);
    assertThat(both.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("content");
    var longSubject = http.post(path, AGENT_KEY, email("<p>hi</p>", null)
        .put("subject", "x".repeat(480) + " {{landingUrl}}"));
    assertThat(longSubject.statusCode()).as(longSubject.bodyAsString()).isEqualTo(400);
    assertThat(longSubject.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("subject");
    assertThat(count(app, "SELECT count(*) FROM communications")).isZero();
  }

  /** The part limit, spelled here so the test fails if it silently grows. */
  static final class MessagePartsLimit {
    static final int MAX = 1 << 20;
  }

  @Test
  @DisplayName("preview: the same instrumenting, nothing recorded or gated, no live token or communication in its links")
  void preview_recordsNothing(TestApp app) {
    Http http = new Http(app);
    JsonObject d = debtor(http, new JsonObject().put("status", "cease"));
    var r = http.post("/api/messages/preview", AGENT_KEY, new JsonObject().put("debtorId", d.getString("id"))
        .put("type", "email").put("subject", "Hi {{firstName}}")
        .put("html", "<p><a href=\"{{landingUrl}}\">Account</a> <a href=\"tel:+1\">call</a></p>").put("text", "{{optOutUrl}}"));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    JsonObject in = r.bodyAsJsonObject().getJsonObject("instrumented");
    assertThat(in.getString("subject")).isEqualTo("Hi Ann");
    String previewToken = "PREVIEW_PREVIEW_PREVIEW_PREVIEW_";
    String tracked = in.getJsonArray("links").getJsonObject(0).getString("trackedUrl");
    assertThat(tracked).startsWith(app.baseUrl() + "/t/c/" + previewToken + "/00000000-0000-0000-0000-000000000000?u=");
    assertThat(in.getJsonArray("links").getJsonObject(0).getString("url")).isEqualTo(app.baseUrl() + "/p/" + previewToken);
    assertThat(in.getString("html")).contains("/t/o/" + previewToken + "/00000000-0000-0000-0000-000000000000.gif")
        .doesNotContain(d.getString("uniqueToken"));
    assertThat(in.getJsonArray("skippedLinks")).hasSize(1);
    assertThat(in.getJsonObject("headers").getString("List-Unsubscribe")).contains("/t/u/" + previewToken + "/");
    // Following a preview's links and pixel records nothing: the token belongs to no debtor.
    assertThat(follow(app, tracked, BROWSER).statusCode()).isEqualTo(302);
    assertThat(follow(app, app.baseUrl() + "/t/o/" + previewToken + "/00000000-0000-0000-0000-000000000000.gif", BROWSER)
        .statusCode()).isEqualTo(200);
    assertThat(follow(app, app.baseUrl() + "/p/" + previewToken, BROWSER).statusCode()).isEqualTo(404);
    var sms = http.post("/api/messages/preview", AGENT_KEY, new JsonObject().put("debtorId", d.getString("id"))
        .put("type", "sms").put("text", "Pay: {{paymentUrl}}"));
    assertThat(sms.statusCode()).as(sms.bodyAsString()).isEqualTo(200);
    String shortUrl = sms.bodyAsJsonObject().getJsonObject("instrumented").getJsonArray("shortLinks").getJsonObject(0).getString("url");
    assertThat(follow(app, shortUrl, BROWSER).statusCode()).isEqualTo(404);
    var unknown = http.post("/api/messages/preview", AGENT_KEY, new JsonObject().put("debtorId", d.getString("id"))
        .put("type", "sms").put("text", "{{nope}}"));
    assertThat(unknown.statusCode()).isEqualTo(400);
    var missing = http.post("/api/messages/preview", AGENT_KEY, new JsonObject().put("debtorId", UUID.randomUUID().toString())
        .put("type", "email").put("html", "<p>x</p>"));
    assertThat(missing.statusCode()).isEqualTo(404);
    for (String table : List.of("communications", "compliance_refusals", "short_links", "email_events", "page_views")) {
      assertThat(count(app, "SELECT count(*) FROM " + table)).as(table).isZero();
    }
    assertThat(http.post("/api/messages/preview", VIEWER_KEY, new JsonObject()).statusCode()).isEqualTo(403);
  }

  @Test
  @DisplayName("sending.unsubscribeMailto adds a mailto: to List-Unsubscribe")
  void mailto_whenConfigured() {
    try (TestApp app = TestApp.start(new JsonObject().put("sending", new JsonObject()
        .put("unsubscribeMailto", "unsubscribe@agency.example")))) {
      app.reset();
      Http http = new Http(app);
      JsonObject d = debtor(http, new JsonObject());
      var r = http.post("/api/debtors/" + d.getString("id") + "/communications", AGENT_KEY, email("<p>x</p>", null));
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
      String id = r.bodyAsJsonObject().getString("id");
      assertThat(r.bodyAsJsonObject().getJsonObject("instrumented").getJsonObject("headers").getString("List-Unsubscribe"))
          .isEqualTo("<" + app.baseUrl() + "/t/u/" + d.getString("uniqueToken") + "/" + id
              + ">, <mailto:unsubscribe@agency.example?subject=unsubscribe%20" + id + ">");
    }
  }
}
