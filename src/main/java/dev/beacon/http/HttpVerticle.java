package dev.beacon.http;

import dev.beacon.Deps;
import dev.beacon.communications.CommunicationRoutes;
import dev.beacon.dashboard.DashboardRoutes;
import dev.beacon.debtors.DebtorRoutes;
import dev.beacon.ops.Health;
import dev.beacon.ops.OpsRoutes;
import dev.beacon.tracking.pages.PageRoutes;
import dev.beacon.payments.PaymentRoutes;
import dev.beacon.tracking.TrackingRoutes;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

import java.util.concurrent.TimeUnit;

/** Builds the root router, mounts each feature's routes and listens. No business logic lives here. */
public final class HttpVerticle extends VerticleBase {
  /** How long a stopping server waits for requests in flight before it closes their connections. */
  static final long SHUTDOWN_GRACE_SECONDS = 20;
  /**
   * Before shutting down, every response says {@code Connection: close} for this long, so that HTTP/1.1 clients
   * stop reusing this instance's connections instead of racing a request against their close.
   */
  static final long DRAIN_MILLIS = 1000;

  private final Deps deps;
  private HttpServer server;
  private volatile boolean draining;

  public HttpVerticle(Deps deps) {
    this.deps = deps;
  }

  /** The router with every route, exposed for tests that mount it on their own server. */
  public static Router router(io.vertx.core.Vertx vertx, Deps deps) {
    Router router = Router.router(vertx);
    router.route().failureHandler(Problems::handle);
    router.errorHandler(404, Problems::handle);
    router.errorHandler(405, Problems::handle);
    router.errorHandler(500, Problems::handle);
    // A path or query that cannot be decoded fails while routes are matched, before any handler: the pixel still
    // answers its GIF, anything else a 400 problem, and nothing is logged (Vert.x would log the URI at ERROR).
    router.errorHandler(400, ctx -> {
      if (!TrackingRoutes.unroutablePixel(ctx)) {
        Problems.unroutable(ctx);
      }
    });

    Health.mount(router, vertx, deps);
    OpenApi.mount(router);
    router.route("/api/*").handler(Auth.api(deps.keys())).handler(RateLimits.of(deps).perApiKey());
    // The router tries routes in order, and a route with a path parameter costs a regular expression match
    // (and its allocation) for each request it is tried on: the hot public paths (pixel, click, beacon, then
    // the debtors' pages) come first, so they are not tried against every API route before their own.
    TrackingRoutes.mount(router, vertx, deps);
    PageRoutes.mount(router, vertx, deps);
    DebtorRoutes.mount(router, vertx, deps);
    CommunicationRoutes.mount(router, vertx, deps);
    PaymentRoutes.mount(router, vertx, deps);
    OpsRoutes.mount(router, vertx, deps);
    DashboardRoutes.mount(router, vertx, deps);
    dev.beacon.scoring.ScoringRoutes.mount(router, vertx, deps);
    return router;
  }

  @Override
  public Future<?> start() {
    var http = deps.config().http();
    server = vertx.createHttpServer(new HttpServerOptions()
        .setHost(http.host())
        .setPort(http.port())
        .setCompressionSupported(true)
        // Beacon serves no WebSocket: without these Netty adds a WebSocket extension handler to every request.
        .setPerFrameWebSocketCompressionSupported(false)
        .setPerMessageWebSocketCompressionSupported(false)
        .setIdleTimeout(60)
        .setIdleTimeoutUnit(TimeUnit.SECONDS));
    Router router = router(vertx, deps);
    SlowClients slow = new SlowClients(vertx, deps.config().limits().headerTimeout(),
        deps.config().limits().bodyTimeout());
    return server.connectionHandler(slow::connected)
        // Broken framing (a bad chunk size, an invalid request line) and connection resets are the client's fault.
        .invalidRequestHandler(ClientErrors::invalidRequest)
        .exceptionHandler(t -> ClientErrors.record(ClientErrors.kindOrDisconnect(t), t))
        .requestHandler(req -> {
          slow.request(req);
          if (draining) {
            req.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
          }
          router.handle(req);
        }).listen();
  }

  @Override
  public Future<?> stop() {
    // Tell clients to stop reusing connections, then stop accepting, let requests in flight finish, and close.
    if (server == null) {
      return Future.succeededFuture();
    }
    draining = true;
    return vertx.timer(DRAIN_MILLIS).compose(v -> server.shutdown(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS));
  }

  public int actualPort() {
    return server.actualPort();
  }
}
