package dev.beacon.tracking.pages;

import dev.beacon.support.BeaconExtension;
import dev.beacon.support.Http;
import dev.beacon.support.TestApp;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.multipart.MultipartForm;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.beacon.support.TestApp.AGENT_KEY;
import static dev.beacon.support.TestApp.await;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(BeaconExtension.class)
@Timeout(60)
class PagesIT {
  static final Pattern VIEW_ID = Pattern.compile("data-page-view-id=\"([0-9a-f-]{36})\"");
  static final String UNKNOWN_TOKEN = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

  /** A debtor created through the API; answers its token. */
  static JsonObject ann(TestApp app) {
    var r = new Http(app).post("/api/debtors", AGENT_KEY, new JsonObject().put("firstName", "Ann").put("lastName", "Leeward")
        .put("email", "ann.leeward@example.com").put("phone", "+15125550100").put("addressLine1", "1 Main St")
        .put("city", "Austin").put("state", "TX").put("zipCode", "78701").put("totalOwed", "1250.50"));
    assertThat(r.statusCode()).isEqualTo(201);
    return r.bodyAsJsonObject();
  }

  static HttpResponse<Buffer> get(TestApp app, String path) {
    return await(app.client.get(path).putHeader("User-Agent", "PagesIT/1.0").send());
  }

  /** Rows once every page view and beacon answered so far has been enriched into the event tables. */
  static List<Row> rows(TestApp app, String sql, Object... params) {
    app.enriched();
    List<Row> out = new ArrayList<>();
    await(app.pool.preparedQuery(sql).execute(Tuple.from(params))).forEach(out::add);
    return out;
  }

  static long count(TestApp app, String table) {
    return rows(app, "SELECT count(*) FROM " + table).get(0).getLong(0);
  }

