package dev.beacon.http;

import dev.beacon.config.BeaconConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/** Serves the router the composition root builds, and drains and stops gracefully. No business logic lives here. */
public final class HttpVerticle extends VerticleBase {
  /**
   * Before shutting down, every response says {@code Connection: close} for this long, so that HTTP/1.1 clients
   * stop reusing this instance's connections instead of racing a request against their close.
   */
  static final long DRAIN_MILLIS = 1000;

  private final BeaconConfig config;
  private final BiFunction<Vertx, StopActions, Router> routes;
  private final StopActions stopActions = new StopActions();
  private HttpServer server;
  private volatile boolean draining;
  private Drain drain;

  /**
   * {@code routes} builds this instance's router (the composition root's, with every feature mounted); what the
   * features register in the {@link StopActions} it is given runs after the server has shut down.
   */
  public HttpVerticle(BeaconConfig config, BiFunction<Vertx, StopActions, Router> routes) {
    this.config = config;
    this.routes = routes;
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer(new HttpServerOptions()
        .setHost(config.http().host())
        .setPort(config.http().port())
        .setCompressionSupported(true)
        // Beacon serves no WebSocket: without these Netty adds a WebSocket extension handler to every request.
        .setPerFrameWebSocketCompressionSupported(false)
        .setPerMessageWebSocketCompressionSupported(false)
        // Beacon speaks HTTP/1.1 (behind proxies that terminate TLS and HTTP/2). With h2c detection on, Vert.x
        // creates the connection, and calls the connection handler, only once the first request's headers are
        // in; off, it does so at accept, so SlowClients times the first request's headers too (slowloris).
        .setHttp2ClearTextEnabled(false)
        .setIdleTimeout(60)
        .setIdleTimeoutUnit(TimeUnit.SECONDS));
    Router router = routes.apply(vertx, stopActions);
    drain = Drain.of(vertx);
    RequestLog log = new RequestLog(config);
    SlowClients slow = new SlowClients(vertx, config.limits().headerTimeout(), config.limits().bodyTimeout());
    return server.connectionHandler(slow::connected)
        // Broken framing (a bad chunk size, an invalid request line) and connection resets are the client's fault.
        .invalidRequestHandler(ClientErrors::invalidRequest)
        .exceptionHandler(t -> ClientErrors.record(ClientErrors.kindOrDisconnect(t), t))
        .requestHandler(req -> {
          slow.request(req);
          if (draining || drain.active()) {
            req.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
          }
          log.begin(req);
          if (formWithUndecodableQuery(req)) {
            Problems.send(req.response(), Problem.malformed("The request's query string is not valid URL encoding"));
            return;
          }
          router.handle(req);
        }).listen();
  }

  /**
   * Vert.x Web's body handler merges a form body's fields into the request's parameters once the body has ended,
   * outside the router's error handling: a query that does not decode ({@code ?a=%}) then throws there and the
   * request is never answered. Such a request is refused before routing; any other request decodes its query
   * only when a handler reads it (and the router's failure handler answers a bad one).
   */
  private static boolean formWithUndecodableQuery(HttpServerRequest req) {
    if (req.query() == null) {
      return false;
    }
    String type = req.getHeader(HttpHeaders.CONTENT_TYPE);
    if (type == null) {
      return false;
    }
    String lower = type.toLowerCase(Locale.ROOT);
    if (!lower.startsWith("application/x-www-form-urlencoded") && !lower.startsWith("multipart/form-data")) {
      return false;
    }
    try {
      req.params();
      return false;
    } catch (IllegalArgumentException e) {
      return true;
    }
  }

  @Override
  public Future<?> stop() {
    // Tell clients to stop reusing connections, then stop accepting, let requests in flight finish, and close.
    if (server == null) {
      return stopActions.run();
    }
    draining = true;
    long grace = config.ops().shutdownGrace().toMillis();
    return vertx.timer(DRAIN_MILLIS).compose(v -> server.shutdown(grace, TimeUnit.MILLISECONDS))
        .eventually(stopActions::run);
  }

  public int actualPort() {
    return server.actualPort();
  }
}
