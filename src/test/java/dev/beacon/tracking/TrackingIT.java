package dev.beacon.tracking;

import dev.beacon.support.BeaconExtension;
import dev.beacon.support.Http;
import dev.beacon.support.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.TreeSet;
import java.util.UUID;

import static dev.beacon.support.TestApp.AGENT_KEY;
import static dev.beacon.support.TestApp.VIEWER_KEY;
import static dev.beacon.support.TestApp.await;
import static dev.beacon.tracking.Fixtures.BROWSER;
import static dev.beacon.tracking.Fixtures.HTML;
import static dev.beacon.tracking.Fixtures.count;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(BeaconExtension.class)
@Timeout(60)
class TrackingIT {
  static final String GIF_HEX = "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b";

  static HttpResponse<Buffer> get(TestApp app, String path, String ua) {
    var req = app.client.get(path).putHeader("Accept", HTML);
    if (ua != null) {
      req.putHeader("User-Agent", ua);
    }
    return await(req.send());
  }

  static void assertGif(HttpResponse<Buffer> r) {
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(HexFormat.of().formatHex(r.bodyAsBuffer().getBytes())).isEqualTo(GIF_HEX);
    assertThat(r.getHeader("Content-Type")).isEqualTo("image/gif");
    assertThat(r.getHeader("Content-Length")).isEqualTo("43");
    assertThat(r.getHeader("Cache-Control")).isEqualTo("no-store");
  }

  @Test
  void openPixel_knownToken_answersExactGifAndRecordsHumanOpen(TestApp app) {
    var d = Fixtures.debtor(app, "Ann");
    UUID comm = Fixtures.email(app, d, 3600);
    var r = await(app.client.get("/t/o/" + d.token() + "/" + comm + ".gif").putHeader("User-Agent", BROWSER)
        .putHeader("Accept-Encoding", "gzip, deflate").send());
    assertGif(r);
    Row e = Fixtures.rows(app, "SELECT * FROM email_events").iterator().next();
    assertThat(e.getUUID("debtor_id")).isEqualTo(d.id());
    assertThat(e.getUUID("communication_id")).isEqualTo(comm);
    assertThat(e.getString("kind")).isEqualTo("open");
    assertThat(e.getString("label")).isEqualTo("human");
    assertThat(e.getString("user_agent")).isEqualTo(BROWSER);
    assertThat(count(app, "SELECT count(*) FROM communications WHERE email_opened AND NOT email_clicked")).isEqualTo(1);
    assertThat(count(app, "SELECT count(*) FROM debtors WHERE last_response_date IS NOT NULL")).isEqualTo(1);
  }

  @Test
  void laterEvents_setWhatIsStillUnset_andMoveLastResponseOnlyForward(TestApp app) {
    var d = Fixtures.debtor(app, "Ann");
    UUID comm = Fixtures.email(app, d, 3600);
    String click = trackedUrl(app, d, comm, "https://pay.example.com/").substring(app.baseUrl().length());
    String open = "/t/o/" + d.token() + "/" + comm + ".gif";
    String lastResponseWithin = "SELECT count(*) FROM debtors WHERE id = $1 AND last_response_date "
        + "BETWEEN now() + make_interval(mins => $2) AND now() + make_interval(mins => $3)";
    // Responded ten minutes ago: an open moves last_response_date up to the open.
    await(app.pool.preparedQuery("UPDATE debtors SET last_response_date = now() - interval '10 minutes' WHERE id = $1")
        .execute(Tuple.of(d.id())));
    assertGif(get(app, open, BROWSER));
    assertThat(count(app, lastResponseWithin, d.id(), -1, 1)).isEqualTo(1);
    assertThat(count(app, "SELECT count(*) FROM communications WHERE email_opened AND NOT email_clicked")).isEqualTo(1);
    // Already opened: a later click still marks the message clicked.
    assertThat(get(app, click, BROWSER).statusCode()).isEqualTo(302);
    assertThat(count(app, "SELECT count(*) FROM communications WHERE email_opened AND email_clicked")).isEqualTo(1);
    // A response recorded after these events (an inbound reply, say): later opens and views never move it back.
    await(app.pool.preparedQuery("UPDATE debtors SET last_response_date = now() + interval '1 hour' WHERE id = $1")
        .execute(Tuple.of(d.id())));
    assertGif(get(app, open, BROWSER));
    assertThat(get(app, "/p/" + d.token(), BROWSER).statusCode()).isEqualTo(200);
    assertThat(count(app, "SELECT count(*) FROM email_events WHERE label = 'human'")).isEqualTo(3);
    assertThat(count(app, "SELECT count(*) FROM page_views WHERE label = 'human'")).isEqualTo(1);
    assertThat(count(app, lastResponseWithin, d.id(), 59, 61)).isEqualTo(1);
  }

