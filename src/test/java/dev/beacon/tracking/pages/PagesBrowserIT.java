package dev.beacon.tracking.pages;

import dev.beacon.support.BeaconExtension;
import dev.beacon.support.Browser;
import dev.beacon.support.Http;
import dev.beacon.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.beacon.support.TestApp.AGENT_KEY;
import static dev.beacon.support.TestApp.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The debtor pages in a real browser (Debian's Chromium through chromedriver): the CSP lets Beacon's own
 * script and style load, and the script reports visible time and clicks through {@code POST /t/b}.
 * Skipped when Chromium is not installed; the beacon test is skipped while this build has no {@code /t/b}.
 */
@ExtendWith(BeaconExtension.class)
@Timeout(120)
class PagesBrowserIT {
  /** Measured from navigation start; the script starts its clock a little later, so wait past two seconds. */
  static final long STAY_MS = 2_600;

  @RegisterExtension
  final Browser browser = new Browser("412,915");

  static JsonObject debtor(TestApp app) {
    var r = new Http(app).post("/api/debtors", AGENT_KEY, new JsonObject().put("firstName", "Ann").put("lastName", "Leeward")
        .put("email", "ann.browser@example.com").put("state", "TX").put("totalOwed", "420.00"));
    assertThat(r.statusCode()).isEqualTo(201);
    return r.bodyAsJsonObject();
  }

  static List<Row> rows(TestApp app, String sql, Object... params) {
    var out = new ArrayList<Row>();
    await(app.pool.preparedQuery(sql).execute(Tuple.from(params))).forEach(out::add);
    return out;
  }

  void screenshot(String name) throws IOException {
    browser.screenshot(name);
  }

  Object js(String script) {
    return ((JavascriptExecutor) browser.driver()).executeScript(script);
  }

  @Test
  @DisplayName("in Chromium the landing page loads its own style and script under the CSP, and Pay now records a payment view")
  void landing_inChromium_loadsAssetsUnderCsp_andPayNowRecordsPaymentView(TestApp app) throws IOException {
    JsonObject d = debtor(app);
    browser.driver().get(app.baseUrl() + "/p/" + d.getString("uniqueToken"));

    assertThat(browser.driver().findElement(By.tagName("h1")).getText()).isEqualTo("Hello Ann");
    assertThat(browser.driver().findElement(By.id("balance")).getText()).isEqualTo("$420.00");
    assertThat(browser.driver().findElement(By.cssSelector("[data-action=pay-now]")).getCssValue("background-color"))
        .as("pages.css applied").isEqualTo("rgba(31, 95, 191, 1)");
    assertThat(js("return performance.getEntriesByType('resource').map(e => new URL(e.name).pathname)"))
        .asList().contains("/static/pages/beacon.js", "/static/pages/pages.css");
    screenshot("landing");

    browser.driver().findElement(By.cssSelector("[data-action=pay-now]")).click();
    new WebDriverWait(browser.driver(), Duration.ofSeconds(10)).until(w -> w.getCurrentUrl().endsWith("/pay"));
    assertThat(browser.driver().findElement(By.id("payments-not-configured")).getText()).contains("not configured");
    screenshot("payment");
    assertThat(rows(app, "SELECT page_type FROM page_views ORDER BY \"timestamp\""))
        .extracting(r -> r.getString(0)).containsExactly("landing", "payment");
  }

  @Test
  @DisplayName("the script's beacon carries token, view id, page type, visible seconds and the click (sendBeacon recorded in the page)")
  void landing_scriptSendsTimeAndClick_toSendBeacon(TestApp app) {
    JsonObject d = debtor(app);
    browser.driver().get(app.baseUrl() + "/p/" + d.getString("uniqueToken"));
    String viewId = browser.driver().findElement(By.tagName("body")).getAttribute("data-page-view-id");
    // Same-origin sessionStorage survives the navigation, so the leaving page's beacon can be read afterwards.
    js("navigator.sendBeacon = function (url, data) {"
        + " var sent = JSON.parse(sessionStorage.getItem('beacons') || '[]');"
        + " sent.push({url: url, data: String(data)}); sessionStorage.setItem('beacons', JSON.stringify(sent)); return true; }");

    new WebDriverWait(browser.driver(), Duration.ofSeconds(10)).pollingEvery(Duration.ofMillis(100))
        .until(w -> ((Number) js("return performance.now()")).longValue() >= STAY_MS);
    browser.driver().findElement(By.id("info")).findElement(By.tagName("summary")).click();
    browser.driver().findElement(By.cssSelector("[data-action=pay-now]")).click();
    new WebDriverWait(browser.driver(), Duration.ofSeconds(10)).until(w -> w.getCurrentUrl().endsWith("/pay"));

    var sent = new JsonArray((String) js("return sessionStorage.getItem('beacons') || '[]'"));
    assertThat(sent).isNotEmpty();
    JsonObject beacon = sent.getJsonObject(0);
    assertThat(beacon.getString("url")).isEqualTo("/t/b");
    JsonObject data = new JsonObject(beacon.getString("data"));
    assertThat(data.getString("token")).isEqualTo(d.getString("uniqueToken"));
    assertThat(data.getString("pageViewId")).isEqualTo(viewId);
    assertThat(data.getString("pageType")).isEqualTo("landing");
    assertThat(data.getInteger("timeOnPage")).isGreaterThanOrEqualTo(2);
    assertThat(data.getJsonArray("actions").stream().map(a -> ((JsonObject) a).getString("action") + ":" + ((JsonObject) a).getString("target")))
        .containsExactly("open:info", "click:pay-now");
    assertThat(data.getJsonArray("actions").getJsonObject(1).getString("at")).matches("\\d{4}-\\d{2}-\\d{2}T.*Z");
  }

  @Test
  @DisplayName("stay two seconds, click Pay now, leave: the landing view gets time_on_page >= 2 and the click")
  void landing_reportsTimeOnPageAndClick_throughBeacon(TestApp app) throws IOException {
    JsonObject d = debtor(app);
    browser.driver().get(app.baseUrl() + "/p/" + d.getString("uniqueToken"));
    UUID viewId = UUID.fromString(browser.driver().findElement(By.tagName("body")).getAttribute("data-page-view-id"));
    assertThat(js("return document.visibilityState")).isEqualTo("visible");

    new WebDriverWait(browser.driver(), Duration.ofSeconds(10)).pollingEvery(Duration.ofMillis(100))
        .until(w -> ((Number) js("return performance.now()")).longValue() >= STAY_MS);
    screenshot("landing-before-leaving");
    browser.driver().findElement(By.cssSelector("[data-action=pay-now]")).click();
    new WebDriverWait(browser.driver(), Duration.ofSeconds(10)).until(w -> w.getCurrentUrl().endsWith("/pay"));
    browser.driver().get("about:blank");

    Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      List<Row> view = rows(app, """
          SELECT time_on_page, actions_taken @> '[{"action":"click","target":"pay-now"}]'::jsonb AS clicked
          FROM page_views WHERE id = $1""", viewId);
      assertThat(view).hasSize(1);
      assertThat(view.get(0).getInteger("time_on_page")).isNotNull().isGreaterThanOrEqualTo(2);
      assertThat(view.get(0).getBoolean("clicked")).isTrue();
    });
    assertThat(rows(app, "SELECT count(*) FROM page_views WHERE page_type = 'landing'").get(0).getLong(0))
        .as("the beacon updated the server-side view instead of adding one").isEqualTo(1);
  }
}