  static void assertPageHeaders(HttpResponse<Buffer> r) {
    assertThat(r.getHeader("Cache-Control")).isEqualTo("no-store");
    assertThat(r.getHeader("Referrer-Policy")).isEqualTo("no-referrer");
    assertThat(r.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(r.getHeader("Content-Security-Policy"))
        .contains("default-src 'none'").contains("script-src 'self'").contains("style-src 'self'")
        .contains("connect-src 'self'").contains("form-action 'self'").contains("frame-ancestors 'none'")
        .doesNotContain("unsafe-inline").doesNotContain("*");
  }

  static void assertProblem(HttpResponse<Buffer> r, int status, String field) {
    assertThat(r.statusCode()).isEqualTo(status);
    assertThat(r.getHeader("Content-Type")).startsWith("application/problem+json");
    if (field != null) {
      assertThat(r.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo(field);
    }
  }

  static UUID communication(TestApp app, String debtorId) {
    return rows(app, "INSERT INTO communications (debtor_id, type, direction, subject) VALUES ($1, 'email', 'outbound', 'Hi') RETURNING id",
        UUID.fromString(debtorId)).get(0).getUUID(0);
  }

  @Test
  @DisplayName("the landing page records a landing view before answering and prints its id; shows first name and balance only")
  void landing_recordsViewAndShowsOnlyFirstNameAndBalance(TestApp app) {
    JsonObject d = ann(app);
    var r = get(app, "/p/" + d.getString("uniqueToken"));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.getHeader("Content-Type")).isEqualTo("text/html; charset=utf-8");
    assertPageHeaders(r);
    String html = r.bodyAsString();
    assertThat(html).contains("Hello Ann").contains("$1,250.50")
        .contains("href=\"/p/" + d.getString("uniqueToken") + "/pay\"")
        .contains("href=\"/p/" + d.getString("uniqueToken") + "/opt-out\"")
        .contains("<script src=\"/static/pages/beacon.js\" defer></script>");
    assertThat(html).doesNotContain("Leeward").doesNotContain("example.com").doesNotContain("5550100")
        .doesNotContain("Main St").doesNotContain("Austin").doesNotContain(d.getString("id"));

    Matcher m = VIEW_ID.matcher(html);
    assertThat(m.find()).isTrue();
    List<Row> views = rows(app, "SELECT id, debtor_id, page_type, user_agent, host(ip_address) AS ip, actions_taken::text AS a FROM page_views");
    assertThat(views).hasSize(1);
    Row v = views.get(0);
    assertThat(v.getUUID("id")).isEqualTo(UUID.fromString(m.group(1)));
    assertThat(v.getUUID("debtor_id")).isEqualTo(UUID.fromString(d.getString("id")));
    assertThat(v.getString("page_type")).isEqualTo("landing");
    assertThat(v.getString("user_agent")).isEqualTo("PagesIT/1.0");
    assertThat(v.getString("ip")).as("truncated to /24 by default").isEqualTo("127.0.0.0");
    assertThat(v.getString("a")).isEqualTo("[]");
  }

  @Test
  void landing_twice_recordsTwoViewsWithDistinctIds(TestApp app) {
    String token = ann(app).getString("uniqueToken");
    String first = get(app, "/p/" + token).bodyAsString();
    String second = get(app, "/p/" + token).bodyAsString();
    Matcher a = VIEW_ID.matcher(first);
    Matcher b = VIEW_ID.matcher(second);
    assertThat(a.find() && b.find()).isTrue();
    assertThat(a.group(1)).isNotEqualTo(b.group(1));
    assertThat(count(app, "page_views")).isEqualTo(2);
  }

  @Test
  void landing_escapesWhatItPrints(TestApp app) {
    JsonObject d = ann(app);
    rows(app, "UPDATE debtors SET first_name = $1 WHERE id = $2", "<img src=x onerror=alert(1)>\"", UUID.fromString(d.getString("id")));
    String html = get(app, "/p/" + d.getString("uniqueToken")).bodyAsString();
    assertThat(html).contains("Hello &lt;img src=x onerror=alert(1)&gt;&quot;").doesNotContain("<img");
  }

  @Test
  @DisplayName("unknown and malformed tokens get the same plain 404 page, byte for byte, on every page route, and nothing is stored")
  void unknownOrMalformedToken_identical404(TestApp app) {
    ann(app);
    List<String> paths = List.of("/p/" + UNKNOWN_TOKEN, "/p/short", "/p/bad%21token%21bad%21token%21bad%21token",
        "/p/" + UNKNOWN_TOKEN + "/pay", "/p/x/pay", "/p/" + UNKNOWN_TOKEN + "/opt-out", "/p/%3Cscript%3E/opt-out",
        "/t/u/" + UNKNOWN_TOKEN + "/" + UUID.randomUUID(), "/t/u/nope/" + UUID.randomUUID());
    HttpResponse<Buffer> reference = get(app, paths.get(0));
    assertThat(reference.statusCode()).isEqualTo(404);
    assertThat(reference.getHeader("Content-Type")).isEqualTo("text/html; charset=utf-8");
    assertPageHeaders(reference);
    assertThat(reference.bodyAsString()).contains("Page not found").doesNotContain(UNKNOWN_TOKEN);
    for (String path : paths) {
      var r = get(app, path);
      assertThat(r.statusCode()).as(path).isEqualTo(404);
      assertThat(r.body()).as(path).isEqualTo(reference.body());
      assertThat(r.getHeader("Content-Security-Policy")).as(path).isEqualTo(reference.getHeader("Content-Security-Policy"));
    }
    var form = MultiMap.caseInsensitiveMultiMap().add("channel", "email");
    var post = await(app.client.post("/p/" + UNKNOWN_TOKEN + "/opt-out").sendForm(form));
    assertThat(post.statusCode()).isEqualTo(404);
    assertThat(post.body()).isEqualTo(reference.body());
    var oneClick = await(app.client.post("/t/u/" + UNKNOWN_TOKEN + "/" + UUID.randomUUID())
        .sendForm(MultiMap.caseInsensitiveMultiMap().add("List-Unsubscribe", "One-Click")));
    assertThat(oneClick.statusCode()).isEqualTo(404);
    assertThat(oneClick.body()).isEqualTo(reference.body());
    assertThat(count(app, "page_views")).isZero();
    assertThat(count(app, "debtor_opt_outs")).isZero();
  }

  @Test
  void head_isServedLikeGet_withoutBodyAndWithoutRecordingAView(TestApp app) {
    String token = ann(app).getString("uniqueToken");
    List<String> paths = List.of("/p/" + token, "/p/" + token + "/pay", "/p/" + token + "/opt-out", "/p/" + UNKNOWN_TOKEN);
    List<String> lengths = new ArrayList<>();
    for (String path : paths) {
      var r = await(app.client.head(path).send());
      assertThat(r.statusCode()).as(path).isEqualTo(path.contains(UNKNOWN_TOKEN) ? 404 : 200);
      assertThat(r.getHeader("Content-Type")).isEqualTo("text/html; charset=utf-8");
      assertPageHeaders(r);
      assertThat(r.body() == null || r.body().length() == 0).isTrue();
      lengths.add(r.getHeader("Content-Length"));
    }
    assertThat(count(app, "page_views")).isZero();
    for (int i = 0; i < paths.size(); i++) {
      assertThat(lengths.get(i)).as(paths.get(i)).isEqualTo(Integer.toString(get(app, paths.get(i)).body().length()));
    }
  }

  @Test
  @DisplayName("the payment page records a payment view (a payment page visit) and, without Stripe, says payments are not configured")
  void payment_withoutStripe_recordsVisitAndSaysNotConfigured(TestApp app) {
    JsonObject d = ann(app);
    var r = get(app, "/p/" + d.getString("uniqueToken") + "/pay");
    assertThat(r.statusCode()).isEqualTo(200);
    assertPageHeaders(r);
    String html = r.bodyAsString();
    assertThat(html).contains("$1,250.50").contains("payments are not configured").doesNotContain("<form")
        .doesNotContain("Leeward").contains("data-page-type=\"payment\"");
    Matcher m = VIEW_ID.matcher(html);
    assertThat(m.find()).isTrue();
    List<Row> views = rows(app, "SELECT id, page_type FROM page_views");
    assertThat(views).hasSize(1);
    assertThat(views.get(0).getUUID("id")).isEqualTo(UUID.fromString(m.group(1)));
    assertThat(views.get(0).getString("page_type")).isEqualTo("payment");
    assertThat(rows(app, "SELECT kind FROM payment_engagement WHERE debtor_id = $1", UUID.fromString(d.getString("id"))))
        .extracting(row -> row.getString(0)).containsExactly("payment_page_visit");
  }

  @Test
  void payment_withStripe_showsFullPartialAndPlanForm(TestApp unused) {
    try (TestApp app = TestApp.start(new JsonObject().put("payments", new JsonObject()
        .put("stripeApiKey", "sk_test_x").put("stripeWebhookSecret", "whsec_x").put("planMaxInstallments", 6)))) {
      app.reset();
      String token = ann(app).getString("uniqueToken");
      var r = get(app, "/p/" + token + "/pay");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.getHeader("Content-Security-Policy")).contains("form-action 'self' https://checkout.stripe.com");
      assertThat(r.bodyAsString()).contains("<form method=\"post\" action=\"/p/" + token + "/checkout\"")
          .contains("name=\"option\" value=\"full\"").contains("name=\"option\" value=\"partial\"")
          .contains("name=\"option\" value=\"plan\"").contains("name=\"amount\"").contains("name=\"installments\"")
          .contains("<option value=\"2\">").contains("<option value=\"6\">").doesNotContain("<option value=\"7\">")
          .doesNotContain("not configured");
    }
  }

