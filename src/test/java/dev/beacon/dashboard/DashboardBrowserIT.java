package dev.beacon.dashboard;

import dev.beacon.debtors.DemoData;
import dev.beacon.delivery.DeliveryDemo;
import dev.beacon.support.BeaconExtension;
import dev.beacon.support.Browser;
import dev.beacon.support.Http;
import dev.beacon.support.TestApp;
import io.vertx.core.json.JsonObject;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.beacon.support.TestApp.AGENT_KEY;
import static dev.beacon.support.TestApp.VIEWER_KEY;
import static dev.beacon.support.TestApp.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web dashboard in Debian's Chromium (phone-sized window): sign in with a viewer key, KPI numbers equal the
 * API's, the charts are drawn, and a debtor page opens from the top list. Screenshots go to target/screenshots.
 * Skipped when Chromium is not installed.
 */
@ExtendWith(BeaconExtension.class)
@Timeout(120)
class DashboardBrowserIT {
  @RegisterExtension
  final Browser browser = new Browser("412,2400");

  void screenshot(String name) throws IOException {
    browser.screenshot(name);
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> size(String css) {
    return (Map<String, Object>) ((JavascriptExecutor) browser.driver()).executeScript(
        "var r = document.querySelector(arguments[0]).getBoundingClientRect(); return {w: r.width, h: r.height};", css);
  }

  String text(String id) {
    return browser.driver().findElement(By.id(id)).getText();
  }

  /**
   * A percentage shown with one decimal equals the API's rate. JavaScript's toFixed rounds the binary double and
   * Java the decimal, so a rate exactly between two tenths may show either: compare within that rounding.
   */
  static void assertPercent(String shown, double rate) {
    assertThat(shown).matches("[0-9]+\\.[0-9]%");
    assertThat(Double.parseDouble(shown.substring(0, shown.length() - 1))).isCloseTo(rate * 100,
        Offset.offset(0.0501));
  }

  @Test
  @DisplayName("sign in, the KPI cards show the API's numbers, charts are drawn, and a top debtor's page opens")
  void dashboard_inChromium(TestApp app) throws IOException {
    await(DemoData.seedOnce(app.pool));
    await(DeliveryDemo.seed(app.pool));
    DashboardApiIT.awaitVersion(app, new DashKit(app).rollup().version());
    JsonObject summary = new Http(app).get("/api/dashboard/summary", VIEWER_KEY).bodyAsJsonObject();
    JsonObject top = new Http(app).get("/api/dashboard/top-debtors?limit=10", VIEWER_KEY).bodyAsJsonObject()
        .getJsonArray("items").getJsonObject(0);

    browser.driver().get(app.baseUrl() + "/dashboard");
    WebDriverWait wait = new WebDriverWait(browser.driver(), Duration.ofSeconds(20));
    wait.until(d -> d.findElement(By.id("login-key")).isDisplayed());
    browser.driver().findElement(By.id("login-key")).sendKeys(VIEWER_KEY);
    browser.driver().findElement(By.id("login-submit")).click();
    wait.until(d -> !text("last-updated").equals("never"));

    assertThat(text("kpi-debtors")).isEqualTo(String.format(Locale.US, "%,d",
        summary.getJsonObject("debtors").getLong("total")));
    assertThat(text("kpi-collected")).isEqualTo(String.format(Locale.US, "$%,.2f",
        new BigDecimal(summary.getJsonObject("payments").getString("amount"))));
    assertPercent(text("kpi-rate"), summary.getDouble("collectionRate"));
    assertPercent(text("kpi-open-rate"), summary.getJsonObject("humanEngagement").getDouble("openRate"));
    assertPercent(text("kpi-click-rate"), summary.getJsonObject("humanEngagement").getDouble("clickRate"));
    assertThat(text("error")).isEmpty();

    for (String chart : List.of("#funnel svg", "#activity canvas", "#scores svg")) {
      Map<String, Object> s = size(chart);
      assertThat(((Number) s.get("w")).doubleValue()).as(chart + " width").isPositive();
      assertThat(((Number) s.get("h")).doubleValue()).as(chart + " height").isPositive();
    }
    // six stages (contacted, delivered, opened, clicked, visited, paid), machine opens, bounced, complaints
    assertThat(browser.driver().findElements(By.cssSelector("#funnel rect"))).hasSize(9);
    assertThat(browser.driver().findElements(By.cssSelector("#scores rect"))).hasSize(10);
    // the page fits a phone: nothing wider than the viewport
    assertThat((Boolean) ((JavascriptExecutor) browser.driver()).executeScript(
        "return document.documentElement.scrollWidth <= window.innerWidth")).isTrue();
    screenshot("dashboard-overview");

    List<WebElement> links = browser.driver().findElements(By.cssSelector("#top-debtors tbody a"));
    assertThat(links).hasSize(10);
    assertThat(links.get(0).getText()).isEqualTo(top.getString("firstName") + " " + top.getString("lastName"));
    links.get(0).click();
    wait.until(d -> d.getCurrentUrl().endsWith("#/debtors/" + top.getString("id")));
    wait.until(d -> text("debtor-name").equals(top.getString("firstName") + " " + top.getString("lastName")));
    wait.until(d -> !d.findElements(By.cssSelector("#debtor-timeline li")).isEmpty());
    assertThat(browser.driver().findElement(By.id("overview")).isDisplayed()).isFalse();
    // the score explanation from GET /api/debtors/{id}/score: the score and its factors
    JsonObject score = new Http(app).get("/api/debtors/" + top.getString("id") + "/score", AGENT_KEY).bodyAsJsonObject();
    wait.until(d -> text("debtor-score").contains("Score " + score.getInteger("score")));
    assertThat(text("debtor-score")).contains("Factor").doesNotContainIgnoringCase("not available");
    screenshot("dashboard-debtor");

    browser.driver().findElement(By.id("sign-out")).click();
    assertThat(browser.driver().findElement(By.id("login-key")).isDisplayed()).isTrue();
    assertThat(((JavascriptExecutor) browser.driver()).executeScript("return sessionStorage.getItem('beacon.apiKey')"))
        .isNull();
  }

  @Test
  @DisplayName("a key that may not read the dashboard is refused with a message and forgotten")
  void wrongKey_isRefused(TestApp app) {
    browser.driver().get(app.baseUrl() + "/dashboard");
    WebDriverWait wait = new WebDriverWait(browser.driver(), Duration.ofSeconds(20));
    wait.until(d -> d.findElement(By.id("login-key")).isDisplayed());
    browser.driver().findElement(By.id("login-key")).sendKeys("not-a-key");
    browser.driver().findElement(By.id("login-submit")).click();
    wait.until(d -> !text("login-error").isEmpty());
    assertThat(text("login-error")).contains("not accepted");
    assertThat(((JavascriptExecutor) browser.driver()).executeScript("return sessionStorage.getItem('beacon.apiKey')"))
        .isNull();
  }
}
