package dev.beacon.http;

import dev.beacon.support.BeaconExtension;
import dev.beacon.support.Http;
import dev.beacon.support.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.yaml.snakeyaml.Yaml;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import static dev.beacon.support.TestApp.AGENT_KEY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Beacon's own fuzz suite: generated requests over every operation in openapi.yaml (every public route and every
 * {@code /api} write, with an agent key), seeded and reproducible. Bodies are malformed JSON, deep nesting, huge and
 * tiny numbers, wrong types, NUL bytes and invalid UTF-8, sizes at the body limit ±1, CSV and NDJSON oddities;
 * requests are sent sized or chunked, with bad percent-encoding, overlong paths and headers, odd methods, and
 * (over raw sockets) broken framing. No answer may be a 5xx other than 503, or show a stack trace or an internal
 * name, and every request the server does not close must be answered; afterwards the process is ready and its heap
 * is back near where it started. Requests run {@value #IN_FLIGHT} at a time in a sliding window.
 *
 * <p>Bounded by default ({@value #DEFAULT_REQUESTS} requests); {@code -Dfuzz.requests=200000 -Dfuzz.seed=7} for a
 * longer run (docs/limits.md).
 */
@ExtendWith(BeaconExtension.class)
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class FuzzIT {
  static final int DEFAULT_REQUESTS = 10_000;
  static final int IN_FLIGHT = 16;
  /**
   * How long the HTTP client waits for an answer: every request the server does not close must be answered (the
   * slowest legitimate answers here take about a second), so a request left hanging fails the run.
   */
  static final long ANSWER_TIMEOUT_MS = 15_000;
  static final String NO_ANSWER_TIMEOUT = "no answer (timeout)";
  /** Heap allowed above the start once the run is over and a GC has run. */
  static final long HEAP_BOUND = 64L * 1024 * 1024;
  /** What an answer must never show: stack frames, exception or package names, SQL. */
  static final Pattern LEAK = Pattern.compile(
      "\\tat |Exception|dev\\.beacon\\.|io\\.vertx\\.|io\\.netty\\.|java\\.(lang|io|util)\\.|org\\.postgresql|"
          + "SQLSTATE|syntax error at or near|duplicate key value|violates .* constraint|PgException");
  static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD",
      "PROPFIND", "TRACE");
  static final List<String> TYPES = List.of("application/json", "application/json; charset=utf-8", "text/csv",
      "text/csv; charset=iso-8859-1", "application/x-ndjson", "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=zz", "text/plain", "application/xml", "application/json; charset=\u00ff", "");

  private record Op(String method, String path) {}

  @SuppressWarnings("unchecked")
  private static List<Op> operations() throws Exception {
    List<Op> ops = new ArrayList<>();
    try (InputStream in = FuzzIT.class.getResourceAsStream("/openapi.yaml")) {
      Map<String, Object> spec = new Yaml().load(in);
      var paths = (Map<String, Map<String, Object>>) spec.get("paths");
      paths.forEach((path, item) -> item.keySet().stream()
          .filter(Set.of("get", "post", "put", "patch", "delete")::contains)
          .forEach(m -> ops.add(new Op(m.toUpperCase(), path))));
    }
    return ops;
  }

  @Test
  void generatedHostileRequests_neverAnswer5xx_orLeakInternals_andLeaveTheProcessHealthy(TestApp app) throws Exception {
    int total = Integer.getInteger("fuzz.requests", DEFAULT_REQUESTS);
    long seed = Long.getLong("fuzz.seed", 20L);
    Random random = new Random(seed);
    Http http = new Http(app);
    JsonObject debtor = http.post("/api/debtors", AGENT_KEY, new JsonObject().put("firstName", "Ann")
        .put("lastName", "Lee").put("email", "fuzz@example.com").put("totalOwed", "500.00")).bodyAsJsonObject();
    String id = debtor.getString("id");
    String token = debtor.getString("uniqueToken");
    List<Op> ops = operations();
    assertThat(ops).hasSizeGreaterThan(40);

    HttpClient client = app.vertx.createHttpClient(new HttpClientOptions().setDefaultPort(app.port)
        .setDefaultHost("localhost").setMaxInitialLineLength(65536).setMaxHeaderSize(65536),
        new PoolOptions().setHttp1MaxSize(IN_FLIGHT));
    NetClient raw = app.vertx.createNetClient();
    long heapBefore = usedHeapAfterGc();
    Fuzzer f = new Fuzzer(app.vertx, random, id, token);
    ConcurrentMap<String, AtomicInteger> statuses = new ConcurrentHashMap<>();
    Map<Op, Integer> perOperation = new HashMap<>();
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    // A sliding window: the next request is generated (on this thread, so the seed reproduces the same requests)
    // as soon as one of IN_FLIGHT completes, so one slow answer holds one slot, not a whole batch.
    Semaphore slots = new Semaphore(IN_FLIGHT);
    int raws = 0;
    long started = System.nanoTime();
    for (int n = 0; n < total && failures.isEmpty(); n++) {
      slots.acquire();
      int k = n;
      // Every operation first, then at random.
      Op op = n < ops.size() ? ops.get(n) : ops.get(random.nextInt(ops.size()));
      perOperation.merge(op, 1, Integer::sum);
      boolean isRaw = random.nextInt(20) == 0;
      raws += isRaw ? 1 : 0;
      Future<String> answer = isRaw ? f.raw(raw, app.port, op) : f.http(client, op);
      answer.recover(t -> Future.succeededFuture(noAnswer(t))).onSuccess(a -> {
        String status = a.length() >= 3 ? a.substring(0, 3) : a;
        statuses.computeIfAbsent(a.startsWith("no answer") ? "closed" : status, x -> new AtomicInteger())
            .incrementAndGet();
        if (a.startsWith(NO_ANSWER_TIMEOUT)) {
          failures.add("#" + k + " " + op + ": no answer within " + ANSWER_TIMEOUT_MS + " ms");
        }
        if (a.startsWith("5") && !a.startsWith("503")) {
          failures.add("#" + k + " " + op + ": " + a.substring(0, Math.min(300, a.length())));
        }
        if (!a.startsWith("no answer") && LEAK.matcher(a).find()) {
          failures.add("#" + k + " " + op + " leaks: " + a.substring(0, Math.min(300, a.length())));
        }
      }).onComplete(x -> slots.release());
    }
    assertThat(slots.tryAcquire(IN_FLIGHT, 2L * ANSWER_TIMEOUT_MS, TimeUnit.MILLISECONDS)).isTrue();
    long elapsedMs = (System.nanoTime() - started) / 1_000_000;
    TestApp.await(client.close());
    TestApp.await(raw.close());

    int sent = perOperation.values().stream().mapToInt(Integer::intValue).sum();
    System.out.println("FuzzIT: seed " + seed + ", " + sent + " requests (" + (sent - raws) + " through the HTTP client, "
        + raws + " over raw sockets) over " + perOperation.size() + " of " + ops.size() + " operations (each "
        + perOperation.values().stream().mapToInt(Integer::intValue).min().orElse(0) + " to "
        + perOperation.values().stream().mapToInt(Integer::intValue).max().orElse(0) + " times), " + IN_FLIGHT
        + " in flight, in " + elapsedMs + " ms; answers by status " + new TreeMap<>(statuses));
    assertThat(failures).as("seed " + seed).isEmpty();
    assertThat(sent).isEqualTo(total);
    assertThat(perOperation.keySet()).containsExactlyInAnyOrderElementsOf(ops);
    assertThat(http.get("/health/ready", null).statusCode()).isEqualTo(200);
    assertThat(http.get("/api/debtors/" + id, AGENT_KEY).statusCode()).isEqualTo(200);
    long heapAfter = usedHeapAfterGc();
    System.out.println("FuzzIT: heap before " + heapBefore / 1024 / 1024 + " MiB, after " + heapAfter / 1024 / 1024
        + " MiB");
    assertThat(heapAfter).isLessThan(heapBefore + HEAP_BOUND);
  }

  /** A request that got no answer: the server closed the connection (allowed), or never answered (a failure). */
  private static String noAnswer(Throwable t) {
    return t instanceof TimeoutException ? NO_ANSWER_TIMEOUT
        : "no answer (" + t.getClass().getSimpleName().replace("Exception", "") + ")";
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** Generates one hostile request at a time from the seeded random. */
  private static final class Fuzzer {
    private final Random r;
    private final String id;
    private final String token;
    private final Vertx vertx;

    Fuzzer(Vertx vertx, Random r, String id, String token) {
      this.vertx = vertx;
      this.r = r;
      this.id = id;
      this.token = token;
    }

    String path(Op op) {
      String p = op.path()
          .replace("{id}", pick(id, UUID.randomUUID().toString(), "not-a-uuid", "%zz", "%00", "x".repeat(300)))
          .replace("{token}", pick(token, "zzzzzzzzzzzzzzzzzzzzzzzzzz", "%c3%28", "a", "%", "\u00e9t\u00e9", token + "%0a"))
          .replace("{communicationId}", pick(UUID.randomUUID().toString(), "%zz", "0"));
      return switch (r.nextInt(12)) {
        case 0 -> p + "?" + pick("status=%zz", "limit=99999999999999999999", "q=" + "a".repeat(5000), "a=%", "cursor=%7B");
        case 1 -> p + "/" + "x".repeat(r.nextInt(10_000));
        case 2 -> p.replace("/", "//");
        case 3 -> p + "%2e%2e/%2e%2e/etc/passwd";
        default -> p;
      };
    }

    Buffer body() {
      return switch (r.nextInt(16)) {
        case 0 -> Buffer.buffer("{\"firstName\":");
        case 1 -> Buffer.buffer("[".repeat(r.nextInt(20_000)) + "]".repeat(r.nextInt(3)));
        case 2 -> Buffer.buffer("{\"totalOwed\":" + pick("1e400", "1e-1000000000", "-0", "99999999999999999999999999",
            "NaN", "Infinity", "0x10", "1.000000000000000000001") + ",\"firstName\":\"a\",\"lastName\":\"b\"}");
        case 3 -> Buffer.buffer("{\"firstName\":" + pick("[]", "{}", "1", "true", "null", "\"\\u0000\"", "\"\\ud800\"")
            + ",\"lastName\":" + pick("1", "\"b\"") + ",\"channel\":" + pick("1", "\"sms\"", "[\"email\"]") + "}");
        case 4 -> Buffer.buffer(new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, 0x28, (byte) 0xFF, 0, '"', '}'});
        case 5 -> Buffer.buffer("{\"a\":\"" + "x".repeat(65536 + r.nextInt(3) - 1 - 10) + "\"}");
        case 6 -> Buffer.buffer("firstName,lastName,email\n\"unbalanced,x,y\n" + "a,b,c@d.ef\r\n".repeat(r.nextInt(200)));
        case 7 -> Buffer.buffer("{\"debtorId\":\"" + id + "\",\"kind\":\"open\",\"at\":\"2026-13-45T99:00:00Z\"}\n{}\n[1]\n\u0000\n");
        case 8 -> Buffer.buffer("channel=sms&channel=email&List-Unsubscribe=One-Click&amount=%zz&option=" + "9".repeat(400));
        case 9 -> Buffer.buffer("{\"a\":1,\"a\":2}");
        case 10 -> Buffer.buffer("");
        case 11 -> Buffer.buffer("--zz\r\nContent-Disposition: form-data; name=\"channel\"\r\n\r\nsms\r\n--zz--\r\n");
        case 12 -> Buffer.buffer("{\"option\":\"partial\",\"amount\":" + pick("\"0.001\"", "\"-1\"", "1e9", "\"25.00\"", "[]")
            + ",\"installments\":" + pick("0", "2", "1000000", "\"x\"") + "}");
        case 13 -> {
          byte[] b = new byte[r.nextInt(4096)];
          r.nextBytes(b);
          yield Buffer.buffer(b);
        }
        default -> Buffer.buffer(new JsonObject().put("firstName", "F" + r.nextInt()).put("lastName", "L")
            .put("email", "f" + r.nextInt(1000) + "@example.com").put("totalOwed", r.nextInt(1000) + ".00")
            .put("channel", pick("email", "sms", "phone", "fax")).put("type", pick("email", "sms", "phone"))
            .put("direction", pick("outbound", "inbound")).encode());
      };
    }

    Future<String> http(HttpClient client, Op op) {
      String method = r.nextInt(8) == 0 ? pick(METHODS.toArray(new String[0])) : op.method();
      RequestOptions o = new RequestOptions().setMethod(HttpMethod.valueOf(method)).setURI(path(op))
          .setTimeout(ANSWER_TIMEOUT_MS);
      if (r.nextBoolean()) {
        o.putHeader("Authorization", "Bearer " + pick(AGENT_KEY, AGENT_KEY, AGENT_KEY, "wrong", ""));
      }
      String type = pick(TYPES.toArray(new String[0]));
      if (!type.isEmpty()) {
        o.putHeader("Content-Type", type);
      }
      if (r.nextInt(25) == 0) {
        o.putHeader("X-Big", "h".repeat(20_000 + r.nextInt(50_000)));
      }
      if (r.nextInt(10) == 0) {
        o.putHeader("User-Agent", "fuzz \u00ff " + "u".repeat(r.nextInt(2000)));
      }
      boolean chunked = r.nextInt(4) == 0;
      Buffer body = method.equals("GET") || method.equals("HEAD") ? Buffer.buffer() : body();
      return client.request(o).compose(req -> {
        Future<HttpClientResponse> res;
        if (chunked && body.length() > 0) {
          req.setChunked(true);
          int half = body.length() / 2;
          req.write(body.slice(0, half));
          res = req.end(body.slice(half, body.length())).compose(v -> req.response());
        } else {
          res = req.send(body);
        }
        return res.compose(resp -> resp.body().map(b -> resp.statusCode() + " " + head(b)));
      });
    }

    /** Over a raw socket: framing no client library will produce. */
    Future<String> raw(NetClient net, int port, Op op) {
      int kind = r.nextInt(7);
      String request = switch (kind) {
        case 0 -> op.method() + " " + op.path() + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
            + "Content-Type: application/json\r\n\r\n" + pick("zz", "-1", "ffffffffffffffffff", "5;\u0000") + "\r\n{}\r\n0\r\n\r\n";
        case 1 -> "GARBAGE\r\n\r\n";
        case 2 -> op.method() + " /" + "\u00ff\u0000" + " HTTP/1.1\r\nHost: x\r\n\r\n";
        case 3 -> op.method() + " " + op.path() + " HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nContent-Length: 3\r\n\r\nabc";
        case 4 -> op.method() + " " + op.path() + " HTTP/1.1\nHost: x\nContent-Length: -5\n\n";
        case 5 -> op.method() + " " + op.path() + " HTTP/9.9\r\nHost: x\r\n\r\n";
        default -> op.method() + " " + op.path() + " HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"a\":";
      };
      return net.connect(port, "localhost").compose(so -> {
        Promise<String> answer = Promise.promise();
        Buffer got = Buffer.buffer();
        // The status line and headers are enough; a request cut short would otherwise wait for the body timeout.
        so.handler(b -> {
          got.appendBuffer(b);
          if (got.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
            answer.tryComplete(statusOf(got));
          }
        });
        so.closeHandler(v -> answer.tryComplete(statusOf(got)));
        so.write(Buffer.buffer(request.getBytes(StandardCharsets.ISO_8859_1)));
        // A request the server is still waiting on (a first request's unfinished headers) is not an answer.
        vertx.setTimer(3000, t -> answer.tryComplete("no answer (waiting)"));
        // Vert.x answers an HTTP version it does not speak with 501 before any handler runs: that one 5xx is the
        // transport's own, correct refusal (RFC 9110 15.6.2), not a fault.
        return answer.future().map(a -> kind == 5 && a.startsWith("501") ? "version refused: " + a : a)
            .onComplete(x -> so.close());
      });
    }

    private static String statusOf(Buffer got) {
      String s = got.toString(StandardCharsets.ISO_8859_1);
      if (!s.startsWith("HTTP/")) {
        return "no answer (closed)";
      }
      return s.substring(9, Math.min(s.length(), 12)) + " " + s.substring(Math.min(s.length(), 12),
          Math.min(s.length(), 2000));
    }

    private static String head(Buffer b) {
      return b.length() > 4000 ? b.getString(0, 4000) : b.toString();
    }

    private String pick(String... options) {
      return options[r.nextInt(options.length)];
    }
  }
}