  @Test
  void ipStorage_fullAndNone_areHonoured(TestApp unused) {
    for (String mode : List.of("full", "none")) {
      try (TestApp app = TestApp.start(new JsonObject().put("tracking", new JsonObject().put("ipStorage", mode)))) {
        app.reset();
        String token = ann(app).getString("uniqueToken");
        assertThat(get(app, "/p/" + token).statusCode()).isEqualTo(200);
        String ip = rows(app, "SELECT host(ip_address) FROM page_views").get(0).getString(0);
        assertThat(ip).as(mode).isEqualTo(mode.equals("full") ? "127.0.0.1" : null);
      }
    }
  }

  @Test
  void optOutPage_get_showsTheChoices_andWritesNothing(TestApp app) {
    String token = ann(app).getString("uniqueToken");
    var r = get(app, "/p/" + token + "/opt-out");
    assertThat(r.statusCode()).isEqualTo(200);
    assertPageHeaders(r);
    assertThat(r.bodyAsString()).contains("action=\"/p/" + token + "/opt-out\"")
        .contains("name=\"channel\" value=\"email\"").contains("name=\"channel\" value=\"sms\"").doesNotContain("Leeward");
    assertThat(count(app, "debtor_opt_outs")).isZero();
    assertThat(count(app, "page_views")).isZero();
  }

