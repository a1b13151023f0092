package dev.beacon.debtors;

import dev.beacon.support.BeaconExtension;
import dev.beacon.support.Http;
import dev.beacon.support.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.beacon.support.TestApp.AGENT_KEY;
import static org.assertj.core.api.Assertions.assertThat;

/** Debtor imports accept what spreadsheets write, and no input makes them slow, lossy or greedy. */
@ExtendWith(BeaconExtension.class)
@Timeout(120)
class ImportFormatsIT {

  /** Imports {@code text} encoded as ISO-8859-1, whatever charset {@code type} names. */
  private static JsonObject importLatin1(TestApp app, String type, String text) {
    return importBytes(app, type, text.getBytes(StandardCharsets.ISO_8859_1));
  }

  private static JsonObject importBytes(TestApp app, String type, byte[] body) {
    var r = new Http(app).postRaw("/api/debtors/import", AGENT_KEY, type, Buffer.buffer(body));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  private static String names(TestApp app) {
    return TestApp.await(app.pool.query("SELECT string_agg(first_name, '|' ORDER BY email) FROM debtors").execute())
        .iterator().next().getString(0);
  }

  @Test
  void excelCsvUtf8_withBomCrLfQuotesAndTrailingEmptyLine_imports(TestApp app) {
    String csv = "\uFEFFFirst Name, LAST_NAME ,Email,Address Line 2\r\n"
        + "Zoë,\"O\"\"Brien\",ann@example.com,\"Apt 4, rear\"\r\n"
        + "Cy,Ng,cy@example.com,\"Apt 4\r\nFloor 2\"\r\n"
        + "Bob,Ray,bob@example.com,\r\n\r\n";
    JsonObject r = importBytes(app, "text/csv", csv.getBytes(StandardCharsets.UTF_8));
    assertThat(r.getLong("created")).isEqualTo(2);
    // The record with a line break inside its quotes is one record; the field refuses control characters.
    assertThat(r.getLong("rejectedCount")).isEqualTo(1);
    assertThat(r.getJsonArray("rejected").getJsonObject(0).getLong("line")).isEqualTo(3);
    assertThat(r.getJsonArray("rejected").getJsonObject(0).encode()).contains("addressLine2");
    var ann = TestApp.await(app.pool.query("SELECT first_name, last_name, address_line2 FROM debtors WHERE email = 'ann@example.com'")
        .execute()).iterator().next();
    assertThat(ann.getString(0)).isEqualTo("Zoë");
    assertThat(ann.getString(1)).isEqualTo("O\"Brien");
    assertThat(ann.getString(2)).isEqualTo("Apt 4, rear");
  }

  @Test
  void oldMacLineEnds_andLatin1NamedByCharset_import(TestApp app) {
    JsonObject r = importLatin1(app, "text/csv; charset=ISO-8859-1", "firstName,lastName,email\rJosé,Müller,jose@example.com\rAnn,Lee,ann@example.com");
    assertThat(r.getLong("created")).isEqualTo(2);
    assertThat(names(app)).isEqualTo("Ann|José");
  }

  @Test
  void latin1SentAsUtf8_isRejectedByLine_namingTheCharset(TestApp app) {
    JsonObject r = importLatin1(app, "text/csv", "firstName,lastName,email\nJosé,Müller,jose@example.com\nAnn,Lee,ann@example.com\n");
    assertThat(r.getLong("created")).isEqualTo(1);
    assertThat(r.getJsonArray("rejected").getJsonObject(0).getLong("line")).isEqualTo(2);
    assertThat(r.getJsonArray("rejected").getJsonObject(0).encode()).contains("charset=iso-8859-1");
  }

  @Test
  void aRecordOverTheCap_isOneLineError_andTheRestIsImported(TestApp app) {
    String csv = "firstName,lastName,email\nAnn,Lee,ann@example.com\nBig," + "x".repeat(70_000)
        + ",big@example.com\nBob,Ray,bob@example.com\n";
    JsonObject r = importBytes(app, "text/csv", csv.getBytes(StandardCharsets.UTF_8));
    assertThat(r.getLong("created")).isEqualTo(2);
    assertThat(r.getJsonArray("rejected").getJsonObject(0).getLong("line")).isEqualTo(3);
    assertThat(r.getJsonArray("rejected").getJsonObject(0).encode()).contains("64 KiB");
  }

  @Test
  void ndjson_duplicateKeysHugeNumbersAndLoneSurrogates_areLineErrorsNamingTheField(TestApp app) {
    String nd = """
        {"firstName":"Ann","lastName":"Lee","email":"ann@example.com"}
        {"firstName":"Bob","firstName":"Rob","lastName":"Ray"}
        {"firstName":"Cy","lastName":"Ng","totalOwed":1e400}
        {"firstName":"Di","lastName":"Oh","totalOwed":1e-1000000000}
        {"firstName":"\\ud800","lastName":"Po"}
        """;
    JsonObject r = importBytes(app, "application/x-ndjson", nd.getBytes(StandardCharsets.UTF_8));
    assertThat(r.getLong("created")).isEqualTo(1);
    assertThat(r.getJsonArray("rejected").stream()
        .map(o -> ((JsonObject) o).getJsonArray("errors").getJsonObject(0).getString("field")))
        .containsExactly("firstName", "totalOwed", "totalOwed", "firstName");
  }

  /** How long one probing pixel may take before the probe counts as failed (the test's limit is 1 s). */
  private static final long PROBE_TIMEOUT_MS = 10_000;

  @Test
  void oneUnbalancedQuoteIn100000Lines_costsOneLine_andThePixelStaysFast(TestApp app) {
    StringBuilder sb = new StringBuilder("firstName,lastName,email\n");
    for (int i = 1; i < 100_000; i++) {
      sb.append(i == 500 ? "\"Broken" : "F" + i).append(",L,u").append(i).append("@example.com\n");
    }
    AtomicBoolean done = new AtomicBoolean();
    List<Long> millis = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger pixels = new AtomicInteger();
    // The prober has a Vert.x of its own, so its event loop is not one the import's client or the server uses.
    Vertx probeVertx = Vertx.vertx();
    var client = probeVertx.createHttpClient(new HttpClientOptions().setDefaultPort(app.port));
    // A failure of the prober is kept for this test to report: thrown in its own thread it would surface in
    // whichever later test is waiting in Awaitility (which rethrows other threads' uncaught exceptions).
    AtomicReference<Throwable> proberFailed = new AtomicReference<>();
    Thread prober = new Thread(() -> {
      try {
        while (!done.get()) {
          long t0 = System.nanoTime();
          int status = client.request(new RequestOptions().setMethod(HttpMethod.GET).setTimeout(PROBE_TIMEOUT_MS)
                  .setURI("/t/o/notarealtoken0000000000/00000000-0000-0000-0000-000000000000.gif"))
              // The body is asked for in the response's own callback: chained after it on the outer future,
              // the callback could run after the 43 bytes had arrived, and the body never completed.
              .compose(req -> req.send().compose(res -> res.body().map(b -> res.statusCode())))
              .await(PROBE_TIMEOUT_MS * 2, TimeUnit.MILLISECONDS);
          // The first few requests open the connection and warm the code up; the rest measure the event loop.
          if (pixels.incrementAndGet() > 3) {
            millis.add((System.nanoTime() - t0) / 1_000_000);
          }
          assertThat(status).isEqualTo(200);
        }
      } catch (Throwable t) {
        proberFailed.set(t);
      }
    });
    prober.start();
    try {
      var r = TestApp.await(app.client.post("/api/debtors/import").bearerTokenAuthentication(AGENT_KEY)
          .putHeader("Content-Type", "text/csv").timeout(110_000).sendBuffer(Buffer.buffer(sb.toString())));
      assertThat(r.statusCode()).isEqualTo(200);
      JsonObject body = r.bodyAsJsonObject();
      assertThat(body.getLong("rejectedCount")).isEqualTo(1);
      assertThat(body.getJsonArray("rejected").getJsonObject(0).getLong("line")).isEqualTo(501);
      assertThat(body.getLong("created")).isEqualTo(99_998);
    } finally {
      done.set(true);
    }
    try {
      prober.join(PROBE_TIMEOUT_MS * 3);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    TestApp.await(probeVertx.close());
    assertThat(prober.isAlive()).as("prober still waiting for a pixel").isFalse();
    assertThat(proberFailed.get()).as("pixel probe during the import").isNull();
    assertThat(millis).as("pixels answered during the import").hasSizeGreaterThan(5);
    List<Long> sorted = millis.stream().sorted().toList();
    // On a shared two-core machine a single answer can wait for the OS scheduler or a GC pause; the 95th
    // percentile says whether the event loop is free, the maximum that nothing holds it for long.
    assertThat(sorted.get((int) (sorted.size() * 0.95))).as("95th percentile pixel, ms " + sorted).isLessThan(100);
    assertThat(sorted.get(sorted.size() - 1)).as("slowest pixel, ms").isLessThan(1000);
  }

  @Test
  void twentyMegabytesWithoutANewline_chunked_isOneLineError_withBoundedMemory(TestApp app) {
    var client = app.vertx.createHttpClient(new HttpClientOptions().setDefaultPort(app.port));
    byte[] block = "x".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
    long t0 = System.nanoTime();
    var answer = TestApp.await(client.request(new RequestOptions().setMethod(HttpMethod.POST)
        .setURI("/api/debtors/import").putHeader("Authorization", "Bearer " + AGENT_KEY)
        .putHeader("Content-Type", "application/x-ndjson")).compose(req -> {
          req.setChunked(true);
          for (int i = 0; i < 320; i++) {
            req.write(Buffer.buffer(block));
          }
          return req.end().compose(v -> req.response()).compose(res -> res.body()
              .map(b -> res.statusCode() + " " + b));
        }));
    assertThat(answer).startsWith("200 ").contains("\"line\":1").contains("longer than 64 KiB")
        .contains("\"created\":0");
    assertThat((System.nanoTime() - t0) / 1_000_000_000).as("seconds").isLessThan(30);
  }
}
