package dev.beacon.tracking;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.beacon.support.BeaconExtension;
import dev.beacon.support.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.UUID;

import static dev.beacon.support.TestApp.await;
import static dev.beacon.tracking.Fixtures.BROWSER;
import static dev.beacon.tracking.Fixtures.count;
import static dev.beacon.tracking.TrackingIT.assertGif;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests whose path or query holds an invalid percent-escape (a mangled or cut-off link) fail while Vert.x Web
 * matches routes, before any handler runs. They must not put the URI (with the debtor's token) in the log, must
 * answer a problem (or, for the pixel, the GIF), and must record nothing.
 */
@ExtendWith(BeaconExtension.class)
@Timeout(60)
class UndecodableRequestIT {
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

  @BeforeEach
  void captureLog() {
    log.start();
    root.addAppender(log);
  }

  @AfterEach
  void releaseLog() {
    root.detachAppender(log);
    log.stop();
  }

  @Test
  @DisplayName("a click link with a bad or cut-off escape in its query: 400 problem, no redirect, and the token never reaches the log")
  void click_undecodableQuery_is400Problem_andLogsNothing(TestApp app) {
    var d = Fixtures.debtor(app, "Ann");
    String link = "/t/c/" + d.token() + "/" + UUID.randomUUID();
    for (String query : List.of("?u=%zz&s=abc", "?u=https%3A%2F%2Fexample.com%2Fpay&s=abc%2", "?u=%E0%A4%A&s=x")) {
      var r = await(app.client.get(link + query).putHeader("User-Agent", BROWSER).send());
      assertProblem400(r, link + query);
      assertThat(r.getHeader("Location")).isNull();
    }
    assertThat(count(app, "SELECT count(*) FROM email_events")).isZero();
    assertLogClean(d.token());
  }

  @Test
  @DisplayName("page, opt-out and one-click routes with an undecodable query or path: 400 problem, nothing stored, nothing logged")
  void pages_undecodableQueryOrPath_are400Problems_andLogNothing(TestApp app) {
    var d = Fixtures.debtor(app, "Ann");
    String token = d.token();
    for (String path : List.of("/p/" + token + "?utm_source=%zz", "/p/" + token + "/pay?x=%2", "/p/" + token + "/opt-out?a=%G0",
        "/p/" + token + "%zz", "/api/debtors/%zz")) {
      assertProblem400(await(app.client.get(path).send()), path);
      var head = await(app.client.request(HttpMethod.HEAD, path).send());
      assertThat(head.statusCode()).as("HEAD " + path).isEqualTo(400);
      assertThat(head.getHeader("Content-Type")).as("HEAD " + path).isEqualTo("application/problem+json");
    }
    assertProblem400(await(app.client.post("/t/u/" + token + "/" + UUID.randomUUID() + "?x=%zz")
        .putHeader("Content-Type", "application/x-www-form-urlencoded").sendBuffer(Buffer.buffer("List-Unsubscribe=One-Click"))),
        "one-click");
    assertThat(count(app, "SELECT count(*) FROM page_views")).isZero();
    assertThat(count(app, "SELECT count(*) FROM debtor_opt_outs")).isZero();
    assertLogClean(token);
  }

  @Test
  @DisplayName("the open pixel answers its GIF even when its path or query cannot be decoded, and records nothing")
  void openPixel_undecodablePathOrQuery_stillAnswersGif(TestApp app) {
    var d = Fixtures.debtor(app, "Ann");
    for (String path : List.of("/t/o/%zz.gif", "/t/o/" + d.token() + "%zz.gif", "/t/o/" + d.token() + "/%E0%A4%A.gif")) {
      assertGifGetAndHead(app, path);
    }
    assertThat(count(app, "SELECT count(*) FROM email_events")).isZero();
    for (String path : List.of("/t/o/" + d.token() + ".gif?x=%zz", "/t/o/" + d.token() + "/" + UUID.randomUUID() + ".gif?utm=%2")) {
      assertGifGetAndHead(app, path);
    }
    assertLogClean(d.token());
  }

  private static void assertGifGetAndHead(TestApp app, String path) {
    assertGif(await(app.client.get(path).putHeader("User-Agent", BROWSER).send()));
    var head = await(app.client.request(HttpMethod.HEAD, path).putHeader("User-Agent", BROWSER).send());
    assertThat(head.statusCode()).as("HEAD " + path).isEqualTo(200);
    assertThat(head.getHeader("Content-Type")).as("HEAD " + path).isEqualTo("image/gif");
    assertThat(head.getHeader("Content-Length")).as("HEAD " + path).isEqualTo("43");
    assertThat(head.getHeader("Cache-Control")).as("HEAD " + path).isEqualTo("no-store");
  }

  private static void assertProblem400(HttpResponse<Buffer> r, String what) {
    assertThat(r.statusCode()).as(what).isEqualTo(400);
    assertThat(r.getHeader("Content-Type")).as(what).isEqualTo("application/problem+json");
    assertThat(r.getHeader("Cache-Control")).as(what).isEqualTo("no-store");
    assertThat(r.bodyAsJsonObject().getInteger("status")).as(what).isEqualTo(400);
  }

  /** Nothing at WARN or above (a client's mistake), and no line, message or exception holding the token. */
  private void assertLogClean(String token) {
    for (ILoggingEvent e : log.list) {
      assertThat(e.getLevel().isGreaterOrEqual(Level.WARN)).as("logged: %s", e.getFormattedMessage()).isFalse();
      assertThat(e.getFormattedMessage()).doesNotContain(token);
      for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
        assertThat(String.valueOf(t.getMessage())).doesNotContain(token);
      }
    }
  }
}
