package dev.beacon.worklist;

import dev.beacon.support.BeaconExtension;
import dev.beacon.support.Browser;
import dev.beacon.support.Http;
import dev.beacon.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
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
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import static dev.beacon.support.TestApp.VIEWER_KEY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard's "Contact next" panels in Debian's Chromium: one per channel, the worklist's first page with the
 * debtor's local time and best hour, each row opening the debtor. Skipped when Chromium is not installed.
 */
@ExtendWith(BeaconExtension.class)
@Timeout(120)
class ContactNextBrowserIT {
  @RegisterExtension
  final Browser browser = new Browser("412,2400");

  /** A fixed-offset zone where it is now about 14:00, so "now" is inside calling hours whenever the test runs. */
  static String daytimeZone() {
    int offset = 14 - Instant.now().atOffset(ZoneOffset.UTC).getHour();
    // Etc/GMT signs are inverted: Etc/GMT-5 is UTC+5.
    return offset == 0 ? "Etc/GMT" : "Etc/GMT" + (offset > 0 ? "-" : "+") + Math.abs(offset);
  }

  @Test
  @DisplayName("a Contact next panel per channel lists the worklist's first page, with local time and best hour, "
      + "and a row opens the debtor")
  void contactNextPanels(TestApp app) throws IOException {
    String zone = daytimeZone();
    UUID reader = WorklistIT.debtor(app, "active", 60, "2000.00", "0.00", true, true, false, zone, null, true, true);
    UUID second = WorklistIT.debtor(app, "active", 20, "300.00", "0.00", true, false, false, zone, null, true, true);
    WorklistIT.debtor(app, "dispute", 90, "9000.00", "0.00", true, true, false, zone, null, true, true);
    // The first debtor reads at 17:00 local (later today, inside calling hours).
    for (int d = 1; d <= 10; d++) {
      WorklistIT.event(app, reader, "open", "human",
          Instant.now().atZone(ZoneId.of(zone)).minusDays(d).withHour(17).withMinute(10).toInstant());
    }
    Http http = new Http(app);
    JsonArray email = http.get("/api/worklist?channel=email&limit=10", VIEWER_KEY).bodyAsJsonObject().getJsonArray("items");
    assertThat(email).hasSize(2);
    JsonObject top = email.getJsonObject(0);
    assertThat(top.getString("debtorId")).isEqualTo(reader.toString());

    browser.driver().get(app.baseUrl() + "/dashboard");
    WebDriverWait wait = new WebDriverWait(browser.driver(), Duration.ofSeconds(20));
    wait.until(d -> d.findElement(By.id("login-key")).isDisplayed());
    browser.driver().findElement(By.id("login-key")).sendKeys(VIEWER_KEY);
    browser.driver().findElement(By.id("login-submit")).click();
    wait.until(d -> d.findElements(By.cssSelector("#contact-next-email tbody a")).size() == 2);

    List<WebElement> rows = browser.driver().findElements(By.cssSelector("#contact-next-email tbody tr"));
    List<WebElement> cells = rows.get(0).findElements(By.tagName("td"));
    assertThat(cells.get(0).getText()).isEqualTo("W Debtor");
    assertThat(cells.get(1).getText()).isEqualTo(top.getString("localTime").substring(11, 16));
    assertThat(cells.get(2).getText()).isEqualTo("17:00–18:00");
    assertThat(cells.get(3).getText()).isEqualTo("$1,200.00");
    // Phone: only the debtor with phone consent; SMS the same; the disputed debtor in none.
    assertThat(browser.driver().findElements(By.cssSelector("#contact-next-phone tbody a"))).hasSize(1);
    assertThat(browser.driver().findElements(By.cssSelector("#contact-next-sms tbody a"))).hasSize(1);
    assertThat(browser.driver().findElement(By.cssSelector("#contact-next-sms tbody a")).getAttribute("href"))
        .endsWith("#/debtors/" + reader);
    assertThat((Boolean) ((JavascriptExecutor) browser.driver()).executeScript(
        "return document.documentElement.scrollWidth <= window.innerWidth")).isTrue();
    browser.screenshot("dashboard-contact-next");

    browser.driver().findElements(By.cssSelector("#contact-next-email tbody a")).get(1).click();
    wait.until(d -> d.getCurrentUrl().endsWith("#/debtors/" + second));
    wait.until(d -> d.findElement(By.id("debtor-name")).getText().equals("W Debtor"));
    assertThat(browser.driver().findElement(By.id("overview")).isDisplayed()).isFalse();
  }
}