  @Test
  void optOut_formPost_recordsTheChannel_andConfirms(TestApp app) {
    JsonObject d = ann(app);
    var r = await(app.client.post("/p/" + d.getString("uniqueToken") + "/opt-out")
        .sendForm(MultiMap.caseInsensitiveMultiMap().add("channel", "email")));
    assertThat(r.statusCode()).isEqualTo(200);
    assertPageHeaders(r);
    assertThat(r.bodyAsString()).contains("no longer send you emails");
    List<Row> rows = rows(app, "SELECT debtor_id, channel, source, communication_id FROM debtor_opt_outs");
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).getUUID("debtor_id")).isEqualTo(UUID.fromString(d.getString("id")));
    assertThat(rows.get(0).getString("channel")).isEqualTo("email");
    assertThat(rows.get(0).getString("source")).isEqualTo("opt_out_page");
    assertThat(rows.get(0).getUUID("communication_id")).isNull();
  }

  @Test
  void optOut_jsonPost_recordsSms_andRepeatingItKeepsOneRow(TestApp app) {
    String token = ann(app).getString("uniqueToken");
    for (int i = 0; i < 2; i++) {
      var r = new Http(app).post("/p/" + token + "/opt-out", null, new JsonObject().put("channel", "sms"));
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.bodyAsJsonObject()).isEqualTo(new JsonObject().put("channel", "sms").put("optedOut", true));
    }
    assertThat(rows(app, "SELECT channel FROM debtor_opt_outs")).extracting(row -> row.getString(0)).containsExactly("sms");
  }

  @Test
  void optOut_badChannel_is400NamingChannel_andWritesNothing(TestApp app) {
    String path = "/p/" + ann(app).getString("uniqueToken") + "/opt-out";
    Http http = new Http(app);
    assertProblem(http.post(path, null, new JsonObject().put("channel", "phone")), 400, "channel");
    assertProblem(http.post(path, null, new JsonObject().put("channel", 1)), 400, "channel");
    assertProblem(http.post(path, null, new JsonObject()), 400, "channel");
    assertProblem(await(app.client.post(path).sendForm(MultiMap.caseInsensitiveMultiMap().add("channel", "EMAIL "))), 400, "channel");
    assertProblem(await(app.client.post(path).sendForm(MultiMap.caseInsensitiveMultiMap())), 400, "channel");
    assertProblem(http.postRaw(path, null, "application/json", Buffer.buffer("{nope")), 400, null);
    assertProblem(http.postRaw(path, null, "text/plain", Buffer.buffer("channel=email")), 415, null);
    assertProblem(http.postRaw(path, null, "application/json", Buffer.buffer("{\"channel\":\"" + "x".repeat(9000) + "\"}")), 413, null);
    assertThat(count(app, "debtor_opt_outs")).isZero();
  }

  @Test
  @DisplayName("RFC 8058 one-click unsubscribe records an email opt-out with source one_click and the communication id")
  void oneClick_recordsEmailOptOutWithCommunication(TestApp app) {
    JsonObject d = ann(app);
    UUID comm = communication(app, d.getString("id"));
    var r = await(app.client.post("/t/u/" + d.getString("uniqueToken") + "/" + comm)
        .sendForm(MultiMap.caseInsensitiveMultiMap().add("List-Unsubscribe", "One-Click")));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.getHeader("Cache-Control")).isEqualTo("no-store");
    List<Row> rows = rows(app, "SELECT channel, source, communication_id FROM debtor_opt_outs");
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).getString("channel")).isEqualTo("email");
    assertThat(rows.get(0).getString("source")).isEqualTo("one_click");
    assertThat(rows.get(0).getUUID("communication_id")).isEqualTo(comm);
  }

  @Test
  void oneClick_acceptsMultipartFormData_asRfc8058Allows(TestApp app) {
    JsonObject d = ann(app);
    UUID comm = communication(app, d.getString("id"));
    var r = await(app.client.post("/t/u/" + d.getString("uniqueToken") + "/" + comm)
        .sendMultipartForm(MultipartForm.create().attribute("List-Unsubscribe", "One-Click")));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(rows(app, "SELECT communication_id FROM debtor_opt_outs")).extracting(row -> row.getUUID(0)).containsExactly(comm);
  }

  @Test
  void oneClick_communicationOfAnotherDebtor_stillOptsOut_withoutLinkingIt(TestApp app) {
    JsonObject d = ann(app);
    JsonObject other = new Http(app).post("/api/debtors", AGENT_KEY, new JsonObject().put("firstName", "Bo").put("lastName", "Ng")
        .put("email", "bo@example.com").put("state", "CA").put("totalOwed", "10.00")).bodyAsJsonObject();
    UUID foreign = communication(app, other.getString("id"));
    var r = await(app.client.post("/t/u/" + d.getString("uniqueToken") + "/" + foreign)
        .sendForm(MultiMap.caseInsensitiveMultiMap().add("List-Unsubscribe", "One-Click")));
    assertThat(r.statusCode()).isEqualTo(200);
    List<Row> rows = rows(app, "SELECT debtor_id, communication_id FROM debtor_opt_outs");
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).getUUID("debtor_id")).isEqualTo(UUID.fromString(d.getString("id")));
    assertThat(rows.get(0).getUUID("communication_id")).isNull();
  }

  @Test
  void oneClick_malformedCommunicationIdOrBody_is400_andWritesNothing(TestApp app) {
    String token = ann(app).getString("uniqueToken");
    var oneClick = MultiMap.caseInsensitiveMultiMap().add("List-Unsubscribe", "One-Click");
    assertProblem(await(app.client.post("/t/u/" + token + "/not-a-uuid").sendForm(oneClick)), 400, "communicationId");
    String path = "/t/u/" + token + "/" + UUID.randomUUID();
    assertProblem(await(app.client.post(path).sendForm(MultiMap.caseInsensitiveMultiMap())), 400, "List-Unsubscribe");
    assertProblem(await(app.client.post(path).sendForm(MultiMap.caseInsensitiveMultiMap().add("List-Unsubscribe", "yes"))), 400, "List-Unsubscribe");
    assertProblem(new Http(app).postRaw(path, null, "application/json", Buffer.buffer("{}")), 415, null);
    assertThat(count(app, "debtor_opt_outs")).isZero();
  }

  @Test
  void oneClick_get_showsTheOptOutPage_andWritesNothing(TestApp app) {
    String token = ann(app).getString("uniqueToken");
    var r = get(app, "/t/u/" + token + "/" + UUID.randomUUID());
    assertThat(r.statusCode()).isEqualTo(200);
    assertPageHeaders(r);
    assertThat(r.bodyAsString()).contains("action=\"/p/" + token + "/opt-out\"");
    assertThat(count(app, "debtor_opt_outs")).isZero();
  }

  @Test
  void assets_areServedFromMemory_withTheirTypes(TestApp app) {
    var js = get(app, "/static/pages/beacon.js");
    assertThat(js.statusCode()).isEqualTo(200);
    assertThat(js.getHeader("Content-Type")).startsWith("text/javascript");
    assertThat(js.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(js.bodyAsString()).contains("navigator.sendBeacon('/t/b'").contains("visibilitychange").contains("pagehide");
    var css = get(app, "/static/pages/pages.css");
    assertThat(css.statusCode()).isEqualTo(200);
    assertThat(css.getHeader("Content-Type")).startsWith("text/css");
    assertThat(await(app.client.head("/static/pages/pages.css").send()).statusCode()).isEqualTo(200);
  }
}
