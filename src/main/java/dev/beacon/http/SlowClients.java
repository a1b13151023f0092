package dev.beacon.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;

import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Closes connections of clients too slow to be anything but an attack (slowloris) or a broken client: a
 * connection must deliver a request's headers within {@code headerTimeout} of being accepted or of its previous
 * answer, and a request's body (other than a streamed import, which the server itself pauses) must be complete
 * within {@code bodyTimeout} of its headers. Each close counts as a {@link ClientErrors#SLOW} client error. One
 * instance per HTTP verticle: its connections all live on that verticle's event loop, so the state needs no locks.
 *
 * <p>The first request on a new connection is timed from accept because {@link HttpVerticle} turns h2c detection
 * off: with it on, Vert.x 5 creates the HTTP/1 connection (and calls {@link #connected}) only once the first
 * request's headers are complete, which would leave a new connection trickling header lines bounded only by the
 * server's idle timeout.
 */
final class SlowClients {
  private final Vertx vertx;
  private final long headerMillis;
  private final long bodyMillis;
  private final Map<HttpConnection, Watch> watches = new IdentityHashMap<>();

  SlowClients(Vertx vertx, Duration headerTimeout, Duration bodyTimeout) {
    this.vertx = vertx;
    this.headerMillis = headerTimeout.toMillis();
    this.bodyMillis = bodyTimeout.toMillis();
  }

  /** One connection: the requests in flight on it, and the timer for the next request's headers. */
  private final class Watch {
    private final HttpConnection conn;
    private long timer = -1;
    private int inFlight;

    Watch(HttpConnection conn) {
      this.conn = conn;
    }

    void armHeaders() {
      cancel();
      timer = vertx.setTimer(headerMillis, id -> {
        timer = -1;
        if (inFlight == 0) {
          ClientErrors.record(ClientErrors.SLOW, null);
          conn.close();
        }
      });
    }

    void cancel() {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }
  }

  /** For the server's connection handler. */
  void connected(HttpConnection conn) {
    Watch w = new Watch(conn);
    watches.put(conn, w);
    conn.closeHandler(v -> {
      w.cancel();
      watches.remove(conn);
    });
    w.armHeaders();
  }

  /** For each request, before routing: its headers are in; time its body, then the next request's headers. */
  void request(HttpServerRequest req) {
    Watch w = watches.get(req.connection());
    if (w == null) {
      return;
    }
    w.cancel();
    w.inFlight++;
    long bodyTimer = req.isEnded() || isStreamedImport(req) ? -1 : vertx.setTimer(bodyMillis, id -> {
      if (!req.isEnded()) {
        ClientErrors.record(ClientErrors.SLOW, null);
        w.conn.close();
      }
    });
    req.response().endHandler(v -> {
      if (bodyTimer >= 0) {
        vertx.cancelTimer(bodyTimer);
      }
      if (--w.inFlight == 0) {
        w.armHeaders();
      }
    });
  }

  private static boolean isStreamedImport(HttpServerRequest req) {
    String path = req.path();
    return path != null && path.startsWith("/api/") && path.endsWith("/import");
  }
}
