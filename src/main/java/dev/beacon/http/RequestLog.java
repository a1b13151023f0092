package dev.beacon.http;

import dev.beacon.config.BeaconConfig;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.VertxBootstrap;
import io.vertx.core.spi.VertxServiceProvider;
import io.vertx.core.spi.context.storage.ContextLocal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Every request's id and, with {@code log.access}, its access-log line. The id is the client's
 * {@code X-Request-Id} when it is a plain token of at most {@value #MAX_ID} characters, else a new random one;
 * it is returned in the response's {@code X-Request-Id}, carried in problem+json answers ({@code requestId}) and,
 * through the request's Vert.x context, in every log line written while the request is handled ({@link #current}
 * feeds the log's MDC, see {@code dev.beacon.Logs}). Vert.x runs each request on a context of its own that
 * follows it across asynchronous steps, where a thread's MDC would not.
 * <p>
 * The access line holds the method, the path with every segment of 16 characters or more (tokens, ids,
 * signatures) elided, the status, the bytes sent and the time taken. It never holds a query string, a header
 * or a key.
 */
public final class RequestLog {
  static final int MAX_ID = 128;
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._:\\-]{1," + MAX_ID + "}");
  private static final Logger ACCESS = LoggerFactory.getLogger("beacon.access");
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final ThreadLocal<String> EXPLICIT = new ThreadLocal<>();

  private final boolean access;

  public RequestLog(BeaconConfig config) {
    this.access = config.ops().accessLog();
  }

  /**
   * Registers the context-local slot before any Vert.x instance exists: an instance sizes its contexts' local
   * storage from the slots registered when it is built, so a slot registered later would not exist on its
   * contexts. Vert.x's {@link ContextLocal} documentation prescribes this way: a static field of a
   * {@link VertxServiceProvider}, declared in {@code META-INF/services}, which Vert.x's service loader loads before
   * it builds each instance (in {@code Beacon}, in tests, wherever {@code Vertx} is built).
   * <p>
   * This is Beacon's one reference to {@code io.vertx.core.internal}: {@link VertxServiceProvider}, a public SPI,
   * declares its only method with the internal {@code VertxBootstrap} parameter, so implementing it names that
   * type. Vert.x 5 has no public way to register a context local (the public {@code Vertx.builder()} takes
   * options, metrics, tracing, a transport and a cluster manager, not locals), and {@code Context.put}/{@code get}
   * would share one value among every request of an event loop. Nothing here calls the bootstrap.
   */
  public static final class Local implements VertxServiceProvider {
    static final ContextLocal<String> ID = ContextLocal.registerLocal(String.class);

    @Override
    public void init(VertxBootstrap builder) {
      // Loading this class registers the local above; there is nothing to set on the builder.
    }
  }

  /** Called first for every request, on its own context. */
  public void begin(HttpServerRequest req) {
    String id = req.getHeader(Headers.X_REQUEST_ID);
    if (id == null || id.length() > MAX_ID || !SAFE_ID.matcher(id).matches()) {
      id = newId();
    }
    Context context = Vertx.currentContext();
    if (context != null) {
      Local.ID.put(context, id);
    }
    req.response().putHeader(Headers.X_REQUEST_ID, id);
    if (access) {
      long started = System.nanoTime();
      String method = req.method().name();
      String path = Problems.loggablePath(req.path());
      String requestId = id;
      req.response().endHandler(v -> {
        // The response may end on another context (the tracking writer's): name the request explicitly.
        EXPLICIT.set(requestId);
        try {
          ACCESS.info("{} {} {} {}B {}ms", method, path, req.response().getStatusCode(),
              req.response().bytesWritten(), (System.nanoTime() - started) / 1_000_000);
        } finally {
          EXPLICIT.remove();
        }
      });
    }
  }

  /** The id of the request being handled on this thread's Vert.x context, or null outside a request. */
  public static String current() {
    String explicit = EXPLICIT.get();
    if (explicit != null) {
      return explicit;
    }
    Context context = Vertx.currentContext();
    return context == null ? null : Local.ID.get(context);
  }

  /** 32 random hex digits (not a UUID: no SecureRandom on the hot path; an id is no secret). */
  static String newId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    char[] out = new char[32];
    long a = r.nextLong();
    long b = r.nextLong();
    for (int i = 0; i < 16; i++) {
      out[i] = HEX[(int) (a >>> (60 - 4 * i)) & 0xF];
      out[16 + i] = HEX[(int) (b >>> (60 - 4 * i)) & 0xF];
    }
    return new String(out);
  }
}