  @Test
  void openPixel_unknownAndMalformedTokens_answerTheSameGifAndStoreNothing(TestApp app) {
    var d = Fixtures.debtor(app, "Ann");
    var known = get(app, "/t/o/" + d.token() + ".gif", BROWSER);
    assertGif(known);
    for (String path : new String[] {"/t/o/" + "Z".repeat(32) + ".gif", "/t/o/" + "Z".repeat(32) + "/" + UUID.randomUUID()
        + ".gif", "/t/o/short.gif", "/t/o/%3Cscript%3E.gif", "/t/o/" + d.token() + "/not-a-uuid.gif",
        "/t/o/" + d.token(), "/t/o/"}) {
      var r = get(app, path, BROWSER);
      assertGif(r);
      assertThat(new TreeSet<>(r.headers().names())).as(path).isEqualTo(new TreeSet<>(known.headers().names()));
    }
    assertThat(count(app, "SELECT count(*) FROM email_events")).isEqualTo(1);
  }

  @Test
  void openPixel_head_servesGifHeadersAndLabelsMachine(TestApp app) {
    var d = Fixtures.debtor(app, "Ann");
    var r = await(app.client.request(HttpMethod.HEAD, "/t/o/" + d.token() + ".gif").putHeader("User-Agent", BROWSER).send());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.getHeader("Content-Type")).isEqualTo("image/gif");
    assertThat(r.getHeader("Cache-Control")).isEqualTo("no-store");
    assertThat(count(app, "SELECT count(*) FROM email_events WHERE label = 'machine' AND reason = 'HEAD request'"))
        .isEqualTo(1);
  }

  @Test
  void openPixel_appleMailPrivacyProtection_isLabelledMachine_andLeavesFlags(TestApp app) {
    var d = Fixtures.debtor(app, "Ann");
    UUID comm = Fixtures.email(app, d, 3600);
    assertGif(get(app, "/t/o/" + d.token() + "/" + comm + ".gif", "Mozilla/5.0"));
    assertThat(count(app, "SELECT count(*) FROM email_events WHERE label = 'machine'")).isEqualTo(1);
    assertThat(count(app, "SELECT count(*) FROM communications WHERE email_opened")).isZero();
    assertThat(count(app, "SELECT count(*) FROM debtors WHERE last_response_date IS NOT NULL")).isZero();
    // a later human open upgrades the message
    assertGif(get(app, "/t/o/" + d.token() + "/" + comm + ".gif", BROWSER));
    assertThat(count(app, "SELECT count(*) FROM communications WHERE email_opened")).isEqualTo(1);
  }

  @Test
  void openWithinSendWindow_isLabelledMachine(TestApp app) {
    var d = Fixtures.debtor(app, "Ann");
    UUID comm = Fixtures.email(app, d, 1);
    assertGif(get(app, "/t/o/" + d.token() + "/" + comm + ".gif", BROWSER));
    Row e = Fixtures.rows(app, "SELECT label, reason FROM email_events").iterator().next();
    assertThat(e.getString("label")).isEqualTo("machine");
    assertThat(e.getString("reason")).contains("of the send");
    assertThat(count(app, "SELECT count(*) FROM communications WHERE email_opened")).isZero();
  }

  @Test
  void openPixel_communicationOfAnotherDebtor_isStoredWithoutIt(TestApp app) {
    var ann = Fixtures.debtor(app, "Ann");
    var bob = Fixtures.debtor(app, "Bob");
    UUID bobs = Fixtures.email(app, bob, 3600);
    assertGif(get(app, "/t/o/" + ann.token() + "/" + bobs + ".gif", BROWSER));
    assertThat(count(app, "SELECT count(*) FROM email_events WHERE communication_id IS NULL AND debtor_id = $1", ann.id()))
        .isEqualTo(1);
    assertThat(count(app, "SELECT count(*) FROM communications WHERE email_opened")).isZero();
  }

  @Test
  void ipAddress_isTruncatedByDefault(TestApp app) {
    var d = Fixtures.debtor(app, "Ann");
    assertGif(get(app, "/t/o/" + d.token() + ".gif", BROWSER));
    Row e = Fixtures.rows(app, "SELECT host(ip_address) AS ip FROM email_events").iterator().next();
    assertThat(e.getString("ip")).isIn("127.0.0.0", "::");
  }

  @Test
  void ipStorageNone_storesNoAddress_andFullStoresAll(TestApp shared) {
    try (TestApp none = TestApp.start(new JsonObject().put("tracking", new JsonObject().put("ipStorage", "none")));
         TestApp full = TestApp.start(new JsonObject().put("tracking", new JsonObject().put("ipStorage", "full")))) {
      var d = Fixtures.debtor(shared, "Ann");
      assertGif(get(none, "/t/o/" + d.token() + ".gif", BROWSER));
      assertGif(get(full, "/t/o/" + d.token() + ".gif", BROWSER));
      assertThat(count(shared, "SELECT count(*) FROM email_events WHERE ip_address IS NULL")).isEqualTo(1);
      assertThat(count(shared, "SELECT count(*) FROM email_events WHERE host(ip_address) IN ('127.0.0.1', '::1')"))
          .isEqualTo(1);
    }
  }

  static String trackedUrl(TestApp app, Fixtures.Debtor d, UUID comm, String url) {
    var r = new Http(app).post("/api/tracking-links", AGENT_KEY, new JsonObject().put("debtorId", d.id().toString())
        .put("communicationId", comm.toString()).put("url", url));
    assertThat(r.statusCode()).isEqualTo(200);
    return r.bodyAsJsonObject().getString("trackedUrl");
  }

  @Test
  void click_validSignature_recordsHumanClickImpliesOpen_andRedirects(TestApp app) {
    var d = Fixtures.debtor(app, "Ann");
    UUID comm = Fixtures.email(app, d, 3600);
    String target = "https://pay.example.com/p?x=1&y=2";
    String tracked = trackedUrl(app, d, comm, target);
    assertThat(tracked).startsWith(app.baseUrl() + "/t/c/" + d.token() + "/" + comm + "?u=");
    var r = get(app, tracked.substring(app.baseUrl().length()), BROWSER);
    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(r.getHeader("Location")).isEqualTo(target);
    Row e = Fixtures.rows(app, "SELECT kind, label, url FROM email_events").iterator().next();
    assertThat(e.getString("kind")).isEqualTo("click");
    assertThat(e.getString("label")).isEqualTo("human");
    assertThat(e.getString("url")).isEqualTo(target);
    assertThat(count(app, "SELECT count(*) FROM communications WHERE email_opened AND email_clicked")).isEqualTo(1);
  }

  @Test
  void click_badOrMissingSignature_is400WithoutLocation(TestApp app) {
    var d = Fixtures.debtor(app, "Ann");
    UUID comm = Fixtures.email(app, d, 3600);
    String tracked = trackedUrl(app, d, comm, "https://pay.example.com/");
    String path = tracked.substring(app.baseUrl().length());
    String base = "/t/c/" + d.token() + "/" + comm + "?u=" + URLEncoder.encode("https://evil.example/", StandardCharsets.UTF_8);
    String sig = path.substring(path.indexOf("&s=") + 3);
    for (String p : new String[] {base, base + "&s=", base + "&s=" + sig, path.replace("&s=" + sig, "&s=x" + sig),
        "/t/c/" + d.token() + "/" + comm, "/t/c/" + d.token() + "/nope?u=https%3A%2F%2Fx.example%2F&s=" + sig,
        "/t/c/" + d.token() + "/" + comm + "?u=javascript%3Aalert(1)&s=" + sig}) {
      var r = get(app, p, BROWSER);
      assertThat(r.statusCode()).as(p).isEqualTo(400);
      assertThat(r.getHeader("Location")).as(p).isNull();
      assertThat(r.getHeader("Content-Type")).startsWith("application/problem+json");
    }
    assertThat(count(app, "SELECT count(*) FROM email_events")).isZero();
  }

  @Test
  void click_acceptWithoutHtml_isLabelledScanner_stillRedirects(TestApp app) {
    var d = Fixtures.debtor(app, "Ann");
    UUID comm = Fixtures.email(app, d, 3600);
    String tracked = trackedUrl(app, d, comm, "https://pay.example.com/");
    var r = await(app.client.get(tracked.substring(app.baseUrl().length())).putHeader("User-Agent", BROWSER)
        .putHeader("Accept", "*/*").send());
    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(count(app, "SELECT count(*) FROM email_events WHERE label = 'scanner'")).isEqualTo(1);
    assertThat(count(app, "SELECT count(*) FROM communications WHERE email_clicked OR email_opened")).isZero();
  }

  @Test
  void threeDistinctLinksWithin30s_makeAScanner(TestApp app) {
    var d = Fixtures.debtor(app, "Ann");
    UUID comm = Fixtures.email(app, d, 3600);
    for (String u : new String[] {"https://a.example/", "https://b.example/", "https://c.example/"}) {
      assertThat(get(app, trackedUrl(app, d, comm, u).substring(app.baseUrl().length()), BROWSER).statusCode())
          .isEqualTo(302);
    }
    var rows = Fixtures.rows(app, "SELECT label, reason FROM email_events ORDER BY occurred_at");
    var labels = new ArrayList<String>();
    rows.forEach(r -> labels.add(r.getString("label")));
    assertThat(labels).containsExactly("human", "human", "scanner");
  }

  @Test
  void trackingLinks_refuseNonHttpTargets_unknownDebtor_andViewers(TestApp app) {
    var d = Fixtures.debtor(app, "Ann");
    UUID comm = Fixtures.email(app, d, 3600);
    Http http = new Http(app);
    for (String bad : new String[] {"javascript:alert(1)", "ftp://example.com/x", "mailto:a@example.com", "/relative"}) {
      var r = http.post("/api/tracking-links", AGENT_KEY, new JsonObject().put("debtorId", d.id().toString())
          .put("communicationId", comm.toString()).put("url", bad));
      assertThat(r.statusCode()).as(bad).isEqualTo(400);
      assertThat(r.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("url");
    }
    var unknown = http.post("/api/tracking-links", AGENT_KEY, new JsonObject().put("debtorId", UUID.randomUUID().toString())
        .put("communicationId", comm.toString()).put("url", "https://example.com/"));
    assertThat(unknown.statusCode()).isEqualTo(404);
    var viewer = http.post("/api/tracking-links", VIEWER_KEY, new JsonObject().put("debtorId", d.id().toString())
        .put("communicationId", comm.toString()).put("url", "https://example.com/"));
    assertThat(viewer.statusCode()).isEqualTo(403);
    assertThat(http.post("/api/tracking-links", null, new JsonObject()).statusCode()).isEqualTo(401);
  }

  static HttpResponse<Buffer> beacon(TestApp app, String type, String body) {
    var req = app.client.post("/t/b").putHeader("User-Agent", BROWSER);
    if (type != null) {
      req.putHeader("Content-Type", type);
    }
    return await(req.sendBuffer(Buffer.buffer(body)));
  }

  @Test
  void beacon_withoutPageViewId_recordsNewView_withTextPlain(TestApp app) {
    var d = Fixtures.debtor(app, "Ann");
    var r = beacon(app, "text/plain;charset=UTF-8", new JsonObject().put("token", d.token()).put("pageType", "info")
        .put("timeOnPage", 12).put("actions", new JsonArray().add("read")).encode());
    assertThat(r.statusCode()).isEqualTo(204);
    Row v = Fixtures.rows(app, "SELECT * FROM page_views").iterator().next();
    assertThat(v.getString("page_type")).isEqualTo("info");
    assertThat(v.getInteger("time_on_page")).isEqualTo(12);
    assertThat(v.getJsonArray("actions_taken")).isEqualTo(new JsonArray().add("read"));
  }

  @Test
  void beacon_withPageViewId_updatesThatView_neverCreatesASecond(TestApp app) {
    var d = Fixtures.debtor(app, "Ann");
    UUID view = insertView(app, d.id());
    for (int i = 1; i <= 2; i++) {
      var r = beacon(app, "application/json", new JsonObject().put("token", d.token()).put("pageViewId", view.toString())
          .put("pageType", "landing").put("timeOnPage", i * 5).put("actions", new JsonArray().add("click-" + i)).encode());
      assertThat(r.statusCode()).isEqualTo(204);
    }
    Row v = Fixtures.rows(app, "SELECT * FROM page_views").iterator().next();
    assertThat(count(app, "SELECT count(*) FROM page_views")).isEqualTo(1);
    assertThat(v.getInteger("time_on_page")).isEqualTo(10);
    assertThat(v.getJsonArray("actions_taken")).isEqualTo(new JsonArray().add("click-1").add("click-2"));
  }

  @Test
  void beacon_forAnotherDebtorsPageView_isNotApplied(TestApp app) {
    var ann = Fixtures.debtor(app, "Ann");
    var bob = Fixtures.debtor(app, "Bob");
    UUID bobsView = insertView(app, bob.id());
    var r = beacon(app, "application/json", new JsonObject().put("token", ann.token())
        .put("pageViewId", bobsView.toString()).put("pageType", "landing").put("timeOnPage", 99)
        .put("actions", new JsonArray().add("pay")).encode());
    assertThat(r.statusCode()).isEqualTo(204);
    Row v = Fixtures.rows(app, "SELECT * FROM page_views").iterator().next();
    assertThat(v.getInteger("time_on_page")).isNull();
    assertThat(v.getJsonArray("actions_taken")).isEmpty();
    assertThat(count(app, "SELECT count(*) FROM page_views")).isEqualTo(1);
  }

  @Test
  void beacon_unknownToken_is204AndStoresNothing(TestApp app) {
    for (String token : new String[] {"Z".repeat(32), "bad token"}) {
      var r = beacon(app, "application/json", new JsonObject().put("token", token).put("pageType", "landing").encode());
      assertThat(r.statusCode()).isEqualTo(204);
    }
    assertThat(count(app, "SELECT count(*) FROM page_views")).isZero();
  }

  @Test
  void beacon_badInput_isRefused(TestApp app) {
    var d = Fixtures.debtor(app, "Ann");
    String ok = new JsonObject().put("token", d.token()).put("pageType", "landing").encode();
    assertThat(beacon(app, "text/html", ok).statusCode()).isEqualTo(415);
    assertThat(beacon(app, "application/x-www-form-urlencoded", ok).statusCode()).isEqualTo(415);
    assertThat(beacon(app, null, ok).statusCode()).isEqualTo(415);
    String big = new JsonObject().put("token", d.token()).put("pageType", "landing").put("pad", "x".repeat(9000)).encode();
    var tooLarge = beacon(app, "text/plain", big);
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(tooLarge.getHeader("Content-Type")).startsWith("application/problem+json");
    for (String bad : new String[] {"{", "[]", "", "null",
        new JsonObject().put("token", d.token()).encode(),
        new JsonObject().put("token", d.token()).put("pageType", "home").encode(),
        new JsonObject().put("token", d.token()).put("pageType", "landing").put("timeOnPage", -1).encode(),
        new JsonObject().put("token", d.token()).put("pageType", "landing").put("pageViewId", "x").encode(),
        new JsonObject().put("token", d.token()).put("pageType", "landing").put("actions", "pay").encode(),
        new JsonObject().put("token", d.token()).put("pageType", "landing").put("actions", new JsonArray().add("a\u0000")).encode(),
        new JsonObject().put("token", 5).put("pageType", "landing").encode()}) {
      var r = beacon(app, "application/json", bad);
      assertThat(r.statusCode()).as(bad).isEqualTo(400);
      assertThat(r.getHeader("Content-Type")).startsWith("application/problem+json");
    }
    assertThat(count(app, "SELECT count(*) FROM page_views")).isZero();
  }

  static UUID insertView(TestApp app, UUID debtorId) {
    return await(app.pool.preparedQuery("INSERT INTO page_views (debtor_id, page_type) VALUES ($1, 'landing') RETURNING id")
        .execute(Tuple.of(debtorId))).iterator().next().getUUID("id");
  }
}
