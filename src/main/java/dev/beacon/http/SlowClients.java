package dev.beacon.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Closes connections of clients too slow to be anything but an attack (slowloris) or a broken client: a
 * connection must deliver a request's headers within {@code headerTimeout} of being accepted or of its previous
 * answer, and a request's body (other than a streamed import, which the server itself pauses) must be complete
 * within {@code bodyTimeout} of its headers. Each close counts as a {@link ClientErrors#SLOW} client error. One
 * instance per HTTP verticle: its connections all live on that verticle's event loop, so the state needs no locks.
 *
 * <p>A request only moves its connection's deadlines (two reads of the clock); one periodic sweep per instance,
 * every tenth of the shorter timeout (at least 10 ms, at most 1 s), closes the connections past theirs. So a
 * slow client is cut off between its timeout and its timeout plus one sweep period. (A timer per request cost
 * a scheduling, a cancellation and two map updates on the tracking hot path.)
 *
 * <p>The first request on a new connection is timed from accept because {@link HttpVerticle} turns h2c detection
 * off: with it on, Vert.x 5 creates the HTTP/1 connection (and calls {@link #connected}) only once the first
 * request's headers are complete, which would leave a new connection trickling header lines bounded only by the
 * server's idle timeout.
 */
final class SlowClients {
  private final long headerNanos;
  private final long bodyNanos;
  private final Map<HttpConnection, Watch> watches = new IdentityHashMap<>();

  SlowClients(Vertx vertx, Duration headerTimeout, Duration bodyTimeout) {
    this.headerNanos = headerTimeout.toNanos();
    this.bodyNanos = bodyTimeout.toNanos();
    long period = Math.max(10, Math.min(1000, Math.min(headerTimeout.toMillis(), bodyTimeout.toMillis()) / 10));
    // Set on the verticle's context, so it ends with the verticle.
    vertx.setPeriodic(period, id -> sweep(System.nanoTime()));
  }

  /** One connection: the requests in flight on it, and its deadlines. */
  private static final class Watch {
    private final HttpConnection conn;
    /** When the next request's headers must be in (while nothing is in flight). */
    private long headersBy;
    /** The request whose body is being read (one at a time on an HTTP/1.1 connection), and when it must end. */
    private HttpServerRequest reading;
    private long bodyBy;
    private int inFlight;

    Watch(HttpConnection conn, long headersBy) {
      this.conn = conn;
      this.headersBy = headersBy;
    }

    boolean late(long now) {
      return (inFlight == 0 && now - headersBy > 0)
          || (reading != null && now - bodyBy > 0 && !reading.isEnded());
    }
  }

  /** For the server's connection handler. */
  void connected(HttpConnection conn) {
    watches.put(conn, new Watch(conn, System.nanoTime() + headerNanos));
    conn.closeHandler(v -> watches.remove(conn));
  }

  /** For each request, before routing: its headers are in; time its body, then the next request's headers. */
  void request(HttpServerRequest req) {
    Watch w = watches.get(req.connection());
    if (w == null) {
      return;
    }
    w.inFlight++;
    if (!req.isEnded() && !isStreamedImport(req)) {
      w.reading = req;
      w.bodyBy = System.nanoTime() + bodyNanos;
    }
    req.response().endHandler(v -> {
      if (w.reading == req) {
        w.reading = null;
      }
      if (--w.inFlight == 0) {
        w.headersBy = System.nanoTime() + headerNanos;
      }
    });
  }

  private void sweep(long now) {
    List<HttpConnection> late = null;
    for (Watch w : watches.values()) {
      if (w.late(now)) {
        if (late == null) {
          late = new ArrayList<>();
        }
        late.add(w.conn);
      }
    }
    if (late != null) {
      for (HttpConnection c : late) {
        // Collected first: a close can run the close handler, which removes from the map, at once. Removed here so
        // that a closing connection is not swept (and counted) again.
        if (watches.remove(c) != null) {
          ClientErrors.record(ClientErrors.SLOW, null);
          c.close();
        }
      }
    }
  }

  private static boolean isStreamedImport(HttpServerRequest req) {
    String path = req.path();
    return path != null && path.startsWith("/api/") && path.endsWith("/import");
  }
}
