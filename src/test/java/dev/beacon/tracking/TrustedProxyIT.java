package dev.beacon.tracking;

import dev.beacon.support.BeaconExtension;
import dev.beacon.support.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.beacon.support.TestApp.AGENT_KEY;
import static dev.beacon.support.TestApp.await;
import static dev.beacon.tracking.Fixtures.BROWSER;
import static dev.beacon.tracking.Fixtures.HTML;
import static org.assertj.core.api.Assertions.assertThat;

/** http.trustedProxies: forwarding headers believed from trusted peers only (the test client is 127.0.0.1). */
@ExtendWith(BeaconExtension.class)
@Timeout(60)
class TrustedProxyIT {
  private static JsonObject trusting(String... cidrs) {
    return new JsonObject().put("http", new JsonObject().put("trustedProxies", new JsonArray(List.of(cidrs))));
  }

  private static final String LOOPBACK_V4 = "127.0.0.0/8";
  private static final String LOOPBACK_V6 = "::1/128";

  private static void open(TestApp app, String token, String header, String value) {
    var r = await(app.client.get("/t/o/" + token + ".gif").putHeader("User-Agent", BROWSER).putHeader("Accept", HTML)
        .putHeader(header, value).send());
    assertThat(r.statusCode()).isEqualTo(200);
  }

  private static String storedIp(TestApp app) {
    app.enriched();
    var rows = await(app.pool.query("SELECT host(ip_address) AS ip FROM email_events").execute());
    assertThat(rows.size()).isEqualTo(1);
    return rows.iterator().next().getString("ip");
  }

  @Test
  void spoofedForwardedFor_fromAnUntrustedPeer_isIgnored(TestApp app) {
    var d = Fixtures.debtor(app, "Ann");
    open(app, d.token(), "X-Forwarded-For", "203.0.113.77");
    assertThat(storedIp(app)).isIn("127.0.0.0", "::");
  }

  @Test
  void forwardedFor_fromATrustedPeer_isTheClient_truncatedAsConfigured(TestApp shared) {
    try (TestApp app = TestApp.start(trusting(LOOPBACK_V4, LOOPBACK_V6, "10.0.0.0/8"))) {
      var d = Fixtures.debtor(shared, "Ann");
      // client, then two proxies: 10.1.2.3 (trusted) appended by the first, the peer is the second.
      open(app, d.token(), "X-Forwarded-For", "198.51.100.1, 203.0.113.77, 10.1.2.3");
      // The right-most untrusted address is the client; the left-most could be anything the client wrote.
      assertThat(storedIp(shared)).isEqualTo("203.0.113.0");
    }
  }

  @Test
  void forwardedHeader_rfc7239_withIpv6AndPort_fromATrustedPeer(TestApp shared) {
    JsonObject cfg = trusting(LOOPBACK_V4, LOOPBACK_V6).put("tracking", new JsonObject().put("ipStorage", "full"));
    try (TestApp app = TestApp.start(cfg)) {
      var d = Fixtures.debtor(shared, "Ann");
      open(app, d.token(), "Forwarded", "for=\"[2001:db8:cafe::17]:4711\";proto=https");
      assertThat(storedIp(shared)).isEqualTo("2001:db8:cafe::17");
    }
  }

  @Test
  void scannerCidr_matchesTheForwardedClient_notTheProxy(TestApp shared) {
    JsonObject cfg = trusting(LOOPBACK_V4, LOOPBACK_V6)
        .put("tracking", new JsonObject().put("scannerCidrs", new JsonArray().add("203.0.113.0/24")));
    try (TestApp app = TestApp.start(cfg)) {
      var d = Fixtures.debtor(shared, "Ann");
      open(app, d.token(), "X-Forwarded-For", "203.0.113.77");
      open(app, d.token(), "X-Forwarded-For", "198.51.100.9");
      shared.enriched();
      var labels = await(shared.pool.query("SELECT label FROM email_events ORDER BY occurred_at, id").execute());
      List<String> got = new ArrayList<>();
      labels.forEach(r -> got.add(r.getString("label")));
      assertThat(got).containsExactlyInAnyOrder("scanner", "human");
    }
  }

  @Test
  void pageBeacon_storesTheForwardedClient(TestApp shared) {
    JsonObject cfg = trusting(LOOPBACK_V4, LOOPBACK_V6).put("tracking", new JsonObject().put("ipStorage", "full"));
    try (TestApp app = TestApp.start(cfg)) {
      var d = Fixtures.debtor(shared, "Ann");
      var r = await(app.client.post("/t/b").putHeader("Content-Type", "application/json")
          .putHeader("X-Forwarded-For", "198.51.100.23")
          .sendBuffer(Buffer.buffer(new JsonObject().put("token", d.token()).put("pageType", "landing").encode())));
      assertThat(r.statusCode()).isEqualTo(204);
      shared.enriched();
      var rows = await(shared.pool.query("SELECT host(ip_address) AS ip FROM page_views").execute());
      assertThat(rows.iterator().next().getString("ip")).isEqualTo("198.51.100.23");
    }
  }

  @Test
  void generatedLinks_followTheTrustedProxysSchemeAndHost_only(TestApp shared) {
    var d = Fixtures.debtor(shared, "Ann");
    UUID comm = Fixtures.email(shared, d, 3600);
    JsonObject body = new JsonObject().put("debtorId", d.id().toString()).put("communicationId", comm.toString())
        .put("url", "https://pay.example.com/");
    try (TestApp app = TestApp.start(trusting(LOOPBACK_V4, LOOPBACK_V6))) {
      for (TestApp target : new TestApp[] {app, shared}) {
        var r = await(target.client.post("/api/tracking-links").putHeader("Authorization", "Bearer " + AGENT_KEY)
            .putHeader("X-Forwarded-Proto", "https").putHeader("X-Forwarded-Host", "track.example.com")
            .sendJsonObject(body));
        assertThat(r.statusCode()).isEqualTo(200);
        String url = r.bodyAsJsonObject().getString("trackedUrl");
        if (target == app) {
          assertThat(url).startsWith("https://track.example.com/t/c/");
        } else {
          assertThat(url).startsWith("http://localhost:" + shared.port + "/t/c/");
        }
      }
    }
  }
}
