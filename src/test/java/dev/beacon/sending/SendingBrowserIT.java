package dev.beacon.sending;

import dev.beacon.support.BeaconExtension;
import dev.beacon.support.Browser;
import dev.beacon.support.Http;
import dev.beacon.support.TestApp;
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
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.beacon.support.TestApp.AGENT_KEY;
import static dev.beacon.support.TestApp.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An instrumented email opened in Chromium as a mail client shows it: the pixel loads (an open) and clicking
 * "View your account" goes through the signed click link to the landing page, recorded as a human click.
 */
@ExtendWith(BeaconExtension.class)
@Timeout(120)
class SendingBrowserIT {
  /** Headless Chromium says "HeadlessChrome", which Beacon rightly labels a scanner; a person's Chrome does not. */
  static final String DESKTOP_CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
      + "Chrome/131.0.0.0 Safari/537.36";

  @RegisterExtension
  final Browser browser = new Browser("1024,900");

  @Test
  @DisplayName("open the instrumented HTML in Chromium, click a link: the landing page, and a human click on that message")
  void instrumentedEmail_clickInChromium_isHumanClick(TestApp app) throws IOException {
    Http http = new Http(app);
    JsonObject d = SendingIT.debtor(http, new JsonObject());
    var r = http.post("/api/debtors/" + d.getString("id") + "/communications", AGENT_KEY, SendingIT.email("""
        <!DOCTYPE html><html><head><meta charset="utf-8"><title>Your account</title></head>
        <body><table width="100%"><tr><td align="center"><table width="600"><tr><td>
        <h1>Hello {{firstName}}</h1><p>Your balance is {{balance}}.</p>
        <p><a id="view" href="{{landingUrl}}" style="background:#1f5fbf;color:#fff;padding:12px">View your account</a></p>
        <p><a href="{{optOutUrl}}">Stop emails</a></p>
        </td></tr></table></td></tr></table></body></html>""", null));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    UUID id = UUID.fromString(r.bodyAsJsonObject().getString("id"));
    String html = r.bodyAsJsonObject().getJsonObject("instrumented").getString("html");
    Path file = Files.createTempFile("beacon-email-", ".html");
    try {
      Files.writeString(file, html, StandardCharsets.UTF_8);
      ChromeDriver driver = (ChromeDriver) browser.driver();
      driver.executeCdpCommand("Network.enable", Map.of());
      driver.executeCdpCommand("Network.setUserAgentOverride", Map.of("userAgent", DESKTOP_CHROME));
      driver.get(file.toUri().toString());
      assertThat(driver.findElement(By.tagName("h1")).getText()).isEqualTo("Hello Ann");
      browser.screenshot("instrumented-email");
      driver.findElement(By.id("view")).click();
      new WebDriverWait(driver, Duration.ofSeconds(15))
          .until(w -> w.getCurrentUrl().equals(app.baseUrl() + "/p/" + d.getString("uniqueToken")));
      assertThat(driver.findElement(By.tagName("h1")).getText()).isEqualTo("Hello Ann");
      browser.screenshot("instrumented-email-landing");
    } finally {
      Files.deleteIfExists(file);
    }
    List<String> events = new ArrayList<>();
    Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> {
      events.clear();
      for (Row row : await(app.pool.preparedQuery("SELECT kind, label, url FROM email_events WHERE communication_id = $1 "
          + "ORDER BY occurred_at").execute(Tuple.of(id)))) {
        events.add(row.getString("kind") + " " + row.getString("label") + " " + row.getString("url"));
      }
      return events.stream().anyMatch(e -> e.startsWith("click"));
    });
    assertThat(events).contains("click human " + app.baseUrl() + "/p/" + d.getString("uniqueToken"));
    assertThat(events).anyMatch(e -> e.startsWith("open human"));
    assertThat(await(app.pool.preparedQuery("SELECT email_opened AND email_clicked FROM communications WHERE id = $1")
        .execute(Tuple.of(id))).iterator().next().getBoolean(0)).isTrue();
  }
}
